// The grades of one assignment as a spreadsheet (XLSX, with a header row, widths and a frozen
// header) or CSV, same columns, in the reader's language. ExcelJS writes both.
import ExcelJS from 'exceljs';
import type { TFunction } from 'i18next';
import type { AssignmentPage, RosterRow } from './assignments.ts';

export type GradeFormat = 'csv' | 'xlsx';

/** Day and time in the term's zone, as a spreadsheet reads it (`2026-12-01 23:59`). */
function inZone(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

export async function gradeSheet(page: AssignmentPage & { roster: RosterRow[] }, format: GradeFormat, t: TFunction): Promise<Buffer> {
  const { rules } = page;
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(rules.title.slice(0, 31).replace(/[\\/*?:[\]]/g, ' ') || 'Grades', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [
    { header: t('progress.student'), key: 'name', width: 32 },
    { header: t('progress.group'), key: 'group', width: 14 },
    { header: t('assignment.statusLabel'), key: 'status', width: 16 },
    { header: `${t('assignment.submittedAt')} (${rules.timeZone})`, key: 'submittedAt', width: 20 },
    { header: t('assignment.status.late'), key: 'late', width: 10 },
    { header: t('assignment.scoreLabel'), key: 'score', width: 10 },
    { header: t('assignment.maxScore'), key: 'max', width: 10 },
    { header: t('assignment.feedback'), key: 'feedback', width: 48 },
  ];
  sheet.getRow(1).font = { bold: true };
  for (const row of page.roster) {
    sheet.addRow({
      name: row.name,
      group: row.group,
      status: t(`assignment.status.${row.status}`),
      submittedAt: row.submittedAt ? inZone(row.submittedAt, rules.timeZone) : '',
      late: row.late ? '✓' : '',
      score: row.score,
      max: rules.maxScore,
      feedback: row.feedback,
    });
  }
  const written = format === 'xlsx' ? await workbook.xlsx.writeBuffer() : await workbook.csv.writeBuffer();
  // A byte-order mark so that spreadsheet programs read the CSV's Cyrillic as UTF-8.
  return format === 'csv' ? Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(written)]) : Buffer.from(written);
}
