// The admin's area: its navigation around each page. Every page below checks the admin itself
// (a parent route's check protects nothing below it).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { NavLink, Outlet } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { requirePermission } from '../../server/auth/permissions.ts';
import { orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  await orRespond(async () => requirePermission(user, 'admin.manage', {}));
  return null;
}

const sections = [
  ['/admin/structure/faculties', 'admin.nav.structure'],
  ['/admin/people', 'admin.nav.people'],
  ['/admin/teaching', 'admin.nav.teaching'],
  ['/admin/imports', 'admin.nav.imports'],
  ['/admin/audit', 'admin.nav.audit'],
] as const;

export default function AdminLayout() {
  const { t } = useTranslation();
  return (
    <div className="admin">
      <nav className="tabs no-print" aria-label={t('admin.title')}>
        {sections.map(([to, label]) => (
          <NavLink key={to} to={to} prefetch="intent">
            {t(label)}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
