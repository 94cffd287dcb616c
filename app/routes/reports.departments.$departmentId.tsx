// A department's report for its head (and the dean, vice-rector, admin above): every cabinet with
// completeness, timeliness and what is overdue, as of any date in the term; filters and sorting;
// a summary per instructor; the department week by week; drill-down into any cabinet.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { departmentReport } from '../../server/reports/department-report.ts';
import { policySchema, setDepartmentPolicy } from '../../server/reports/policy.ts';
import { sendReminder } from '../../server/reports/reminders.ts';
import { ByInstructorTable, CabinetTable } from '../components/report/cabinet-table.tsx';
import { OverdueList } from '../components/report/overdue-list.tsx';
import { PolicyForm } from '../components/report/policy-form.tsx';
import { WeekChart } from '../components/report/week-chart.tsx';
import { AsOfForm, ExportLinks, RefreshingNote, TotalsLine } from '../components/rollup-table.tsx';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';
import { titled } from '../components/page-title.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const asOf = new URL(request.url).searchParams.get('asOf');
  return orRespond(() => departmentReport(context.services.db, user, params.departmentId ?? '', asOf || null));
}

const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('remind'), instructorId: z.string() }),
  z.object({ intent: z.literal('policy') }).merge(policySchema),
]);

/** The head's one-click reminder to an instructor about what is overdue now, and the department's slot policy. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  const departmentId = params.departmentId ?? '';
  return formResult(async () => {
    const input = await readForm(request, intentSchema);
    if (input.intent === 'policy') {
      const { intent: _intent, ...policy } = input;
      return { replanned: await setDepartmentPolicy(context.services.db, actor, departmentId, policy) };
    }
    await sendReminder(context.services.db, actor, departmentId, input.instructorId, {
      email: context.services.config.mail ? context.services.queue : null,
    });
    return { remindedId: input.instructorId };
  }, [400, 409]);
}

export const meta = titled<typeof loader>('report.pageTitle', (data) => data.department.name);

export default function DepartmentReportPage() {
  const { t } = useTranslation();
  const report = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const remindedId = (answer?.result && 'remindedId' in answer.result ? answer.result.remindedId : null) ?? null;
  const replanned = (answer?.result && 'replanned' in answer.result ? answer.result.replanned : null) ?? null;
  return (
    <section className="report">
      <p className="no-print">
        {report.up ? (
          <Link to={report.up.to} data-testid="report-up">
            ← {report.up.name}
          </Link>
        ) : (
          <Link to="/">← {t('nav.home')}</Link>
        )}
      </p>
      <h1>
        {report.department.name} <span className="muted">{report.department.facultyName}</span>
      </h1>
      <AsOfForm />
      {report.refreshing ? (
        <RefreshingNote keptAsOf={report.refreshing.keptAsOf} timeZone={report.term.timeZone} />
      ) : null}
      <ExportLinks base={`/reports/departments/${report.department.id}`} />
      <TotalsLine unit={report.department.name} summary={report.total} testId="department-total" />
      <WeekChart weeks={report.weeks} termWeeks={report.term.weeks} />
      <CabinetTable report={report} />
      <OverdueList report={report} error={answer?.error ?? null} remindedId={remindedId} />
      {report.canEditPolicy ? <PolicyForm policy={report.policy} replanned={replanned} /> : null}
      <h2>{t('report.byInstructor')}</h2>
      <ByInstructorTable report={report} />
    </section>
  );
}
