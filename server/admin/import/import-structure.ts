// Applies the structure kinds of an import (faculties, departments, subjects, terms, groups): rows
// are matched to what exists by their code, updated only where something differs, created where
// nothing has the code. Listing an archived thing again brings it back.
import { sql, type RawBuilder } from 'kysely';
import type { ImportKind } from '../../common/import-kinds.ts';
import { flag, flagDuplicates, type ApplyContext, type Written } from './import-flags.ts';
import { tableOf } from './import-load.ts';

type ColumnMapping = {
  /** The table's column. */
  column: string;
  /** Its new value in an update (`t` is the file's row, `f` the table's). */
  update: RawBuilder<unknown>;
  /** Its value in an insert (`t` only). */
  insert: RawBuilder<unknown>;
};

type StructureKind = Extract<ImportKind, 'faculties' | 'departments' | 'subjects' | 'terms' | 'groups'>;

/**
 * An optional column: the file's value when the file has the column (an empty cell clears it),
 * the current value when it does not (or, in an insert, `fallback`).
 */
function optional(
  ctx: ApplyContext,
  kind: ImportKind,
  field: string,
  column: string,
  fallback = 'null',
): ColumnMapping {
  const has = ctx.loaded[kind]?.columns.has(field) ?? false;
  return {
    column,
    update: sql.raw(has ? `t.${field}` : `f.${column}`),
    insert: sql.raw(has ? `t.${field}` : fallback),
  };
}

/** A column whose empty cell keeps what is there (and gives `fallback` to a new row). */
function keepWhenEmpty(field: string, column: string, fallback: string): ColumnMapping {
  return {
    column,
    update: sql.raw(`coalesce(t.${field}, f.${column})`),
    insert: sql.raw(`coalesce(t.${field}, ${fallback})`),
  };
}

const required = (field: string, column: string = field): ColumnMapping => ({
  column,
  update: sql.raw(`t.${field}`),
  insert: sql.raw(`t.${field}`),
});

/** A reference by code to another table (its id), checked beforehand by `flagUnknownCode`. */
function reference(field: string, column: string, table: string, codeColumn = 'code'): ColumnMapping {
  const id = sql.raw(`(select r.id from ${table} r where r.${codeColumn} = t.${field})`);
  return { column, update: id, insert: id };
}

const names = (ctx: ApplyContext, kind: ImportKind) => [
  required('name_ky', 'name'),
  optional(ctx, kind, 'name_ru', 'name_ru'),
  optional(ctx, kind, 'name_en', 'name_en'),
];

/** Rows naming a code the table does not have, or has archived. */
export async function flagUnknownCode(
  ctx: ApplyContext,
  kind: ImportKind,
  field: string,
  table: string,
  codeColumn = 'code',
): Promise<void> {
  const match = sql.raw(`r.${codeColumn} = t.${field}`);
  const params = sql`json_build_object('code', t.${sql.raw(field)})`;
  await flag(
    ctx,
    kind,
    field,
    'unknown_code',
    sql`not exists (select 1 from ${sql.table(table)} r where ${match})`,
    params,
  );
  await flag(
    ctx,
    kind,
    field,
    'archived_code',
    sql`exists (select 1 from ${sql.table(table)} r where ${match} and r.archived_at is not null)`,
    params,
  );
}

/** Updates the rows that differ, then inserts the ones whose code is new; archived rows listed again come back. */
async function upsertByCode(
  ctx: ApplyContext,
  kind: StructureKind,
  table: string,
  keyColumn: string,
  columns: ColumnMapping[],
): Promise<Written> {
  const t = tableOf(kind);
  const target = sql.table(table);
  const key = sql.raw(keyColumn);
  const setList = sql.join(columns.map((c) => sql`${sql.raw(c.column)} = ${c.update}`));
  const current = sql.join([...columns.map((c) => sql`f.${sql.raw(c.column)}`), sql`f.archived_at`]);
  const wanted = sql.join([...columns.map((c) => c.update), sql`null::timestamptz`]);
  const updated = await sql`
    update ${target} f set ${setList}, archived_at = null
    from ${t} t
    where t.ok and f.${key} = t.code and (${current}) is distinct from (${wanted})`.execute(ctx.trx);
  const inserted = await sql`
    insert into ${target} (${key}, ${sql.raw(columns.map((c) => c.column).join(', '))})
    select t.code, ${sql.join(columns.map((c) => c.insert))} from ${t} t
    where t.ok and not exists (select 1 from ${target} f where f.${key} = t.code)`.execute(ctx.trx);
  return { created: Number(inserted.numAffectedRows ?? 0), updated: Number(updated.numAffectedRows ?? 0) };
}

export async function applyFaculties(ctx: ApplyContext): Promise<Written> {
  await flagDuplicates(ctx, 'faculties', ['code']);
  return upsertByCode(ctx, 'faculties', 'faculty', 'code', [
    ...names(ctx, 'faculties'),
    keepWhenEmpty('kind', 'kind', `'faculty'`),
  ]);
}

export async function applyDepartments(ctx: ApplyContext): Promise<Written> {
  await flagDuplicates(ctx, 'departments', ['code']);
  await flagUnknownCode(ctx, 'departments', 'faculty_code', 'faculty');
  return upsertByCode(ctx, 'departments', 'department', 'code', [
    reference('faculty_code', 'faculty_id', 'faculty'),
    ...names(ctx, 'departments'),
    keepWhenEmpty('kind', 'kind', `'department'`),
  ]);
}

export async function applySubjects(ctx: ApplyContext): Promise<Written> {
  await flagDuplicates(ctx, 'subjects', ['code']);
  await flagUnknownCode(ctx, 'subjects', 'department_code', 'department');
  return upsertByCode(ctx, 'subjects', 'subject', 'code', [
    reference('department_code', 'department_id', 'department'),
    ...names(ctx, 'subjects'),
    required('lecture_hours'),
    required('practical_hours'),
    required('credits'),
  ]);
}

export async function applyTerms(ctx: ApplyContext): Promise<Written> {
  await flagDuplicates(ctx, 'terms', ['code']);
  await flagDuplicates(ctx, 'terms', ['academic_year', 'semester'], 'semester');
  // One term per academic year and semester: the same one under another code is a mistake in the file.
  await flag(
    ctx,
    'terms',
    'code',
    'term_exists',
    sql`exists (select 1 from term x where x.academic_year = t.academic_year and x.semester = t.semester and x.code <> t.code)`,
    sql`json_build_object('code', (select x.code from term x where x.academic_year = t.academic_year and x.semester = t.semester))`,
  );
  return upsertByCode(ctx, 'terms', 'term', 'code', [
    required('academic_year'),
    required('semester'),
    required('starts_on'),
    required('weeks'),
    keepWhenEmpty('time_zone', 'time_zone', `'Asia/Bishkek'`),
  ]);
}

export async function applyGroups(ctx: ApplyContext): Promise<Written> {
  await flagDuplicates(ctx, 'groups', ['code']);
  await flagUnknownCode(ctx, 'groups', 'faculty_code', 'faculty');
  return upsertByCode(ctx, 'groups', 'study_group', 'name', [
    reference('faculty_code', 'faculty_id', 'faculty'),
    required('study_form'),
    optional(ctx, 'groups', 'intake_year', 'intake_year'),
  ]);
}
