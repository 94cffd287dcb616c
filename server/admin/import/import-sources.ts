// Where an import's rows come from: one XLSX workbook (a sheet per kind), one CSV file (its name
// says the kind), a zip of CSV files, or a folder of them. Each source is checked against the
// limits before it is read, and read as a stream of rows.
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { importKinds, type ImportKind } from '../../common/import-kinds.ts';
import { kindOfName, normalizeHeader, readmeSheetNames } from '../../common/import-rows.ts';
import { ImportProblem } from './import-problem.ts';
import { csvRows, openFile } from './read-csv.ts';
import { isWorkbook, workbookSheets, type SourceRow } from './read-workbook.ts';
import { looksLikeZip, openSafeZip } from './safe-zip.ts';

export type ImportLimits = {
  /** The file as uploaded (a workbook or a zip). */
  maxFileBytes: number;
  /** Everything a zip or workbook unpacks to. */
  maxUnpackedBytes: number;
  /** One part of a workbook (a sheet, the shared strings) or one CSV file of a zip, unpacked. */
  maxPartBytes: number;
  /** Non-empty rows of one sheet or file. */
  maxRowsPerSheet: number;
};

export const defaultImportLimits: ImportLimits = {
  maxFileBytes: 64 * 2 ** 20,
  maxUnpackedBytes: 512 * 2 ** 20,
  maxPartBytes: 128 * 2 ** 20,
  maxRowsPerSheet: 200_000,
};

export type KindSheet = { kind: ImportKind; source: string; rows: AsyncIterable<SourceRow> };

const mib = (bytes: number) => Math.floor(bytes / 2 ** 20);
const csvLimits = { maxFieldChars: 64 * 1024 };

/** The kind of a sheet or file by its name; the template's "read me" sheet gives null, anything else unknown is refused. */
function kindOf(name: string): ImportKind | 'skip' {
  if (readmeSheetNames.includes(normalizeHeader(name))) return 'skip';
  const kind = kindOfName(name);
  if (!kind) throw new ImportProblem('unknown_sheet', { name, kinds: importKinds.join(', ') });
  return kind;
}

/**
 * The sheets of an import, each with its kind, in the file's order. `fileName` is the name the file
 * was given (an uploaded CSV's name says its kind; the stored copy's does not).
 */
export async function* importSheets(
  filePath: string,
  fileName: string,
  limits: ImportLimits = defaultImportLimits,
): AsyncGenerator<KindSheet> {
  const info = await stat(filePath);
  if (info.isDirectory()) {
    const names = (await readdir(filePath)).filter((name) => name.toLowerCase().endsWith('.csv')).sort();
    if (names.length === 0) throw new ImportProblem('no_sheets');
    for (const name of names) {
      const kind = kindOf(name);
      if (kind !== 'skip') yield { kind, source: name, rows: csvRows(openFile(path.join(filePath, name)), csvLimits) };
    }
    return;
  }
  if (info.size > limits.maxFileBytes) throw new ImportProblem('file_too_large', { maxMib: mib(limits.maxFileBytes) });
  const handle = await open(filePath);
  const head = Buffer.alloc(4);
  await handle.read(head, 0, 4, 0);
  await handle.close();
  if (!looksLikeZip(head)) {
    if (/\.(xlsx|zip)$/i.test(fileName)) throw new ImportProblem('not_a_zip');
    const kind = kindOf(path.basename(fileName));
    if (kind !== 'skip') yield { kind, source: path.basename(fileName), rows: csvRows(openFile(filePath), csvLimits) };
    return;
  }
  const zip = await openSafeZip(filePath, {
    maxUnpackedBytes: limits.maxUnpackedBytes,
    maxEntryBytes: limits.maxPartBytes,
    maxEntries: 1000,
  });
  try {
    if (isWorkbook(zip)) {
      for await (const sheet of workbookSheets(zip)) {
        const kind = kindOf(sheet.name);
        if (kind === 'skip') for await (const _ of sheet.rows) continue;
        else yield { kind, source: sheet.name, rows: sheet.rows };
      }
      return;
    }
    const names = zip.names
      .filter((name) => name.toLowerCase().endsWith('.csv') && !name.startsWith('__MACOSX/'))
      .sort();
    if (names.length === 0) throw new ImportProblem('no_sheets');
    for (const name of names) {
      const kind = kindOf(path.basename(name));
      if (kind !== 'skip') yield { kind, source: name, rows: csvRows(() => zip.open(name), csvLimits) };
    }
  } finally {
    zip.close();
  }
}
