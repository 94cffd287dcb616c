// A term's teaching assignments of a department (who teaches which subject to which groups), kept
// by the admin and, for their own department, by its head: the page that shows them, with the terms
// to choose from and what the form for adding one offers. The changes are in teaching-changes.ts.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { termInfo, type TermInfo } from '../cabinets/term.ts';
import { AppError } from '../errors.ts';
import { localName } from '../i18n/names.ts';
import type { Locale } from '../../db/schema.ts';

export type TeachingRow = {
  id: string;
  instructorId: string;
  instructorName: string;
  subjectCode: string;
  subjectName: string;
  groups: Array<{ id: string; name: string }>;
  cabinetId: string | null;
  ended: boolean;
};

/** The department, if the user may edit its teaching. */
export async function departmentOf(db: Db, user: Principal, departmentId: string) {
  const department = isUuid(departmentId)
    ? await db
        .selectFrom('department')
        .select(['id', 'code', 'name', 'name_ru', 'name_en', 'faculty_id'])
        .where('id', '=', departmentId)
        .executeTakeFirst()
    : undefined;
  if (!department) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'teaching.edit', { departmentId: department.id });
  return department;
}

/** The terms to choose from (not archived), newest first, and the one shown: asked for, else the current one. */
async function termsFor(db: Db, termId: string | null): Promise<{ terms: TermInfo[]; term: TermInfo | null }> {
  const rows = await db
    .selectFrom('term')
    .selectAll()
    .where('archived_at', 'is', null)
    .orderBy('starts_on', 'desc')
    .execute();
  const current = await db.selectFrom('current_term').select('id').executeTakeFirst();
  const terms = rows.map(termInfo);
  return {
    terms,
    term: terms.find((t) => t.id === termId) ?? terms.find((t) => t.id === current?.id) ?? terms[0] ?? null,
  };
}

/** The term's teaching assignments of the department (none without a term), ended ones last. */
async function teachingOf(db: Db, departmentId: string, term: TermInfo | null): Promise<TeachingRow[]> {
  if (!term) return [];
  const rows = await db
    .selectFrom('teaching_assignment as ta')
    .innerJoin('subject as s', 's.id', 'ta.subject_id')
    .innerJoin('app_user as u', 'u.id', 'ta.instructor_id')
    .leftJoin('cabinet as c', 'c.teaching_assignment_id', 'ta.id')
    .select((eb) => [
      'ta.id',
      'ta.ended_at',
      'u.id as instructorId',
      'u.full_name',
      's.code',
      's.name',
      'c.id as cabinetId',
      eb
        .selectFrom('teaching_assignment_group as tag')
        .innerJoin('study_group as g', 'g.id', 'tag.group_id')
        .select(
          sql<
            Array<{ id: string; name: string }>
          >`coalesce(json_agg(json_build_object('id', g.id, 'name', g.name) order by g.name), '[]')`.as('groups'),
        )
        .whereRef('tag.teaching_assignment_id', '=', 'ta.id')
        .as('groups'),
    ])
    .where('s.department_id', '=', departmentId)
    .where('ta.term_id', '=', term.id)
    .orderBy('ta.ended_at', (ob) => ob.desc().nullsFirst())
    .orderBy('u.full_name')
    .orderBy('s.code')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    instructorId: row.instructorId,
    instructorName: row.full_name,
    subjectCode: row.code,
    subjectName: row.name,
    groups: row.groups ?? [],
    cabinetId: row.cabinetId,
    ended: row.ended_at !== null,
  }));
}

/** What the form for adding an assignment offers: the department's active instructors and subjects, and the groups. */
async function pickersFor(db: Db, departmentId: string) {
  const [instructors, subjects, groups] = await Promise.all([
    db
      .selectFrom('role_assignment as ra')
      .innerJoin('app_user as u', 'u.id', 'ra.user_id')
      .select(['u.id', 'u.full_name'])
      .distinct()
      .where('ra.role', '=', 'instructor')
      .where('ra.department_id', '=', departmentId)
      .where('ra.ended_at', 'is', null)
      .where('u.disabled_at', 'is', null)
      .orderBy('u.full_name')
      .execute(),
    db
      .selectFrom('subject')
      .select(['id', 'code', 'name'])
      .where('department_id', '=', departmentId)
      .where('archived_at', 'is', null)
      .orderBy('code')
      .execute(),
    db.selectFrom('study_group').select(['id', 'name']).where('archived_at', 'is', null).orderBy('name').execute(),
  ]);
  return {
    instructors: instructors.map((u) => ({ id: u.id, label: u.full_name })),
    subjects: subjects.map((s) => ({ id: s.id, label: `${s.code} · ${s.name}` })),
    groups: groups.map((g) => ({ id: g.id, label: g.name })),
  };
}

export async function teachingPage(
  db: Db,
  user: Principal,
  departmentId: string,
  termId: string | null,
  locale: Locale = 'ky',
) {
  const department = await departmentOf(db, user, departmentId);
  const { terms, term } = await termsFor(db, termId);
  const [teaching, pickers] = await Promise.all([teachingOf(db, department.id, term), pickersFor(db, department.id)]);
  return {
    department: { id: department.id, code: department.code, name: localName(department, locale) },
    /** The admin came from /admin/teaching; a head from their home page. */
    backTo: can(user, 'admin.manage', {}) ? '/admin/teaching' : '/',
    terms,
    term,
    teaching,
    pickers,
  };
}
