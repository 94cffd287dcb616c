// A person's details as a form (add, or edit), each field with its problem.
import { Form } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { locales } from '../../../server/common/locales.ts';

type Fields = { email: string; fullName: string; externalId: string; language: string };
const names = { email: 'email', fullName: 'full_name', externalId: 'external_id', language: 'language' } as const;

export function PersonFieldsForm({
  intent,
  values,
  problems = {},
  busy,
}: {
  intent: 'create' | 'update';
  values?: Partial<Fields>;
  problems?: Record<string, string>;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const error = (field: keyof Fields) =>
    problems[names[field]] ? (
      <span className="form-error" role="alert">
        {t(`import.problems.${problems[names[field]]}`, { email: values?.email ?? '', max: 300 })}
      </span>
    ) : null;
  return (
    <Form method="post" className="form-grid" data-testid={`person-${intent}`}>
      <input type="hidden" name="intent" value={intent === 'create' ? 'create' : 'update-person'} />
      <label>
        {t('admin.fields.full_name')} *
        <input
          name="fullName"
          defaultValue={values?.fullName ?? ''}
          required
          maxLength={200}
          autoComplete="off"
          aria-invalid={Boolean(problems.full_name) || undefined}
        />
        {error('fullName')}
      </label>
      <label>
        {t('admin.fields.email')} *
        <input
          name="email"
          type="email"
          defaultValue={values?.email ?? ''}
          required
          maxLength={254}
          autoComplete="off"
          aria-invalid={Boolean(problems.email) || undefined}
        />
        {error('email')}
      </label>
      <label>
        {t('admin.fields.external_id')}
        <input
          name="externalId"
          defaultValue={values?.externalId ?? ''}
          maxLength={64}
          autoComplete="off"
          aria-invalid={Boolean(problems.external_id) || undefined}
        />
        {error('externalId')}
      </label>
      <label>
        {t('admin.fields.language')}
        <select name="language" defaultValue={values?.language ?? 'ky'}>
          {locales.map((code) => (
            <option key={code} value={code}>
              {t(`language.${code}`)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy}>
        {t(intent === 'create' ? 'admin.create' : 'admin.save')}
      </button>
    </Form>
  );
}
