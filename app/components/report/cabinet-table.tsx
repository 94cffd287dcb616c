// The department report's table of cabinets: filters (instructor, study form, status, below a
// completeness), sorting by column, and each cabinet's counts by kind, measures and quality.
import { Link } from '@remix-run/react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { slotKinds } from '../../../server/common/report-measures.ts';
import type { DepartmentReport, ReportRow } from '../../../server/reports/department-report.ts';
import { levelClass, percent } from '../report-levels.ts';
import { QualityCells, QualityHeaders } from '../rollup-table.tsx';
import { ScrollTable } from '../scroll-table.tsx';

type SortKey = 'instructor' | 'subject' | 'completeness' | 'timeliness' | 'overdue';
const sorters: Record<SortKey, (a: ReportRow, b: ReportRow) => number> = {
  instructor: (a, b) => a.instructorName.localeCompare(b.instructorName),
  subject: (a, b) => a.subjectCode.localeCompare(b.subjectCode),
  completeness: (a, b) => (a.measures.completeness ?? -1) - (b.measures.completeness ?? -1),
  timeliness: (a, b) => (a.measures.timeliness ?? -1) - (b.measures.timeliness ?? -1),
  overdue: (a, b) => b.measures.total.overdue - a.measures.total.overdue,
};
type Status = 'all' | 'overdue' | 'complete';
type Filters = { instructor: string; form: string; status: Status; below: string };

function matches(row: ReportRow, filters: Filters): boolean {
  if (filters.instructor && row.instructorId !== filters.instructor) return false;
  if (filters.form && !row.studyForms.includes(filters.form as ReportRow['studyForms'][number])) return false;
  if (filters.status === 'overdue' && row.measures.total.overdue === 0) return false;
  if (filters.status === 'complete' && row.measures.completeness !== 1) return false;
  return !filters.below || (row.measures.completeness ?? 0) * 100 < Number(filters.below);
}

function FilterBar({
  report,
  filters,
  onChange,
}: {
  report: DepartmentReport;
  filters: Filters;
  onChange: (patch: Partial<Filters>) => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="filters inline-form no-print">
      <label>
        {t('report.instructor')}{' '}
        <select
          value={filters.instructor}
          onChange={(e) => onChange({ instructor: e.target.value })}
          data-testid="filter-instructor"
        >
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
        <select value={filters.form} onChange={(e) => onChange({ form: e.target.value })} data-testid="filter-form">
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
        <select
          value={filters.status}
          onChange={(e) => onChange({ status: e.target.value as Status })}
          data-testid="filter-status"
        >
          <option value="all">{t('report.all')}</option>
          <option value="overdue">{t('report.withOverdue')}</option>
          <option value="complete">{t('report.complete')}</option>
        </select>
      </label>{' '}
      <label>
        {t('report.below')}{' '}
        <input
          type="number"
          min={0}
          max={100}
          value={filters.below}
          onChange={(e) => onChange({ below: e.target.value })}
          data-testid="filter-below"
        />
      </label>
    </div>
  );
}

function CabinetRow({ row }: { row: ReportRow }) {
  const { t } = useTranslation();
  return (
    <tr data-testid="report-row" data-overdue={row.measures.total.overdue}>
      <td>{row.instructorName}</td>
      <td>
        <Link to={`/cabinets/${row.cabinetId}`} data-testid="drill-down">
          {row.subjectName}
        </Link>{' '}
        <span className="muted">{row.subjectCode}</span>
      </td>
      <td>
        {row.groups.join(', ')}{' '}
        <span className="muted">{row.studyForms.map((f) => t(`studyForm.${f}`)).join(', ')}</span>
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
  );
}

export function CabinetTable({ report }: { report: DepartmentReport }) {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<Filters>({ instructor: '', form: '', status: 'all', below: '' });
  const [sort, setSort] = useState<SortKey>('instructor');
  const rows = useMemo(
    () => report.rows.filter((row) => matches(row, filters)).sort(sorters[sort]),
    [report.rows, filters, sort],
  );
  const header = (key: SortKey, label: string) => (
    <th aria-sort={sort === key ? 'ascending' : 'none'}>
      <button type="button" className="link" onClick={() => setSort(key)}>
        {label}
      </button>
    </th>
  );
  return (
    <>
      <FilterBar
        report={report}
        filters={filters}
        onChange={(patch) => setFilters((current) => ({ ...current, ...patch }))}
      />
      <ScrollTable label={t('report.cabinets')}>
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
              <CabinetRow key={row.cabinetId} row={row} />
            ))}
          </tbody>
        </table>
      </ScrollTable>
    </>
  );
}

/** A summary per instructor: cabinets, completeness, timeliness, overdue. */
export function ByInstructorTable({ report }: { report: DepartmentReport }) {
  const { t } = useTranslation();
  return (
    <ScrollTable label={t('report.byInstructor')}>
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
    </ScrollTable>
  );
}
