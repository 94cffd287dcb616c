// Every faculty and college ranked by completeness, for the vice-rector (and the admin); each opens
// the faculty's departments, and so on down to a cabinet.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { universityReport } from '../../server/reports/rollups.ts';
import { RollupPage } from '../components/rollup-table.tsx';
import { orRespond, requireUser } from '../guards.server.ts';
import { titled } from '../components/page-title.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const asOf = new URL(request.url).searchParams.get('asOf');
  return orRespond(() => universityReport(context.services.db, user, asOf || null));
}

export const meta = titled('report.pageTitle');

export default function UniversityReportPage() {
  const { t } = useTranslation();
  const rollup = useLoaderData<typeof loader>();
  return (
    <RollupPage
      title={t('report.university')}
      rollup={rollup}
      base="/reports/university"
      linkTo={(id) => `/reports/faculties/${id}`}
    />
  );
}
