// A department's report for its head (and the dean, vice-rector, admin above): every cabinet with
// completeness, timeliness and what is overdue, as of any date in the term; filters and sorting;
// a summary per instructor; the department week by week; drill-down into any cabinet.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { policySchema, setDepartmentPolicy } from '../../server/reports/policy.ts';
import { sendReminder } from '../../server/reports/reminders.ts';
import { LocalTime } from '../components/local-time.tsx';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { departmentReport, type ReportRow, type WeekPoint } from '../../server/reports/department-report.ts';
import { slotKinds } from '../../server/common/report-measures.ts';
import { levelClass, percent } from '../components/report-levels.ts';
import { AsOfForm, QualityCells, QualityHeaders, RefreshingNote, TotalsLine } from '../components/rollup-table.tsx';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';

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
    await sendReminder(context.services.db, actor, departmentId, input.instructorId, { email: context.services.config.mail ? context.services.queue : null });
    return { remindedId: input.instructorId };
  }, [400, 409]);
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.department.name} · Kabinet` : 'Kabinet' }];


type SortKey = 'instructor' | 'subject' | 'completeness' | 'timeliness' | 'overdue';
const sorters: Record<SortKey, (a: ReportRow, b: ReportRow) => number> = {
  instructor: (a, b) => a.instructorName.localeCompare(b.instructorName),
  subject: (a, b) => a.subjectCode.localeCompare(b.subjectCode),
  completeness: (a, b) => (a.measures.completeness ?? -1) - (b.measures.completeness ?? -1),
  timeliness: (a, b) => (a.measures.timeliness ?? -1) - (b.measures.timeliness ?? -1),
  overdue: (a, b) => b.measures.total.overdue - a.measures.total.overdue,
};

/** Completeness and timeliness week by week, as two lines (0–100 %). */
function WeekChart({ weeks, termWeeks }: { weeks: WeekPoint[]; termWeeks: number }) {
  const { t } = useTranslation();
  const width = 480;
  const height = 160;
  const x = (week: number) => 30 + ((week - 1) / Math.max(1, termWeeks - 1)) * (width - 40);
  const y = (value: number | null) => 10 + (1 - (value ?? 0)) * (height - 30);
  const line = (pick: (p: WeekPoint) => number | null) => weeks.filter((p) => pick(p) !== null).map((p) => `${x(p.week)},${y(pick(p))}`).join(' ');
  return (
    <figure className="chart" data-testid="week-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('report.chartTitle')}>
        {[0, 0.5, 1].map((v) => (
          <g key={v}>
            <line x1={30} x2={width - 10} y1={y(v)} y2={y(v)} className="grid" />
            <text x={0} y={y(v) + 4} className="axis">
              {v * 100}%
            </text>
          </g>
        ))}
        <polyline points={line((p) => p.completeness)} className="series completeness" fill="none" />
        <polyline points={line((p) => p.timeliness)} className="series timeliness" fill="none" />
        {weeks.map((p) => (
          <text key={p.week} x={x(p.week) - 4} y={height - 4} className="axis">
            {p.week}
          </text>
        ))}
      </svg>
      <figcaption>
        <span className="legend completeness">{t('report.completeness')}</span> <span className="legend timeliness">{t('report.timeliness')}</span>
      </figcaption>
    </figure>
  );
}

/** What is overdue per instructor, with the head's reminder button. */
function Overdue({ report }: { report: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  if (report.overdue.length === 0) return null;
  return (
    <section className="overdue" data-testid="overdue">
      <h2>{t('report.overdueTitle')}</h2>
      {result?.error ? (
        <p className="form-error" role="alert">
          {t(result.error.messageKey, result.error.params)}
        </p>
      ) : null}
      {report.overdue.map((entry) => (
        <div key={entry.instructorId} className="overdue-instructor" data-testid="overdue-instructor">
          <h3>
            {entry.instructorName} <span className="muted">({entry.slots.length})</span>
          </h3>
          <ul>
            {entry.slots.map((slot) => (
              <li key={`${slot.cabinetId}-${slot.kind}-${slot.number}`}>
                <Link to={`/cabinets/${slot.cabinetId}`}>{slot.subjectCode}</Link> · {t(`slotKind.${slot.kind}`)} {slot.number} ·{' '}
                <LocalTime iso={slot.dueAt} termZone={report.term.timeZone} />
              </li>
            ))}
          </ul>
          {report.canRemind ? (
            <Form method="post" className="no-print">
              <input type="hidden" name="intent" value="remind" />
              <input type="hidden" name="instructorId" value={entry.instructorId} />
              <button type="submit" disabled={busy} data-testid="remind">
                {t('report.remind')}
              </button>
              {result?.result && 'remindedId' in result.result && result.result.remindedId === entry.instructorId ? (
                <span role="status" data-testid="reminded">
                  {' '}
                  {t('report.reminded')}
                </span>
              ) : null}
            </Form>
          ) : null}
        </div>
      ))}
    </section>
  );
}

/** The head changes the department's slot policy; every cabinet of the term is re-planned. */
function PolicyForm({ report }: { report: ReturnType<typeof useLoaderData<typeof loader>> }) {
  const { t } = useTranslation();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  const replanned = result?.result && 'replanned' in result.result ? result.result.replanned : null;
  return (
    <details className="policy no-print" open={Boolean(replanned)}>
      <summary>{t('policy.title')}</summary>
      <Form method="post" className="stacked" data-testid="policy-form">
        <input type="hidden" name="intent" value="policy" />
        <label>
          {t('policy.lectureHours')} <input type="number" name="lectureHoursPerVideo" min={1} max={10} defaultValue={report.policy.lectureHoursPerVideo} required />
        </label>
        <label>
          {t('policy.practicalHours')} <input type="number" name="practicalHoursPerMaterial" min={1} max={10} defaultValue={report.policy.practicalHoursPerMaterial} required />
        </label>
        <label>
          {t('policy.assessmentWeeks')} <input name="assessmentWeeks" defaultValue={report.policy.assessmentWeeks.join(', ')} />
        </label>
        <button type="submit" disabled={busy}>
          {t('policy.save')}
        </button>
        {replanned ? (
          <p role="status" data-testid="replanned">
            {t('policy.done', replanned)}
          </p>
        ) : null}
      </Form>
    </details>
  );
}

export default function DepartmentReportPage() {
  const { t } = useTranslation();
  const report = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const [instructor, setInstructor] = useState('');
  const [form, setForm] = useState('');
  const [status, setStatus] = useState<'all' | 'overdue' | 'complete'>('all');
  const [below, setBelow] = useState('');
  const [sort, setSort] = useState<SortKey>('instructor');
  const rows = useMemo(
    () =>
      report.rows
        .filter((row) => !instructor || row.instructorId === instructor)
        .filter((row) => !form || row.studyForms.includes(form as ReportRow['studyForms'][number]))
        .filter((row) => status === 'all' || (status === 'overdue' ? row.measures.total.overdue > 0 : row.measures.completeness === 1))
        .filter((row) => !below || (row.measures.completeness ?? 0) * 100 < Number(below))
        .sort(sorters[sort]),
    [report.rows, instructor, form, status, below, sort],
  );
  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort === key ? 'ascending' : 'none'}>
      <button type="button" className="link" onClick={() => setSort(key)}>
        {label}
      </button>
    </th>
  );
  return (
    <section className="report">
      <p>
        <Link to="/">← {t('nav.home')}</Link>
      </p>
      <h1>
        {report.department.name} <span className="muted">{report.department.facultyName}</span>
      </h1>
      <AsOfForm />
      {report.refreshing ? <RefreshingNote keptAsOf={report.refreshing.keptAsOf} timeZone={report.term.timeZone} /> : null}
      <p className="no-print">
        {t('report.export')}{' '}
        <a href={`/reports/departments/${report.department.id}.xlsx${params.get('asOf') ? `?asOf=${params.get('asOf')}` : ''}`} data-testid="export-xlsx">
          XLSX
        </a>{' '}
        <a href={`/reports/departments/${report.department.id}.csv${params.get('asOf') ? `?asOf=${params.get('asOf')}` : ''}`}>CSV</a>{' '}
        <button type="button" onClick={() => window.print()}>
          {t('report.print')}
        </button>
      </p>
      <TotalsLine summary={report.total} testId="department-total" />
      <WeekChart weeks={report.weeks} termWeeks={report.term.weeks} />
      <div className="filters inline-form no-print">
        <label>
          {t('report.instructor')}{' '}
          <select value={instructor} onChange={(e) => setInstructor(e.target.value)} data-testid="filter-instructor">
            <option value="">{t('report.all')}</option>
            {report.byInstructor.map((i) => (
              <option key={i.instructorId} value={i.instructorId}>
                {i.instructorName}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {t('report.studyForm')}{' '}
          <select value={form} onChange={(e) => setForm(e.target.value)} data-testid="filter-form">
            <option value="">{t('report.all')}</option>
            {(['full_time', 'correspondence', 'distance'] as const).map((f) => (
              <option key={f} value={f}>
                {t(`studyForm.${f}`)}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          {t('report.status')}{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)} data-testid="filter-status">
            <option value="all">{t('report.all')}</option>
            <option value="overdue">{t('report.withOverdue')}</option>
            <option value="complete">{t('report.complete')}</option>
          </select>
        </label>{' '}
        <label>
          {t('report.below')} <input type="number" min={0} max={100} value={below} onChange={(e) => setBelow(e.target.value)} data-testid="filter-below" />
        </label>
      </div>
      <table className="roster report-table" data-testid="report-table">
        <thead>
          <tr>
            {header('instructor', t('report.instructor'))}
            {header('subject', t('report.subject'))}
            <th>{t('report.groups')}</th>
            {slotKinds.map((kind) => (
              <th key={kind}>{t(`slotKind.${kind}`)}</th>
            ))}
            {header('completeness', t('report.completeness'))}
            {header('timeliness', t('report.timeliness'))}
            {header('overdue', t('report.overdue'))}
            <QualityHeaders />
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.cabinetId} data-testid="report-row" data-overdue={row.measures.total.overdue}>
              <td>{row.instructorName}</td>
              <td>
                <Link to={`/cabinets/${row.cabinetId}`} data-testid="drill-down">
                  {row.subjectName}
                </Link>{' '}
                <span className="muted">{row.subjectCode}</span>
              </td>
              <td>
                {row.groups.join(', ')} <span className="muted">{row.studyForms.map((f) => t(`studyForm.${f}`)).join(', ')}</span>
              </td>
              {slotKinds.map((kind) => (
                <td key={kind}>
                  {row.measures.byKind[kind].delivered}/{row.measures.byKind[kind].required}
                </td>
              ))}
              <td className={levelClass(row.measures.completeness)}>{percent(row.measures.completeness)}</td>
              <td className={levelClass(row.measures.timeliness)}>{percent(row.measures.timeliness)}</td>
              <td className={row.measures.total.overdue ? 'level poor' : ''}>{row.measures.total.overdue}</td>
              <QualityCells quality={row.quality} />
            </tr>
          ))}
        </tbody>
      </table>
      <Overdue report={report} />
      {report.canEditPolicy ? <PolicyForm report={report} /> : null}
      <h2>{t('report.byInstructor')}</h2>
      <table className="roster" data-testid="by-instructor">
        <thead>
          <tr>
            <th>{t('report.instructor')}</th>
            <th>{t('report.cabinets')}</th>
            <th>{t('report.completeness')}</th>
            <th>{t('report.timeliness')}</th>
            <th>{t('report.overdue')}</th>
          </tr>
        </thead>
        <tbody>
          {report.byInstructor.map((i) => (
            <tr key={i.instructorId}>
              <td>{i.instructorName}</td>
              <td>{i.cabinets}</td>
              <td className={levelClass(i.completeness)}>{percent(i.completeness)}</td>
              <td className={levelClass(i.timeliness)}>{percent(i.timeliness)}</td>
              <td>{i.total.overdue}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
