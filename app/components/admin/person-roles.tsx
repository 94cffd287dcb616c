// A person's roles on the admin's person page: each with its scope (ended ones shown too), ending one,
// and adding one with the faculty or department it covers.
import { Form } from '@remix-run/react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PeoplePickers } from '../../../server/admin/people-search.ts';
import type { PersonPage } from '../../../server/admin/person-page.ts';
import { importRoles } from '../../../server/common/import-kinds.ts';
import { formatTimestamp } from '../../../server/common/format.ts';

export function Roles({
  roles,
  pickers,
  zone,
  busy,
}: {
  roles: PersonPage['roles'];
  pickers: PeoplePickers;
  zone: string;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const [role, setRole] = useState<string>('instructor');
  const scopes =
    role === 'dean' ? pickers.faculties : role === 'head' || role === 'instructor' ? pickers.departments : [];
  return (
    <section className="panel">
      <h2>{t('admin.people.roles')}</h2>
      <ul className="plain" data-testid="roles">
        {roles.map((grant) => (
          <li key={grant.id} className={grant.endedAt ? 'archived' : undefined}>
            {t(`roles.${grant.role}`)}
            {grant.scope ? ` · ${grant.scope}` : ''}{' '}
            {grant.endedAt ? (
              <span className="muted">
                ({t('admin.people.ended')} {formatTimestamp(grant.endedAt, zone)})
              </span>
            ) : (
              <Form method="post" className="inline">
                <input type="hidden" name="assignmentId" value={grant.id} />
                <button type="submit" name="intent" value="end-role" className="secondary" disabled={busy}>
                  {t('admin.people.endRole')}
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>
      <Form method="post" className="form-grid">
        <label>
          {t('admin.people.role')}
          <select name="role" value={role} onChange={(event) => setRole(event.target.value)}>
            {importRoles.map((each) => (
              <option key={each} value={each}>
                {t(`roles.${each}`)}
              </option>
            ))}
          </select>
        </label>
        {scopes.length ? (
          <label>
            {t('admin.people.scope')}
            <select name="scopeId" required>
              {scopes.map((scope) => (
                <option key={scope.id} value={scope.id}>
                  {scope.label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit" name="intent" value="add-role" disabled={busy}>
          {t('admin.people.addRole')}
        </button>
      </Form>
    </section>
  );
}
