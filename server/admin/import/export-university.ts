// The university as it stands, in the import's kinds and columns: what the admin downloads to edit
// and import again, and what the tests compare a seeded and an imported database by. Archived
// structure, disabled people's roles and memberships, and ended teaching are left out.
import { sql } from 'kysely';
import type { Db } from '../../../db/client.ts';
import { kindColumns, type ImportKind } from '../../common/import-kinds.ts';

export type KindRows = { kind: ImportKind; columns: string[]; rows: Array<Array<string | number | null>> };

const columnsOf = (kind: ImportKind) => Object.keys(kindColumns[kind]);
const personRef = sql<string>`coalesce(u.external_id, u.email)`;

async function rowsOf(db: Db, kind: ImportKind, query: ReturnType<typeof sql>): Promise<KindRows> {
  const result = await query.execute(db);
  const columns = columnsOf(kind);
  return {
    kind,
    columns,
    rows: (result.rows as Array<Record<string, string | number | null>>).map((row) =>
      columns.map((column) => row[column] ?? null),
    ),
  };
}

export async function exportUniversity(db: Db, options: { termCode?: string } = {}): Promise<KindRows[]> {
  const term = options.termCode ?? null;
  return [
    await rowsOf(
      db,
      'faculties',
      sql`select code, name as name_ky, name_ru, name_en, kind from faculty where archived_at is null order by code`,
    ),
    await rowsOf(
      db,
      'departments',
      sql`select d.code, f.code as faculty_code, d.name as name_ky, d.name_ru, d.name_en, d.kind from department d join faculty f on f.id = d.faculty_id where d.archived_at is null order by d.code`,
    ),
    await rowsOf(
      db,
      'subjects',
      sql`select s.code, d.code as department_code, s.name as name_ky, s.name_ru, s.name_en, s.lecture_hours, s.practical_hours, s.credits
        from subject s join department d on d.id = s.department_id where s.archived_at is null order by s.code`,
    ),
    await rowsOf(
      db,
      'terms',
      sql`select code, academic_year, semester, to_char(starts_on, 'YYYY-MM-DD') as starts_on, weeks, time_zone from term where archived_at is null order by starts_on, code`,
    ),
    await rowsOf(
      db,
      'groups',
      sql`select g.name as code, f.code as faculty_code, g.study_form, g.intake_year from study_group g join faculty f on f.id = g.faculty_id where g.archived_at is null order by g.name`,
    ),
    await rowsOf(
      db,
      'people',
      sql`select u.external_id, u.email, u.full_name, u.locale as language, case when u.disabled_at is null then 'active' else 'disabled' end as status from app_user u order by u.email`,
    ),
    await rowsOf(
      db,
      'roles',
      sql`select ${personRef} as person, ra.role, coalesce(f.code, d.code) as scope_code
        from role_assignment ra join app_user u on u.id = ra.user_id
        left join faculty f on f.id = ra.faculty_id left join department d on d.id = ra.department_id
        where ra.ended_at is null and u.disabled_at is null order by u.email, ra.role, scope_code`,
    ),
    await rowsOf(
      db,
      'group_members',
      sql`select g.name as group_code, ${personRef} as person from group_student gs join study_group g on g.id = gs.group_id join app_user u on u.id = gs.student_id
        where u.disabled_at is null order by g.name, u.email`,
    ),
    await rowsOf(
      db,
      'teaching',
      sql`select t.code as term_code, ${personRef} as person, s.code as subject_code,
          (select string_agg(g.name, ' ' order by g.name) from teaching_assignment_group tag join study_group g on g.id = tag.group_id where tag.teaching_assignment_id = ta.id) as group_codes
        from teaching_assignment ta join term t on t.id = ta.term_id join app_user u on u.id = ta.instructor_id join subject s on s.id = ta.subject_id
        where ta.ended_at is null and (${term}::text is null or t.code = ${term}) order by t.code, u.email, s.code`,
    ),
  ];
}
