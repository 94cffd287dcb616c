// The admin's structure pages: faculties and colleges, departments and subject commissions,
// subjects, study groups and terms. A form writes one row through the same checks and upsert as an
// import (one rule for both); codes are the registrar's keys, so an edit keeps the code. Archiving
// hides a thing from pickers and keeps it in history and reports; nothing is deleted.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Locale } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { localName } from '../i18n/names.ts';
import { kindColumns } from '../common/import-kinds.ts';
import type { ReportProblem } from './import/import-report.ts';
import { runImport } from './import/run-import.ts';
import { structureKinds, type StructureKind } from '../common/structure-fields.ts';

export { structureKinds, type StructureKind };

const tables: Record<
  StructureKind,
  { table: 'faculty' | 'department' | 'subject' | 'study_group' | 'term'; code: 'code' | 'name' }
> = {
  faculties: { table: 'faculty', code: 'code' },
  departments: { table: 'department', code: 'code' },
  subjects: { table: 'subject', code: 'code' },
  groups: { table: 'study_group', code: 'name' },
  terms: { table: 'term', code: 'code' },
};

export function isStructureKind(value: string): value is StructureKind {
  return (structureKinds as readonly string[]).includes(value);
}

/** A row of a structure list: its id, whether it is archived, and its fields as the form shows them. */
export type StructureRow = { id: string; archived: boolean; values: Record<string, string> };

/** Every row of a kind, as the form's fields (the same columns as the import), archived ones last. */
const listQueries: Record<StructureKind, ReturnType<typeof sql>> = {
  faculties: sql`select id, archived_at, code, name as name_ky, name_ru, name_en, kind from faculty order by archived_at nulls first, code`,
  departments: sql`select d.id, d.archived_at, d.code, f.code as faculty_code, d.name as name_ky, d.name_ru, d.name_en, d.kind
    from department d join faculty f on f.id = d.faculty_id order by d.archived_at nulls first, d.code`,
  subjects: sql`select s.id, s.archived_at, s.code, d.code as department_code, s.name as name_ky, s.name_ru, s.name_en, s.lecture_hours, s.practical_hours, s.credits
    from subject s join department d on d.id = s.department_id order by s.archived_at nulls first, s.code`,
  groups: sql`select g.id, g.archived_at, g.name as code, f.code as faculty_code, g.study_form, g.intake_year
    from study_group g join faculty f on f.id = g.faculty_id order by g.archived_at nulls first, g.name`,
  terms: sql`select id, archived_at, code, academic_year, semester, to_char(starts_on, 'YYYY-MM-DD') as starts_on, weeks, time_zone
    from term order by archived_at nulls first, starts_on desc`,
};

export const structurePageSize = 200;

/** Rows of a kind whose text contains `query` (any column), at most `structurePageSize`, and how many match. */
export async function listStructure(
  db: Db,
  user: Principal,
  kind: StructureKind,
  query = '',
): Promise<{ rows: StructureRow[]; total: number }> {
  requirePermission(user, 'admin.manage', {});
  const needle = `%${query.trim().toLowerCase().slice(0, 100)}%`;
  const result = await sql<Record<string, unknown> & { total: string }>`
    select x.*, count(*) over () as total from (${listQueries[kind]}) x
    where lower(x::text) like ${needle} limit ${structurePageSize}`.execute(db);
  const fields = Object.keys(kindColumns[kind]);
  const rows = result.rows.map((row) => ({
    id: String(row.id),
    archived: row.archived_at !== null,
    values: Object.fromEntries(
      fields.map((field) => [field, row[field] === null || row[field] === undefined ? '' : String(row[field])]),
    ),
  }));
  return { rows, total: Number(result.rows[0]?.total ?? 0) };
}

/** The faculties and departments the forms offer (not archived), by code, with names in the reader's language. */
export async function structurePickers(db: Db, locale: Locale) {
  const [faculties, departments] = await Promise.all([
    db
      .selectFrom('faculty')
      .select(['code', 'name', 'name_ru', 'name_en'])
      .where('archived_at', 'is', null)
      .orderBy('code')
      .execute(),
    db
      .selectFrom('department')
      .select(['code', 'name', 'name_ru', 'name_en'])
      .where('archived_at', 'is', null)
      .orderBy('code')
      .execute(),
  ]);
  const option = (row: (typeof faculties)[number]) => ({
    value: row.code,
    label: `${row.code} · ${localName(row, locale)}`,
  });
  return { faculties: faculties.map(option), departments: departments.map(option) };
}

/**
 * Creates a row, or updates the row with the code (`update`): the import's checks and upsert for
 * one row. Problems come back by field, translated by the page.
 */
export async function saveStructure(
  db: Db,
  actor: Actor,
  kind: StructureKind,
  values: Record<string, string>,
  mode: 'create' | 'update',
): Promise<ReportProblem[]> {
  requirePermission(actor.user, 'admin.manage', {});
  const { table, code } = tables[kind];
  const key = (values.code ?? '').trim();
  const existing = key
    ? await db.selectFrom(table).select(['id', 'archived_at']).where(code, '=', key).executeTakeFirst()
    : undefined;
  const problem = (problemKey: string): ReportProblem[] => [
    { kind, source: null, row: null, column: 'code', key: problemKey, params: { code: key } },
  ];
  if (mode === 'create' && existing) return problem('code_taken');
  if (mode === 'update' && (!existing || existing.archived_at)) return problem('unknown_code');
  const columns = Object.keys(kindColumns[kind]);
  const report = await runImport(db, {
    rows: [{ kind, columns, rows: [columns.map((column) => values[column] ?? '')] }],
    fileName: kind,
    options: { termCode: null, sync: false },
    apply: true,
    applyValidOnly: false,
    actor: { id: actor.user.id, ip: actor.ip },
    audit: { action: `${kind}.${mode}`, objectType: tables[kind].table, objectId: key },
  });
  return report.outcome === 'applied' ? [] : report.problems;
}

/** Archives (or brings back) a row; what refers to it keeps doing so. */
export async function setArchived(
  db: Db,
  actor: Actor,
  kind: StructureKind,
  id: string,
  archived: boolean,
): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(id)) throw new AppError('not_found');
  const { table } = tables[kind];
  const updated = await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable(table)
      .set({ archived_at: archived ? new Date() : null })
      .where('id', '=', id)
      .where('archived_at', archived ? 'is' : 'is not', null)
      .returning('id')
      .executeTakeFirst();
    if (row)
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: `${kind}.${archived ? 'archive' : 'restore'}`,
        objectType: table,
        objectId: id,
        ip: actor.ip,
      });
    return row;
  });
  if (!updated && !(await db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst()))
    throw new AppError('not_found');
}
