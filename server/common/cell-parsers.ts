// How one cell of a registrar's file becomes a value or a translated problem: the parsers of the
// import's columns (codes, names, numbers, dates, e-mails…) and a column's description. Pure: no I/O.
import { normalizeEmail } from './email-address.ts';

/** A problem with one cell (or row): a dictionary key under `import.problems` and its parameters. */
export type CellProblem = { key: string; params?: Record<string, string | number> };
export type Parsed<T> = { value: T } | { problem: CellProblem };

export type Column<T> = {
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
export const code: Column<string>['parse'] = (text) =>
  /^[^\s,;]{1,64}$/u.test(text) ? ok(text) : problem('bad_code', { max: 64 });
export const name: Column<string>['parse'] = (text) =>
  text.length <= 300 ? ok(text) : problem('too_long', { max: 300 });
export const personRef: Column<string>['parse'] = (text) =>
  text.length <= 254 ? ok(text.includes('@') ? text.toLowerCase() : text) : problem('too_long', { max: 254 });

export function integer(min: number, max: number): Column<number>['parse'] {
  return (text) => {
    const value = Number(text.replace(',', '.'));
    if (!Number.isInteger(value)) return problem('not_integer');
    return value < min || value > max ? problem('out_of_range', { min, max }) : ok(value);
  };
}

/** One of `values`, also given in Russian or Kyrgyz (`aliases`), any case. */
export function oneOf<T extends string>(values: readonly T[], aliases: Record<string, T> = {}): Column<T>['parse'] {
  return (text) => {
    const lower = text.toLowerCase();
    const found = values.find((value) => value === lower) ?? aliases[lower];
    return found ? ok(found) : problem('not_one_of', { values: values.join(', ') });
  };
}

// An e-mail as people write it (email-address.ts).
export const email: Column<string>['parse'] = (text) => {
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

export const timeZone: Column<string>['parse'] = (text) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: text });
    return text.includes('/') || text === 'UTC' ? ok(text) : problem('bad_time_zone');
  } catch {
    return problem('bad_time_zone');
  }
};

export const academicYear: Column<string>['parse'] = (text) => {
  const match = /^(\d{4})\s*[-–/]\s*(\d{4})$/.exec(text);
  if (!match || Number(match[2]) !== Number(match[1]) + 1) return problem('bad_academic_year');
  return ok(`${match[1]}-${match[2]}`);
};

/** Group codes in one cell, separated by spaces, commas or semicolons. */
export const codeList: Column<string[]>['parse'] = (text) => {
  const codes = [...new Set(text.split(/[\s,;]+/u).filter(Boolean))];
  if (codes.length > 50) return problem('too_many_codes', { max: 50 });
  for (const one of codes) if ('problem' in code(one)) return problem('bad_code', { max: 64 });
  return codes.length ? ok(codes) : problem('required');
};

export const column = <T>(parse: Column<T>['parse'], aliases: readonly string[], required = true): Column<T> => ({
  parse,
  aliases,
  required,
});
