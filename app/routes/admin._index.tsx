// The admin's start page: what the university holds, and where to go next.
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { universityCounts } from '../../server/admin/people.ts';
import { orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return orRespond(() => universityCounts(context.services.db, user));
}

export const meta: MetaFunction = () => [{ title: 'Kabinet · admin' }];

export default function AdminHome() {
  const { t } = useTranslation();
  const counts = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>{t('admin.title')}</h1>
      <ul className="cards" data-testid="admin-counts">
        {(Object.keys(counts) as Array<keyof typeof counts>).map((key) => (
          <li key={key} className="card">
            <span>{t(`admin.counts.${key}`)}</span>
            <strong>{counts[key]}</strong>
          </li>
        ))}
      </ul>
      <p>
        <Link to="/admin/imports">{t('admin.nav.imports')}</Link> · <Link to="/admin/people">{t('admin.nav.people')}</Link>
      </p>
    </section>
  );
}
