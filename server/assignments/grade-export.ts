// The grades of one assignment as a spreadsheet (XLSX or CSV, same columns, in the reader's
// language), written by `writeSheet`.
import type { TFunction } from 'i18next';
import { writeSheet, type Column, type SheetFormat } from '../exports/spreadsheet.ts';
import type { AssignmentPage, RosterRow } from './assignment-page.ts';

export type GradeFormat = SheetFormat;

/** Day and time in the term's zone, as a spreadsheet reads it (`2026-12-01 23:59`). */
function inZone(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export async function gradeSheet(
  page: AssignmentPage & { roster: RosterRow[] },
  format: GradeFormat,
  t: TFunction,
): Promise<Buffer> {
  const { rules } = page;
  const columns: Column<RosterRow>[] = [
    { header: t('progress.student'), width: 32, value: (row) => row.name },
    { header: t('progress.group'), width: 14, value: (row) => row.group },
    { header: t('assignment.statusLabel'), width: 16, value: (row) => t(`assignment.status.${row.status}`) },
    {
      header: `${t('assignment.submittedAt')} (${rules.timeZone})`,
      width: 20,
      value: (row) => (row.submittedAt ? inZone(row.submittedAt, rules.timeZone) : ''),
    },
    { header: t('assignment.status.late'), width: 10, value: (row) => (row.late ? '✓' : '') },
    { header: t('assignment.scoreLabel'), width: 10, value: (row) => row.score },
    { header: t('assignment.maxScore'), width: 10, value: () => rules.maxScore },
    { header: t('assignment.feedback'), width: 48, value: (row) => row.feedback },
  ];
  return writeSheet(rules.title || 'Grades', columns, page.roster, format);
}
