// The department report as a spreadsheet: the page's columns, the completeness and timeliness
// cells coloured as on the page, and a totals row (for the council meeting).
import type { TFunction } from 'i18next';
import type { SlotKind } from '../../db/schema.ts';
import { writeSheet, type Column, type SheetFormat } from '../exports/spreadsheet.ts';
import type { DepartmentReport, ReportRow } from './department-report.ts';
import { levelOf, slotKinds } from '../common/report-measures.ts';

/** The page's colours for the one rule (`levelOf`). */
const fills = { good: 'FFC6EFCE', fair: 'FFFFEB9C', poor: 'FFFFC7CE', none: null } as const;
const colour = (value: number | null) => fills[levelOf(value)];

export function reportSheet(report: DepartmentReport, format: SheetFormat, t: TFunction): Promise<Buffer> {
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
      header: `${t(`slotKind.${kind}`)}`,
      width: 14,
      value: (row) => `${row.measures.byKind[kind].delivered}/${row.measures.byKind[kind].required}`,
    })),
    {
      header: t('report.completeness'),
      width: 12,
      numFmt: '0%',
      value: (row) => row.measures.completeness,
      fill: (row) => colour(row.measures.completeness),
    },
    {
      header: t('report.timeliness'),
      width: 12,
      numFmt: '0%',
      value: (row) => row.measures.timeliness,
      fill: (row) => colour(row.measures.timeliness),
    },
    { header: t('report.overdue'), width: 10, value: (row) => row.measures.total.overdue },
    { header: t('report.lectureMinutes'), width: 12, value: (row) => row.quality.lectureMinutes },
    { header: t('report.captions'), width: 12, numFmt: '0%', value: (row) => row.quality.captionShare },
    { header: t('report.reused'), width: 10, value: (row) => row.quality.reusedItems },
    { header: t('report.watched'), width: 12, numFmt: '0%', value: (row) => row.quality.watchedShare },
    { header: t('report.submissions'), width: 12, value: (row) => row.quality.submissions },
    { header: t('report.graded'), width: 12, numFmt: '0%', value: (row) => row.quality.gradedShare },
  ];
  const byKind = (kind: SlotKind) => {
    const delivered = report.rows.reduce((n, r) => n + r.measures.byKind[kind].delivered, 0);
    const required = report.rows.reduce((n, r) => n + r.measures.byKind[kind].required, 0);
    return `${delivered}/${required}`;
  };
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
  return writeSheet(report.department.name, columns, report.rows, format, totals);
}
