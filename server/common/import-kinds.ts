// What the registrar's files hold: the kinds (one sheet or CSV file each), their canonical columns
// with Russian aliases, and how one cell becomes a value or a translated problem. Pure: no I/O.
import { normalizeEmail } from './email-address.ts';

export const importKinds = [
  'faculties',
  'departments',
  'subjects',
  'terms',
  'groups',
  'people',
  'roles',
  'group_members',
  'teaching',
] as const;
export type ImportKind = (typeof importKinds)[number];

/** A problem with one cell (or row): a dictionary key under `import.problems` and its parameters. */
export type CellProblem = { key: string; params?: Record<string, string | number> };
type Parsed<T> = { value: T } | { problem: CellProblem };

type Column<T> = {
  /** Russian (and other common) headers accepted for this column, normalized (`normalizeHeader`). */
  aliases: readonly string[];
  required: boolean;
  /** Turns the cell's text (trimmed, never empty) into a value. */
  parse: (text: string) => Parsed<T>;
};

const ok = <T>(value: T): Parsed<T> => ({ value });
const problem = (key: string, params?: Record<string, string | number>): Parsed<never> => ({
  problem: { key, params },
});

/** The registrar's codes: no spaces, commas or semicolons (they separate codes in lists), at most 64 characters. */
const code: Column<string>['parse'] = (text) =>
  /^[^\s,;]{1,64}$/u.test(text) ? ok(text) : problem('bad_code', { max: 64 });
const name: Column<string>['parse'] = (text) => (text.length <= 300 ? ok(text) : problem('too_long', { max: 300 }));
const personRef: Column<string>['parse'] = (text) =>
  text.length <= 254 ? ok(text.includes('@') ? text.toLowerCase() : text) : problem('too_long', { max: 254 });

function integer(min: number, max: number): Column<number>['parse'] {
  return (text) => {
    const value = Number(text.replace(',', '.'));
    if (!Number.isInteger(value)) return problem('not_integer');
    return value < min || value > max ? problem('out_of_range', { min, max }) : ok(value);
  };
}

/** One of `values`, also given in Russian or Kyrgyz (`aliases`), any case. */
function oneOf<T extends string>(values: readonly T[], aliases: Record<string, T> = {}): Column<T>['parse'] {
  return (text) => {
    const lower = text.toLowerCase();
    const found = values.find((value) => value === lower) ?? aliases[lower];
    return found ? ok(found) : problem('not_one_of', { values: values.join(', ') });
  };
}

// An e-mail as people write it (email-address.ts).
const email: Column<string>['parse'] = (text) => {
  const address = normalizeEmail(text);
  return address ? ok(address) : problem('bad_email');
};

/** A date as a registrar's spreadsheet gives it: ISO (2026-09-07), dd.mm.yyyy, or a date cell. */
export const calendarDate: Column<string>['parse'] = (text) => {
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.000)?)?Z?)?$/.exec(text);
  const dotted = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : dotted ? [dotted[3], dotted[2], dotted[1]] : [];
  if (!year || !month || !day) return problem('bad_date');
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day)
  )
    return problem('bad_date');
  return ok(date.toISOString().slice(0, 10));
};

const timeZone: Column<string>['parse'] = (text) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: text });
    return text.includes('/') || text === 'UTC' ? ok(text) : problem('bad_time_zone');
  } catch {
    return problem('bad_time_zone');
  }
};

const academicYear: Column<string>['parse'] = (text) => {
  const match = /^(\d{4})\s*[-–/]\s*(\d{4})$/.exec(text);
  if (!match || Number(match[2]) !== Number(match[1]) + 1) return problem('bad_academic_year');
  return ok(`${match[1]}-${match[2]}`);
};

/** Group codes in one cell, separated by spaces, commas or semicolons. */
const codeList: Column<string[]>['parse'] = (text) => {
  const codes = [...new Set(text.split(/[\s,;]+/u).filter(Boolean))];
  if (codes.length > 50) return problem('too_many_codes', { max: 50 });
  for (const one of codes) if ('problem' in code(one)) return problem('bad_code', { max: 64 });
  return codes.length ? ok(codes) : problem('required');
};

const column = <T>(parse: Column<T>['parse'], aliases: readonly string[], required = true): Column<T> => ({
  parse,
  aliases,
  required,
});
const names = {
  name_ky: column(name, ['название_ky', 'наименование_ky', 'название_кыр', 'аталышы']),
  name_ru: column(name, ['название_ru', 'наименование_ru', 'название', 'наименование'], false),
  name_en: column(name, ['название_en', 'наименование_en'], false),
};

export const facultyKinds = ['faculty', 'college'] as const;
export const departmentKinds = ['department', 'commission'] as const;
export const studyForms = ['full_time', 'correspondence', 'distance'] as const;
export const importRoles = ['admin', 'vice_rector', 'dean', 'head', 'instructor'] as const;
export type ImportRole = (typeof importRoles)[number];

/** Every kind's columns, in the order the template shows them; the first `key` columns identify a row. */
export const kindColumns = {
  faculties: {
    code: column(code, ['код', 'код_факультета']),
    ...names,
    kind: column(oneOf(facultyKinds, { факультет: 'faculty', колледж: 'college' }), ['тип', 'вид'], false),
  },
  departments: {
    code: column(code, ['код', 'код_кафедры']),
    faculty_code: column(code, ['код_факультета', 'факультет']),
    ...names,
    kind: column(
      oneOf(departmentKinds, { кафедра: 'department', пцк: 'commission', комиссия: 'commission' }),
      ['тип', 'вид'],
      false,
    ),
  },
  subjects: {
    code: column(code, ['код', 'код_дисциплины', 'шифр']),
    department_code: column(code, ['код_кафедры', 'кафедра']),
    ...names,
    lecture_hours: column(integer(0, 1000), ['лекции', 'лекционные_часы', 'часы_лекций']),
    practical_hours: column(integer(0, 1000), ['практика', 'практические_часы', 'часы_практики']),
    credits: column(integer(0, 60), ['кредиты', 'кредиты_ects']),
  },
  terms: {
    code: column(code, ['код', 'код_семестра']),
    academic_year: column(academicYear, ['учебный_год']),
    semester: column(integer(1, 2), ['семестр']),
    starts_on: column(calendarDate, ['начало', 'дата_начала']),
    weeks: column(integer(1, 30), ['недели', 'недель', 'количество_недель']),
    time_zone: column(timeZone, ['часовой_пояс'], false),
  },
  groups: {
    code: column(code, ['код', 'группа', 'код_группы', 'шифр_группы']),
    faculty_code: column(code, ['код_факультета', 'факультет']),
    study_form: column(
      oneOf(studyForms, {
        очная: 'full_time',
        заочная: 'correspondence',
        дистанционная: 'distance',
        күндүзгү: 'full_time',
        сырттан: 'correspondence',
        аралыктан: 'distance',
      }),
      ['форма_обучения'],
    ),
    intake_year: column(integer(1900, 2200), ['год_набора', 'год_поступления'], false),
  },
  people: {
    external_id: column(code, ['внешний_код', 'идентификатор', 'табельный_номер', 'номер_зачетки'], false),
    email: column(email, ['эл_почта', 'электронная_почта', 'почта', 'e_mail']),
    full_name: column(name, ['фио', 'полное_имя', 'аты_жөнү']),
    language: column(
      oneOf(['ky', 'ru', 'en'] as const, { кыргызча: 'ky', русский: 'ru', english: 'en' }),
      ['язык', 'тил'],
      false,
    ),
    status: column(
      oneOf(['active', 'disabled'] as const, { активен: 'active', отключен: 'disabled' }),
      ['статус'],
      false,
    ),
  },
  roles: {
    person: column(personRef, ['человек', 'сотрудник', 'пользователь']),
    role: column(
      oneOf(importRoles, {
        администратор: 'admin',
        проректор: 'vice_rector',
        декан: 'dean',
        заведующий: 'head',
        преподаватель: 'instructor',
      }),
      ['роль'],
    ),
    scope_code: column(code, ['код_подразделения', 'подразделение'], false),
  },
  group_members: {
    group_code: column(code, ['код_группы', 'группа']),
    person: column(personRef, ['студент', 'человек']),
  },
  teaching: {
    term_code: column(code, ['код_семестра', 'семестр']),
    person: column(personRef, ['преподаватель', 'человек']),
    subject_code: column(code, ['код_дисциплины', 'дисциплина']),
    group_codes: column(codeList, ['группы', 'коды_групп']),
  },
} as const satisfies { [K in ImportKind]: Record<string, Column<unknown>> };

type ValueOf<C> = C extends Column<infer T> ? T : never;
type RowOf<K extends ImportKind> = {
  [F in keyof (typeof kindColumns)[K] as (typeof kindColumns)[K][F] extends { required: true } ? F : never]: ValueOf<
    (typeof kindColumns)[K][F]
  >;
} & {
  [F in keyof (typeof kindColumns)[K] as (typeof kindColumns)[K][F] extends { required: true } ? never : F]: ValueOf<
    (typeof kindColumns)[K][F]
  > | null;
};
/** A checked row of a kind, as the loader writes it (optional columns null when empty). */
export type ImportRow<K extends ImportKind> = RowOf<K>;

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
