// Writes kinds of rows as an XLSX workbook (a sheet per kind, the canonical columns as the header),
// streamed: the university's export, the template, and the tests' and benchmark's files.
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { KindRows } from './export-university.ts';

export type ReadmeSheet = { name: string; lines: string[] };

/** `to`: a file path, or a stream (a download). A "read me" sheet, if given, comes first. */
export async function writeWorkbook(to: string | Writable, kinds: KindRows[], readme?: ReadmeSheet): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter(
    typeof to === 'string' ? { filename: to, useSharedStrings: true } : { stream: to, useSharedStrings: true },
  );
  if (readme) {
    const sheet = workbook.addWorksheet(readme.name);
    sheet.getColumn(1).width = 120;
    for (const line of readme.lines) sheet.addRow([line]).commit();
    await sheet.commit();
  }
  for (const { kind, columns, rows } of kinds) {
    const sheet = workbook.addWorksheet(kind);
    const header = sheet.addRow(columns);
    header.font = { bold: true };
    header.commit();
    for (const row of rows) sheet.addRow(row).commit();
    await sheet.commit();
  }
  await workbook.commit();
}
