// A student's groups on the admin's person page: move to another group, end a membership (ended
// ones shown too), add to a group.
import { Form } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { PeoplePickers } from '../../../server/admin/people-search.ts';
import type { PersonPage } from '../../../server/admin/person-page.ts';
import { formatTimestamp } from '../../../server/common/format.ts';

export function Groups({
  data,
  busy,
}: {
  data: Pick<PersonPage, 'groups' | 'endedGroups'> & { pickers: PeoplePickers; timeZone: string };
  busy: boolean;
}) {
  const { t } = useTranslation();
  const current = new Set(data.groups.map((group) => group.id));
  const groupSelect = (
    <select name="toGroupId" aria-label={t('admin.people.group')} required>
      {data.pickers.groups
        .filter((group) => !current.has(group.id))
        .map((group) => (
          <option key={group.id} value={group.id}>
            {group.label}
          </option>
        ))}
    </select>
  );
  return (
    <section className="panel">
      <h2>{t('admin.people.groups')}</h2>
      <ul className="plain" data-testid="groups">
        {data.groups.map((group) => (
          <li key={group.id}>
            <strong>{group.name}</strong>
            <Form method="post" className="inline-form">
              <input type="hidden" name="fromGroupId" value={group.id} />
              {groupSelect}
              <button type="submit" name="intent" value="membership" disabled={busy}>
                {t('admin.people.move')}
              </button>
            </Form>
            <Form method="post" className="inline">
              <input type="hidden" name="fromGroupId" value={group.id} />
              <button type="submit" name="intent" value="membership" className="secondary" disabled={busy}>
                {t('admin.people.endMembership')}
              </button>
            </Form>
          </li>
        ))}
        {data.endedGroups.map((group) => (
          <li key={`${group.name}-${group.endedAt}`} className="archived muted">
            {group.name} ({t('admin.people.ended')} {formatTimestamp(group.endedAt, data.timeZone)})
          </li>
        ))}
      </ul>
      <Form method="post" className="inline-form">
        {groupSelect}
        <button type="submit" name="intent" value="membership" disabled={busy}>
          {t('admin.people.addToGroup')}
        </button>
      </Form>
    </section>
  );
}
