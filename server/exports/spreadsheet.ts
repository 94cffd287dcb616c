// One table as a spreadsheet: XLSX (bold frozen header, widths, number formats, an optional bold
// totals row, cell colours) or CSV with the same columns, as Excel opens it: a byte-order mark so
// Cyrillic reads as UTF-8; `;` between fields and a decimal comma where Excel's locale expects them
// (Russian, Kyrgyz), `,` and a point otherwise; a percentage written `94%`; and no cell a
// spreadsheet would run as a formula. ExcelJS writes both.
import ExcelJS from 'exceljs';
import type { Locale } from '../../db/schema.ts';
import { formatPercent } from '../common/format.ts';

export type SheetFormat = 'csv' | 'xlsx';
export type Cell = string | number | null;
export type Column<R> = {
  header: string;
  width: number;
  value: (row: R) => Cell;
  /** An Excel number format (`0%`), for XLSX. */
  numFmt?: string;
  /** A fill colour (ARGB) for the cell, for XLSX. */
  fill?: (row: R) => string | null;
};

/**
 * A text cell made inert for a spreadsheet program that opens a CSV: one beginning with = + - @
 * (or a tab or carriage return) would be run as a formula (`=HYPERLINK(…)`), so it gets a leading
 * apostrophe. XLSX needs none: its text cells are text.
 */
export const inertText = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** How a CSV separates fields: `;` (and a decimal comma) for Russian and Kyrgyz Excel, `,` for English. */
export type CsvSeparator = 'comma' | 'semicolon';

/** The separator asked for (`?sep=`), else the one the reader's language's Excel expects. */
export function csvSeparatorFor(locale: Locale, asked: string | null): CsvSeparator {
  if (asked === 'comma' || asked === 'semicolon') return asked;
  return locale === 'en' ? 'comma' : 'semicolon';
}

export const SHEET_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
} as const;

export async function writeSheet<R>(
  name: string,
  columns: Column<R>[],
  rows: R[],
  format: SheetFormat,
  totals?: Cell[],
  separator: CsvSeparator = 'comma',
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(name.slice(0, 31).replace(/[\\/*?:[\]]/g, ' ') || 'Sheet', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = columns.map((column, i) => ({
    header: column.header,
    key: String(i),
    width: column.width,
    ...(column.numFmt ? { style: { numFmt: column.numFmt } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  const cellOf = (value: Cell, numFmt?: string) => (format === 'csv' ? csvCell(value, numFmt, separator) : value);
  for (const row of rows) {
    const added = sheet.addRow(columns.map((column) => cellOf(column.value(row), column.numFmt)));
    columns.forEach((column, i) => {
      const colour = column.fill?.(row);
      if (colour) added.getCell(i + 1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: colour } };
    });
  }
  if (totals) sheet.addRow(totals.map((value, i) => cellOf(value, columns[i]?.numFmt))).font = { bold: true };
  const written =
    format === 'xlsx'
      ? await workbook.xlsx.writeBuffer()
      : await workbook.csv.writeBuffer({ formatterOptions: { delimiter: separator === 'semicolon' ? ';' : ',' } });
  return format === 'csv' ? Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(written)]) : Buffer.from(written);
}

/** A cell as CSV text: inert text, a share as `94%`, a fraction with the separator's decimal mark. */
function csvCell(value: Cell, numFmt: string | undefined, separator: CsvSeparator): Cell {
  if (typeof value === 'string') return inertText(value);
  if (typeof value !== 'number') return value;
  if (numFmt === '0%') return formatPercent(value);
  return Number.isInteger(value) || separator === 'comma' ? value : String(value).replace('.', ',');
}
