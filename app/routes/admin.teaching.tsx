// The admin's way into teaching: every department (each opens its teaching page), and the term
// rollover — the next term, with a term's teaching copied into it as a starting point.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { peoplePickers } from '../../server/admin/people-search.ts';
import { requirePermission } from '../../server/auth/permissions.ts';
import { rolloverTerm } from '../../server/admin/term-rollover.ts';
import { titled } from '../components/page-title.ts';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { db } = context.services;
  return orRespond(async () => {
    requirePermission(user, 'admin.manage', {});
    const [pickers, terms] = await Promise.all([
      peoplePickers(db, user.locale),
      db
        .selectFrom('term')
        .select(['id', 'code', 'starts_on'])
        .where('archived_at', 'is', null)
        .orderBy('starts_on', 'desc')
        .execute(),
    ]);
    return {
      departments: pickers.departments,
      terms: terms.map((term) => ({ id: term.id, label: `${term.code} (${term.starts_on})` })),
    };
  });
}

export const meta = titled('admin.nav.teaching');

const rolloverSchema = z.object({
  fromTermId: z.string().max(64).default(''),
  code: z.string().max(100),
  academicYear: z.string().max(20),
  semester: z.string().max(2),
  startsOn: z.string().max(20),
  weeks: z.string().max(4),
  timeZone: z.string().max(64).default(''),
  copyTeaching: z.enum(['on']).optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  return formResult(async () => {
    const input = await readForm(request, rolloverSchema);
    return rolloverTerm(
      context.services.db,
      { user, ip: context.clientIp },
      { ...input, copyTeaching: input.copyTeaching === 'on' },
    );
  });
}

/** A new term from an earlier one, with its teaching copied when asked. */
function RolloverForm({
  terms,
  problem,
  busy,
}: {
  terms: Awaited<ReturnType<typeof loader>>['terms'];
  problem: (field: string) => ReactNode;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
    <Form method="post" className="form-grid" data-testid="rollover">
      <label>
        {t('admin.rollover.from')}
        <select name="fromTermId">
          {terms.map((term) => (
            <option key={term.id} value={term.id}>
              {term.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('admin.fields.code')} *
        <input name="code" required maxLength={64} />
        {problem('code')}
      </label>
      <label>
        {t('admin.fields.academic_year')} *
        <input name="academicYear" required placeholder="2027-2028" maxLength={9} />
        {problem('academic_year')}
      </label>
      <label>
        {t('admin.fields.semester')} *
        <select name="semester">
          <option value="1">1</option>
          <option value="2">2</option>
        </select>
      </label>
      <label>
        {t('admin.fields.starts_on')} *
        <input name="startsOn" type="date" required />
        {problem('starts_on')}
      </label>
      <label>
        {t('admin.fields.weeks')} *
        <input name="weeks" type="number" min={1} max={30} defaultValue={16} required />
        {problem('weeks')}
      </label>
      <label>
        {t('admin.fields.time_zone')}
        <input name="timeZone" defaultValue="Asia/Bishkek" maxLength={64} />
        {problem('time_zone')}
      </label>
      <label className="check">
        <input type="checkbox" name="copyTeaching" defaultChecked /> {t('admin.rollover.copy')}
      </label>
      <button type="submit" disabled={busy}>
        {t('admin.rollover.submit')}
      </button>
    </Form>
  );
}

export default function AdminTeaching() {
  const { t } = useTranslation();
  const { departments, terms } = useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const result = outcome && 'result' in outcome ? outcome.result : null;
  const busy = useNavigation().state !== 'idle';
  const problem = (field: string) =>
    result?.problems[field] ? (
      <span className="form-error" role="alert">
        {t(`import.problems.${result.problems[field]}`, {
          code: result.code ?? '',
          max: 64,
          min: 1,
          year: '',
          values: '',
        })}
      </span>
    ) : null;
  return (
    <section>
      <h1>{t('admin.nav.teaching')}</h1>
      <ul className="cards" data-testid="departments">
        {departments.map((department) => (
          <li key={department.id} className="card">
            <Link to={`/departments/${department.id}/teaching`}>{department.label}</Link>
          </li>
        ))}
      </ul>
      <section className="panel">
        <h2>{t('admin.rollover.title')}</h2>
        <p className="muted">{t('admin.rollover.hint')}</p>
        {result && !Object.keys(result.problems).length ? (
          <p className="notice" role="status">
            {t('admin.rollover.done', { count: result.copied })}
          </p>
        ) : null}
        <RolloverForm terms={terms} problem={problem} busy={busy} />
      </section>
    </section>
  );
}
