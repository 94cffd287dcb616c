// Import files for tests, written the way registrars' tools write them: XLSX with the library
// Kabinet reads it with, CSV in UTF-8 (with or without BOM) or Windows-1251, with `,` or `;`.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { KindRows } from '../../server/admin/import/export-university.ts';
import type { ImportKind } from '../../server/common/import-kinds.ts';
import { writeWorkbook } from '../../server/admin/import/write-workbook.ts';

export async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-import-'));
}

export async function workbookFile(dir: string, kinds: KindRows[], name = 'university.xlsx'): Promise<string> {
  const file = path.join(dir, name);
  await writeWorkbook(file, kinds);
  return file;
}

export const sheet = (kind: ImportKind, columns: string[], rows: KindRows['rows']): KindRows => ({
  kind,
  columns,
  rows,
});

const quoted = (value: string | number | null, delimiter: string) => {
  const text = value === null ? '' : String(value);
  return text.includes(delimiter) || /["\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export function csvText(columns: string[], rows: KindRows['rows'], delimiter: ',' | ';' = ','): string {
  return (
    [columns, ...rows].map((row) => row.map((value) => quoted(value, delimiter)).join(delimiter)).join('\r\n') + '\r\n'
  );
}

export async function csvFile(
  dir: string,
  name: string,
  columns: string[],
  rows: KindRows['rows'],
  options: { delimiter?: ',' | ';'; encoding?: 'utf-8' | 'utf-8-bom' | 'windows-1251' } = {},
): Promise<string> {
  const text = csvText(columns, rows, options.delimiter);
  const bytes =
    options.encoding === 'windows-1251'
      ? iconv.encode(text, 'win1251')
      : Buffer.from(options.encoding === 'utf-8-bom' ? `\uFEFF${text}` : text, 'utf8');
  const file = path.join(dir, name);
  await fs.writeFile(file, bytes);
  return file;
}
