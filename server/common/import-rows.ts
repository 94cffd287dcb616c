// Reading a registrar's sheet: which kind a sheet or file name is, which field each header column
// holds, and one data row checked, cell by cell and across its cells. Pure: no I/O.
import type { CellProblem, Column } from './cell-parsers.ts';
import { importKinds, kindColumns, type ImportKind, type ImportRow } from './import-kinds.ts';

/** Lower case, trimmed, spaces and dashes as `_`, a BOM or `*` removed: `"Код группы"` → `код_группы`. */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .replace(/\*/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s\-.]+/gu, '_')
    .replace(/^_|_$/g, '');
}

/** Sheet and file names of each kind (normalized), with Russian aliases. */
const kindAliases: Record<ImportKind, readonly string[]> = {
  faculties: ['факультеты'],
  departments: ['кафедры'],
  subjects: ['дисциплины', 'предметы'],
  terms: ['семестры'],
  groups: ['группы'],
  people: ['люди', 'пользователи', 'персоны'],
  roles: ['роли'],
  group_members: ['состав_групп', 'студенты_групп'],
  teaching: ['нагрузка', 'учебная_нагрузка'],
};
/** The template's "read me" sheet, in any of the interface's languages: skipped when reading. */
export const readmeSheetNames = ['readme', 'read_me', 'окуу', 'инструкция', 'мени_оку', 'прочти'];

export function kindOfName(sheetOrFileName: string): ImportKind | null {
  const normalized = normalizeHeader(sheetOrFileName.replace(/\.csv$/i, ''));
  return importKinds.find((kind) => kind === normalized || kindAliases[kind].includes(normalized)) ?? null;
}

export type HeaderMap = { fields: Array<string | null>; problems: CellProblem[] };

/**
 * Which field each column of a header row holds. Unknown columns, a column given twice and a
 * missing required column are problems (nothing is silently ignored).
 */
export function mapHeader(kind: ImportKind, header: readonly string[]): HeaderMap {
  const columns = kindColumns[kind] as Record<string, Column<unknown>>;
  const problems: CellProblem[] = [];
  const seen = new Set<string>();
  const fields = header.map((raw) => {
    const normalized = normalizeHeader(raw);
    if (normalized === '') return null;
    const field = Object.keys(columns).find(
      (name) => name === normalized || columns[name]!.aliases.includes(normalized),
    );
    if (!field) {
      problems.push({ key: 'unknown_column', params: { column: raw.trim() } });
      return null;
    }
    if (seen.has(field)) problems.push({ key: 'duplicate_column', params: { column: raw.trim() } });
    seen.add(field);
    return field;
  });
  for (const [field, spec] of Object.entries(columns)) {
    if (spec.required && !seen.has(field)) problems.push({ key: 'missing_column', params: { column: field } });
  }
  return { fields, problems };
}

export type RowProblem = CellProblem & { column: string | null };

/**
 * One data row's cells (by `mapHeader`'s fields) checked: its values (a cell with a problem is null)
 * and its problems. Rows with problems are kept too: sync mode must not end what they name.
 */
export function parseRow<K extends ImportKind>(
  kind: K,
  fields: ReadonlyArray<string | null>,
  cells: readonly string[],
): { row: Partial<ImportRow<K>>; problems: RowProblem[] } {
  const columns = kindColumns[kind] as Record<string, Column<unknown>>;
  const row: Record<string, unknown> = {};
  const problems: RowProblem[] = [];
  for (const [field, spec] of Object.entries(columns)) {
    const index = fields.indexOf(field);
    const text = index >= 0 ? (cells[index] ?? '').trim() : '';
    row[field] = null;
    if (text === '') {
      if (spec.required) problems.push({ column: field, key: 'required' });
      continue;
    }
    const parsed = spec.parse(text);
    if ('problem' in parsed) problems.push({ column: field, ...parsed.problem });
    else row[field] = parsed.value;
  }
  if (problems.length === 0) problems.push(...rowRules(kind, row));
  return { row: row as Partial<ImportRow<K>>, problems };
}

/** Rules across a row's cells. */
function rowRules(kind: ImportKind, row: Record<string, unknown>): RowProblem[] {
  if (kind === 'terms') {
    const [first] = String(row.academic_year).split('-').map(Number);
    const start = String(row.starts_on);
    // A term starts within its academic year (1 July – 30 June) and ends before the next one starts.
    const end = new Date(`${start}T00:00:00Z`);
    end.setUTCDate(end.getUTCDate() + Number(row.weeks) * 7);
    if (
      start < `${first}-07-01` ||
      start > `${first! + 1}-06-30` ||
      end.toISOString().slice(0, 10) > `${first! + 1}-08-31`
    ) {
      return [{ column: 'starts_on', key: 'term_outside_year', params: { year: String(row.academic_year) } }];
    }
  }
  if (kind === 'roles') {
    const university = row.role === 'admin' || row.role === 'vice_rector';
    if (university && row.scope_code !== null) return [{ column: 'scope_code', key: 'scope_not_expected' }];
    if (!university && row.scope_code === null) return [{ column: 'scope_code', key: 'required' }];
  }
  return [];
}
