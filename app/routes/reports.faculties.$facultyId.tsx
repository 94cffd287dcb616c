// A faculty's (or college's) departments ranked by completeness, for its dean and those above;
// each opens the department's report.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { facultyReport } from '../../server/reports/rollups.ts';
import { RollupPage } from '../components/rollup-table.tsx';
import { orRespond, requireUser } from '../guards.server.ts';
import { titled } from '../components/page-title.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const asOf = new URL(request.url).searchParams.get('asOf');
  return orRespond(() => facultyReport(context.services.db, user, params.facultyId ?? '', asOf || null));
}

export const meta = titled<typeof loader>('report.pageTitle', (data) => data.title);

export default function FacultyReportPage() {
  const rollup = useLoaderData<typeof loader>();
  return (
    <RollupPage
      title={rollup.title}
      rollup={rollup}
      base={`/reports/faculties/${rollup.id}`}
      linkTo={(id) => `/reports/departments/${id}`}
    />
  );
}
