// The admin's start page: what the university holds, and where to go next.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { universityCounts } from '../../server/admin/people-search.ts';
import { titled } from '../components/page-title.ts';
import { orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return orRespond(() => universityCounts(context.services.db, user));
}

export const meta = titled('admin.title');

const countLinks = {
  faculties: '/admin/structure/faculties',
  departments: '/admin/structure/departments',
  subjects: '/admin/structure/subjects',
  groups: '/admin/structure/groups',
  people: '/admin/people?state=active',
  cabinets: '/admin/teaching',
} as const;

export default function AdminHome() {
  const { t } = useTranslation();
  const counts = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>{t('admin.title')}</h1>
      <ul className="cards" data-testid="admin-counts">
        {(Object.keys(counts) as Array<keyof typeof counts>).map((key) => (
          <li key={key} className="card">
            <Link to={countLinks[key]}>{t(`admin.counts.${key}`)}</Link>
            <strong>{counts[key]}</strong>
          </li>
        ))}
      </ul>
      <p>
        <Link to="/admin/imports">{t('admin.nav.imports')}</Link> ·{' '}
        <Link to="/admin/people">{t('admin.nav.people')}</Link>
      </p>
    </section>
  );
}
