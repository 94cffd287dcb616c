// Loads an import's rows into temporary tables (one per kind, dropped at the end of the
// transaction) in batches, checking each row as it goes: memory stays flat however big the file,
// and every check across rows or against the database is then one set-based statement.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import { kindColumns, type ImportKind } from '../../common/import-kinds.ts';
import { mapHeader, parseRow } from '../../common/import-rows.ts';
import { ImportProblem } from './import-problem.ts';
import type { ImportLimits, KindSheet } from './import-sources.ts';
import type { ProblemList } from './import-report.ts';

/** Postgres types of the columns that are not text; `group_codes` is kept as one space-separated text. */
const columnTypes: Partial<Record<string, string>> = {
  lecture_hours: 'integer',
  practical_hours: 'integer',
  credits: 'integer',
  semester: 'integer',
  weeks: 'integer',
  intake_year: 'integer',
  starts_on: 'date',
};

export const tableOf = (kind: ImportKind) => sql.table(`import_${kind}`);
const fieldsOf = (kind: ImportKind) => Object.keys(kindColumns[kind]);
const batchSize = 5000;

/** What was loaded of each kind: where from, how many rows, and which columns the file has. */
export type LoadedKind = { source: string; rows: number; columns: ReadonlySet<string> };
export type Loaded = Partial<Record<ImportKind, LoadedKind>>;

async function createTable(trx: Transaction<Database>, kind: ImportKind): Promise<void> {
  const columns = fieldsOf(kind).map((field) => `${field} ${columnTypes[field] ?? 'text'}`);
  // `ok`: the row passed every check so far; rows that did not stay, so that sync mode still sees them.
  await sql`create temp table ${tableOf(kind)} (row_no integer primary key, ${sql.raw(columns.join(', '))}, ok boolean not null) on commit drop`.execute(
    trx,
  );
}

async function insertBatch(
  trx: Transaction<Database>,
  kind: ImportKind,
  batch: Array<{ rowNo: number; values: Record<string, unknown>; ok: boolean }>,
): Promise<void> {
  if (batch.length === 0) return;
  const fields = fieldsOf(kind);
  const arrays = fields.map((field) =>
    batch.map((row) => {
      const value = row.values[field];
      return Array.isArray(value) ? value.join(' ') : (value ?? null);
    }),
  );
  const unnested = fields.map((field, i) => sql`${arrays[i]}::${sql.raw(columnTypes[field] ?? 'text')}[]`);
  await sql`
    insert into ${tableOf(kind)} (row_no, ${sql.raw(fields.join(', '))}, ok)
    select * from unnest(${batch.map((row) => row.rowNo)}::integer[], ${sql.join(unnested)}, ${batch.map((row) => row.ok)}::boolean[])`.execute(
    trx,
  );
}

const isEmpty = (cells: readonly string[]) => cells.every((cell) => cell.trim() === '');

/** Reads one sheet into its table: the first non-empty row is the header. */
async function loadSheet(
  trx: Transaction<Database>,
  sheet: KindSheet,
  limits: ImportLimits,
  problems: ProblemList,
  onRows: (rows: number) => void,
): Promise<LoadedKind> {
  const { kind, source } = sheet;
  let header: ReturnType<typeof mapHeader> | null = null;
  let rows = 0;
  let batch: Parameters<typeof insertBatch>[2] = [];
  for await (const { number, cells, errorColumns } of sheet.rows) {
    if (isEmpty(cells)) continue;
    if (!header) {
      header = mapHeader(kind, cells);
      for (const problem of header.problems)
        problems.add({ kind, source, row: number, column: null, ...problem, blocking: true });
      // A header with problems makes every row of the sheet doubtful: the sheet is refused whole.
      if (header.problems.length > 0) {
        for await (const _ of sheet.rows) continue;
        break;
      }
      continue;
    }
    rows += 1;
    if (rows > limits.maxRowsPerSheet)
      throw new ImportProblem('too_many_rows', { source, count: limits.maxRowsPerSheet });
    const fields = header.fields;
    const parsed = parseRow(kind, fields, cells);
    const rowProblems = [...parsed.problems];
    for (const index of errorColumns) rowProblems.push({ column: fields[index] ?? null, key: 'cell_error' });
    cells.forEach((cell, index) => {
      if (index >= fields.length && cell.trim() !== '')
        rowProblems.push({ column: null, key: 'cell_without_header', params: { column: index + 1 } });
    });
    for (const problem of rowProblems) {
      const text = problem.column ? cells[fields.indexOf(problem.column)]?.trim() : undefined;
      problems.add({ kind, source, row: number, ...problem, ...(text ? { value: text.slice(0, 80) } : {}) });
    }
    batch.push({ rowNo: number, values: parsed.row, ok: rowProblems.length === 0 });
    if (batch.length >= batchSize) {
      await insertBatch(trx, kind, batch);
      batch = [];
      onRows(rows);
    }
  }
  await insertBatch(trx, kind, batch);
  onRows(rows);
  if (!header) problems.add({ kind, source, row: null, column: null, key: 'empty_sheet', blocking: true });
  return {
    source,
    rows,
    columns: new Set(
      header && header.problems.length === 0 ? header.fields.filter((field): field is string => field !== null) : [],
    ),
  };
}

/** Loads every sheet; a kind given twice (two sheets, or a sheet and its Russian name) is refused. */
export async function loadSheets(
  trx: Transaction<Database>,
  sheets: AsyncIterable<KindSheet>,
  limits: ImportLimits,
  problems: ProblemList,
  onRows: (kind: ImportKind, rows: number) => void,
): Promise<Loaded> {
  const loaded: Loaded = {};
  for await (const sheet of sheets) {
    const earlier = loaded[sheet.kind];
    if (earlier)
      throw new ImportProblem('duplicate_sheet', { kind: sheet.kind, first: earlier.source, second: sheet.source });
    await createTable(trx, sheet.kind);
    loaded[sheet.kind] = await loadSheet(trx, sheet, limits, problems, (rows) => onRows(sheet.kind, rows));
    // Temporary tables are never analysed on their own: without statistics the checks' joins are planned blind.
    await sql`analyze ${tableOf(sheet.kind)}`.execute(trx);
  }
  if (Object.keys(loaded).length === 0) throw new ImportProblem('no_sheets');
  return loaded;
}
