// The files registrars send, read for real: CSV in Windows-1251 and UTF-8 with `;` or `,`, a zip or
// a folder of CSV files, workbooks with formulas and date cells, and the hostile ones (a file over
// the limit, a zip bomb, a zip that lies about its sizes, a million empty rows).
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import yazl from 'yazl';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvFile, sheet, tempDir, workbookFile } from '../../../tests/helpers/import-files.ts';
import { testDatabaseForFile } from '../../../tests/helpers/test-db.ts';
import { detectDelimiter, detectEncoding } from './read-csv.ts';
import { defaultImportLimits } from './import-sources.ts';
import { runImport, type RunImportInput } from './run-import.ts';

const file = testDatabaseForFile();
let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});

const preview = (filePath: string, more: Partial<RunImportInput> = {}) =>
  runImport(file.db, {
    filePath,
    fileName: path.basename(filePath),
    options: { termCode: null, sync: false },
    apply: false,
    applyValidOnly: false,
    actor: { id: null, ip: null },
    ...more,
  });
const keys = (report: Awaited<ReturnType<typeof preview>>) => report.problems.map((p) => p.key);

/** Writes a zip of the given entries (a stream each, or text). */
async function zipFile(name: string, entries: Record<string, string | (() => Readable)>): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [entry, content] of Object.entries(entries)) {
    if (typeof content === 'string') zip.addBuffer(Buffer.from(content), entry);
    else zip.addReadStream(content(), entry);
  }
  zip.end();
  const target = path.join(dir, name);
  await pipeline(zip.outputStream, createWriteStream(target));
  return target;
}

/** The parts of a minimal workbook around one sheet's XML (inline strings, no shared strings). */
const workbookParts = (sheetName: string) => ({
  '[Content_Types].xml':
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
  'xl/workbook.xml': `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${sheetName}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  'xl/_rels/workbook.xml.rels':
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
});
const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;

describe('CSV as registrars export it', () => {
  it('detects Windows-1251 and UTF-8 (with or without BOM), and `;` or `,`', () => {
    expect(detectEncoding(Buffer.from([0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2]))).toBe('windows-1251');
    expect(detectEncoding(Buffer.from('Привет', 'utf8'))).toBe('utf-8');
    // A sample cut in the middle of a two-byte letter is still UTF-8.
    expect(detectEncoding(Buffer.from('Привет', 'utf8').subarray(0, 5))).toBe('utf-8');
    expect(detectDelimiter('Код;Название;Тип')).toBe(';');
    expect(detectDelimiter('code,name_ky,kind')).toBe(',');
  });

  it('reads a Windows-1251 file with `;` and Russian headers the same as a UTF-8 one with a BOM', async () => {
    const rows = [['T-1251', 't1251@demo.kabinet.kg', 'Иванов Иван Иванович', 'русский']];
    const legacy = await csvFile(dir, 'люди.csv', ['Внешний код', 'Эл. почта', 'ФИО', 'Язык'], rows, {
      delimiter: ';',
      encoding: 'windows-1251',
    });
    await fs.mkdir(path.join(dir, 'bom'));
    const modern = await csvFile(
      path.join(dir, 'bom'),
      'people.csv',
      ['external_id', 'email', 'full_name', 'language'],
      rows,
      { encoding: 'utf-8-bom' },
    );
    for (const source of [legacy, modern]) {
      const report = await preview(source);
      expect(report.problems).toEqual([]);
      expect(report.kinds.people).toMatchObject({ rows: 1, created: 1 });
    }
    const applied = await preview(legacy, { apply: true });
    expect(applied.outcome).toBe('applied');
    const person = await file.db
      .selectFrom('app_user')
      .select(['full_name', 'locale'])
      .where('external_id', '=', 'T-1251')
      .executeTakeFirstOrThrow();
    expect(person).toEqual({ full_name: 'Иванов Иван Иванович', locale: 'ru' });
  });

  it('reads a folder and a zip of CSV files, one per kind', async () => {
    const folder = path.join(dir, 'folder');
    await fs.mkdir(folder);
    await csvFile(folder, 'faculties.csv', ['code', 'name_ky', 'kind'], [['CSV-F', 'CSV факультети', 'faculty']]);
    await csvFile(
      folder,
      'departments.csv',
      ['code', 'faculty_code', 'name_ky'],
      [['CSV-D', 'CSV-F', 'CSV кафедрасы']],
    );
    const fromFolder = await preview(folder);
    expect(fromFolder.problems).toEqual([]);
    expect([fromFolder.kinds.faculties?.created, fromFolder.kinds.departments?.created]).toEqual([1, 1]);
    const zipped = await zipFile('csv.zip', {
      'export/faculties.csv': await fs.readFile(path.join(folder, 'faculties.csv'), 'utf8'),
      'export/departments.csv': await fs.readFile(path.join(folder, 'departments.csv'), 'utf8'),
    });
    const fromZip = await preview(zipped);
    expect(fromZip.kinds).toEqual(fromFolder.kinds);
  });

  it('refuses unknown columns and unknown files by name, so that nothing is silently ignored', async () => {
    const unknownColumn = await csvFile(
      dir,
      'groups.csv',
      ['code', 'faculty_code', 'study_form', 'curator'],
      [['G-X', 'FMIT', 'full_time', 'Someone']],
    );
    const report = await preview(unknownColumn);
    expect(report.problems.map((p) => [p.row, p.key, p.params])).toEqual([
      [1, 'unknown_column', { column: 'curator' }],
    ]);
    expect((await preview(unknownColumn, { apply: true, applyValidOnly: true })).outcome).toBe('refused');
    const unknownFile = await csvFile(dir, 'students.csv', ['code'], [['x']]);
    expect(keys(await preview(unknownFile))).toEqual(['unknown_sheet']);
  });
});

describe('workbooks', () => {
  it('reads a formula as the value the file stores, never evaluating it, and a date cell as a date', async () => {
    const workbook = new ExcelJS.Workbook();
    const subjects = workbook.addWorksheet('subjects');
    subjects.addRow(['code', 'department_code', 'name_ky', 'lecture_hours', 'practical_hours', 'credits']);
    subjects.addRow(['F-1', 'AMI', 'Формула', { formula: '16*2', result: 32 }, { formula: 'NOW()', result: 16 }, 4]);
    subjects.addRow(['F-2', 'AMI', 'Эсептелбеген', { formula: '16*2' }, 16, 4]);
    const terms = workbook.addWorksheet('terms');
    terms.addRow(['code', 'academic_year', 'semester', 'starts_on', 'weeks']);
    terms.addRow(['DATE-1', '2031-2032', 1, new Date(Date.UTC(2031, 8, 8)), 15]);
    const target = path.join(dir, 'formulas.xlsx');
    await workbook.xlsx.writeFile(target);
    const report = await preview(target, { apply: true, applyValidOnly: true });
    expect(report.problems.map((p) => [p.source, p.row, p.column, p.key])).toEqual([
      ['subjects', 3, 'lecture_hours', 'required'],
    ]);
    const subject = await file.db
      .selectFrom('subject')
      .select(['lecture_hours', 'practical_hours'])
      .where('code', '=', 'F-1')
      .executeTakeFirstOrThrow();
    expect(subject).toEqual({ lecture_hours: 32, practical_hours: 16 });
    expect(
      (await file.db.selectFrom('term').select('starts_on').where('code', '=', 'DATE-1').executeTakeFirstOrThrow())
        .starts_on,
    ).toBe('2031-09-08');
  });

  it('reads past a million empty rows to the one that holds data', async () => {
    const sheetXml = () =>
      Readable.from(
        (function* () {
          yield `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`;
          yield `<row r="1">${inline('A1', 'code')}${inline('B1', 'name_ky')}</row>`;
          for (let start = 2; start < 1_000_002; start += 10_000) {
            let chunk = '';
            for (let r = start; r < start + 10_000; r++) chunk += `<row r="${r}"><c r="A${r}" s="0"/></row>`;
            yield chunk;
          }
          yield `<row r="1000002">${inline('A1000002', 'EMPTY-ROWS')}${inline('B1000002', 'Бош саптардан кийин')}</row></sheetData></worksheet>`;
        })(),
      );
    const target = await zipFile('empty-rows.xlsx', {
      ...workbookParts('faculties'),
      'xl/worksheets/sheet1.xml': sheetXml,
    });
    const report = await preview(target);
    expect(report.problems).toEqual([]);
    expect(report.kinds.faculties).toMatchObject({ rows: 1, created: 1 });
  });
});

describe('hostile files', () => {
  it('refuses a file over the size limit before reading it, naming the limit', async () => {
    const target = await workbookFile(dir, [sheet('faculties', ['code', 'name_ky'], [['BIG', 'Чоң']])], 'big.xlsx');
    await fs.truncate(target, 100 * 2 ** 20);
    const started = performance.now();
    const report = await preview(target);
    expect(report.problems.map((p) => [p.key, p.params])).toEqual([
      ['file_too_large', { maxMib: defaultImportLimits.maxFileBytes / 2 ** 20 }],
    ]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses a zip bomb disguised as a workbook without unpacking it', async () => {
    const zeros = () =>
      Readable.from(
        (function* () {
          for (let i = 0; i < 600; i++) yield Buffer.alloc(2 ** 20, 0x20);
        })(),
      );
    const target = await zipFile('bomb.xlsx', { ...workbookParts('faculties'), 'xl/worksheets/sheet1.xml': zeros });
    expect((await fs.stat(target)).size).toBeLessThan(5 * 2 ** 20);
    const report = await preview(target);
    expect(report.problems.map((p) => [p.key, p.params])).toEqual([
      ['zip_too_large_unpacked', { maxMib: defaultImportLimits.maxPartBytes / 2 ** 20 }],
    ]);
  });

  it("refuses cells outside Excel's bounds and text longer than any cell, without holding it", async () => {
    const header = `<row r="1">${inline('A1', 'code')}${inline('B1', 'name_ky')}</row>`;
    const sheets = {
      'far-column.xlsx': `<worksheet><sheetData>${header}<row r="2">${inline('ZZZZZZZZ2', 'x')}</row></sheetData></worksheet>`,
      'far-row.xlsx': `<worksheet><sheetData>${header}<row r="99999999999">${inline('A99999999999', 'x')}</row></sheetData></worksheet>`,
      'long-text.xlsx': `<worksheet><sheetData>${header}<row r="2">${inline('A2', 'a'.repeat(4 * 2 ** 20))}</row></sheetData></worksheet>`,
    };
    for (const [name, xml] of Object.entries(sheets)) {
      const target = await zipFile(name, { ...workbookParts('faculties'), 'xl/worksheets/sheet1.xml': xml });
      const before = process.memoryUsage().rss;
      expect(keys(await preview(target))).toEqual(['unreadable_workbook']);
      expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
    }
  });

  it('stops reading a zip entry that unpacks to more than it declares', async () => {
    const sheetXml = `<worksheet><sheetData><row r="1">${inline('A1', 'code')}${inline('B1', 'name_ky')}</row>${' '.repeat(2 ** 20)}</sheetData></worksheet>`;
    const honest = await zipFile('liar.xlsx', { ...workbookParts('faculties'), 'xl/worksheets/sheet1.xml': sheetXml });
    // Rewrite the central directory's "uncompressed size" of the sheet to 100 bytes.
    const bytes = await fs.readFile(honest);
    const name = Buffer.from('xl/worksheets/sheet1.xml');
    for (
      let at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      at >= 0;
      at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)
    ) {
      if (bytes.subarray(at + 46, at + 46 + name.length).equals(name)) bytes.writeUInt32LE(100, at + 24);
    }
    await fs.writeFile(honest, bytes);
    expect(keys(await preview(honest))).toEqual(['unreadable_workbook']);
  });
});
