// The audit log for the admin: who did what to which object, when and from where; filter by person,
// action, object and dates; newest first, a page at a time; the same rows as CSV.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { auditFiltersOf, auditPage } from '../../server/admin/audit-viewer.ts';
import { currentTerm, defaultTimeZone } from '../../server/cabinets/term.ts';
import { formatTimestamp } from '../../server/common/format.ts';
import { titled } from '../components/page-title.ts';
import { orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const params = new URL(request.url).searchParams;
  const { db } = context.services;
  const timeZone = (await currentTerm(db))?.timeZone ?? defaultTimeZone;
  return orRespond(async () => ({
    ...(await auditPage(db, user, auditFiltersOf(params), timeZone, params.get('after'))),
    timeZone,
  }));
}

export const meta = titled('admin.nav.audit');

export default function AuditLog() {
  const { t } = useTranslation();
  const { rows, next, timeZone } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const filters = new URLSearchParams(params);
  filters.delete('after');
  const nextParams = new URLSearchParams(filters);
  if (next) nextParams.set('after', next);
  return (
    <section>
      <h1>{t('admin.nav.audit')}</h1>
      <Form method="get" className="filters" role="search">
        {(['person', 'action', 'objectType', 'objectId'] as const).map((name) => (
          <label key={name}>
            {t(`admin.audit.${name}`)}
            <input name={name} defaultValue={params.get(name) ?? ''} maxLength={200} />
          </label>
        ))}
        <label>
          {t('admin.audit.from')}
          <input type="date" name="from" defaultValue={params.get('from') ?? ''} />
        </label>
        <label>
          {t('admin.audit.to')}
          <input type="date" name="to" defaultValue={params.get('to') ?? ''} />
        </label>
        <button type="submit">{t('admin.find')}</button>
      </Form>
      <p>
        <a href={`/admin/audit.csv?${filters}`} download data-testid="audit-csv">
          {t('admin.audit.csv')}
        </a>
      </p>
      <table className="stack-table" data-testid="audit">
        <thead>
          <tr>
            <th>{t('admin.audit.at', { zone: timeZone })}</th>
            <th>{t('admin.audit.person')}</th>
            <th>{t('admin.audit.action')}</th>
            <th>{t('admin.audit.object')}</th>
            <th>{t('admin.audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              <td data-label={t('admin.audit.at', { zone: timeZone })}>{formatTimestamp(row.at, timeZone)}</td>
              <td data-label={t('admin.audit.person')}>{row.actor ?? '—'}</td>
              <td data-label={t('admin.audit.action')}>
                <code>{row.action}</code>
              </td>
              <td data-label={t('admin.audit.object')} className="break">
                {row.objectType} {row.objectName ?? row.objectId}
              </td>
              <td data-label={t('admin.audit.details')} className="break small">
                {row.ip ? `${row.ip} · ` : ''}
                {row.data}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 ? <p>{t('admin.found', { count: 0 })}</p> : null}
      {next ? (
        <p>
          <Link to={`?${nextParams}`}>{t('admin.nextPage')}</Link>
        </p>
      ) : null}
    </section>
  );
}
