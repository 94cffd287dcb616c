// The reports as spreadsheets: the department's cabinets, or a faculty's departments and the
// university's faculties, with the page's columns, the completeness and timeliness cells coloured as
// on the page, percentages as numbers (formatted `0%` in XLSX), counts "1 of 16" as text (Excel
// would read `1/16` as a date), and a totals row for the council meeting.
import type { TFunction } from 'i18next';
import type { SlotKind } from '../../db/schema.ts';
import { writeSheet, type Column, type CsvSeparator, type SheetFormat } from '../exports/spreadsheet.ts';
import type { DepartmentReport, ReportRow } from './department-report.ts';
import type { Rollup, RollupRow } from './rollups.ts';
import type { QualitySignals } from './quality.ts';
import { levelOf, slotKinds } from '../common/report-measures.ts';

/** The page's colours for the one rule (`levelOf`). */
const fills = { good: 'FFC6EFCE', fair: 'FFFFEB9C', poor: 'FFFFC7CE', none: null } as const;
const colour = (value: number | null) => fills[levelOf(value)];

type Measured = { completeness: number | null; timeliness: number | null; overdue: number; quality: QualitySignals };

/** Completeness, timeliness, overdue and the quality signals: the columns every report ends with. */
function measureColumns<R>(t: TFunction, measured: (row: R) => Measured): Column<R>[] {
  return [
    {
      header: t('report.completeness'),
      width: 12,
      numFmt: '0%',
      value: (row) => measured(row).completeness,
      fill: (row) => colour(measured(row).completeness),
    },
    {
      header: t('report.timeliness'),
      width: 12,
      numFmt: '0%',
      value: (row) => measured(row).timeliness,
      fill: (row) => colour(measured(row).timeliness),
    },
    { header: t('report.overdue'), width: 10, value: (row) => measured(row).overdue },
    { header: t('report.lectureMinutes'), width: 12, value: (row) => measured(row).quality.lectureMinutes },
    { header: t('report.captions'), width: 12, numFmt: '0%', value: (row) => measured(row).quality.captionShare },
    { header: t('report.reused'), width: 10, value: (row) => measured(row).quality.reusedItems },
    { header: t('report.watched'), width: 12, numFmt: '0%', value: (row) => measured(row).quality.watchedShare },
    { header: t('report.submissions'), width: 12, value: (row) => measured(row).quality.submissions },
    { header: t('report.graded'), width: 12, numFmt: '0%', value: (row) => measured(row).quality.gradedShare },
  ];
}

export function reportSheet(
  report: DepartmentReport,
  format: SheetFormat,
  t: TFunction,
  separator?: CsvSeparator,
): Promise<Buffer> {
  const of = (delivered: number, required: number) => t('report.of', { delivered, required });
  const columns: Column<ReportRow>[] = [
    { header: t('report.instructor'), width: 28, value: (row) => row.instructorName },
    { header: t('report.subject'), width: 30, value: (row) => `${row.subjectCode} ${row.subjectName}` },
    { header: t('report.groups'), width: 20, value: (row) => row.groups.join(', ') },
    {
      header: t('report.studyForm'),
      width: 18,
      value: (row) => row.studyForms.map((f) => t(`studyForm.${f}`)).join(', '),
    },
    ...slotKinds.map((kind): Column<ReportRow> => ({
      header: t(`slotKind.${kind}`),
      width: 14,
      value: (row) => of(row.measures.byKind[kind].delivered, row.measures.byKind[kind].required),
    })),
    ...measureColumns<ReportRow>(t, (row) => ({
      ...row.measures,
      overdue: row.measures.total.overdue,
      quality: row.quality,
    })),
  ];
  const byKind = (kind: SlotKind) =>
    of(
      report.rows.reduce((n, r) => n + r.measures.byKind[kind].delivered, 0),
      report.rows.reduce((n, r) => n + r.measures.byKind[kind].required, 0),
    );
  const totals = [
    t('report.total'),
    report.department.name,
    '',
    '',
    ...slotKinds.map(byKind),
    report.total.completeness,
    report.total.timeliness,
    report.total.total.overdue,
  ];
  return writeSheet(report.department.name, columns, report.rows, format, totals, separator);
}

/** A faculty's departments, or the university's faculties, ranked as on the page. */
export function rollupSheet(
  rollup: Rollup,
  title: string,
  format: SheetFormat,
  t: TFunction,
  separator?: CsvSeparator,
): Promise<Buffer> {
  const columns: Column<RollupRow>[] = [
    { header: t('report.unit'), width: 40, value: (row) => row.name },
    { header: t('report.cabinets'), width: 10, value: (row) => row.cabinets },
    ...measureColumns<RollupRow>(t, (row) => ({ ...row, overdue: row.total.overdue })),
  ];
  const { total } = rollup;
  const totals = [
    `${t('report.total')}: ${title}`,
    total.cabinets,
    total.completeness,
    total.timeliness,
    total.total.overdue,
  ];
  return writeSheet(title, columns, rollup.rows, format, totals, separator);
}
