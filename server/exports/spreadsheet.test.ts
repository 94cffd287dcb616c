// Spreadsheets as the exports write them: a CSV that a spreadsheet program opens without running
// anything, an XLSX whose text cells stay text.
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { writeSheet, type Column } from './spreadsheet.ts';

type Row = { name: string; score: number };
const columns: Column<Row>[] = [
  { header: 'Name', width: 20, value: (row) => row.name },
  { header: 'Score', width: 8, value: (row) => row.score },
];
const rows: Row[] = [
  { name: '=HYPERLINK("http://attacker.example","open me")', score: -5 },
  { name: '+1+2', score: 1 },
  { name: '-2+3', score: 2 },
  { name: '@SUM(A1:A9)', score: 3 },
  { name: 'Асанова Айгерим', score: 4 },
];

describe('a sheet written as CSV', () => {
  it('makes a leading = + - @ inert with an apostrophe, leaves numbers and other text as they are', async () => {
    const csv = (await writeSheet('Test', columns, rows, 'csv', ['=total', 10])).toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trim().split(/\r?\n/);
    expect(lines.slice(1).map((line) => line.split(',').at(-1))).toEqual(['-5', '1', '2', '3', '4', '10']);
    expect(lines[1]).toContain(`'=HYPERLINK`);
    expect(lines[2]!.startsWith(`'+1+2`)).toBe(true);
    expect(lines[3]!.startsWith(`'-2+3`)).toBe(true);
    expect(lines[4]!.startsWith(`'@SUM`)).toBe(true);
    expect(lines[5]!.startsWith('Асанова Айгерим')).toBe(true);
    expect(lines[6]!.startsWith(`'=total`)).toBe(true);
  });

  it('keeps XLSX text as text, unchanged', async () => {
    const workbook = new ExcelJS.Workbook();
    const written = await writeSheet('Test', columns, rows, 'xlsx');
    await workbook.xlsx.load(new Uint8Array(written).buffer);
    const cell = workbook.worksheets[0]!.getCell('A2');
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe(rows[0]!.name);
  });
});
