// A cabinet's scope: what the permission module needs to decide about a cabinet and what sits in it,
// read in the same query as the thing itself.
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { CabinetScope } from '../auth/permissions.ts';

/** A cabinet with what it is: its teaching assignment, subject, department and instructor. */
export function cabinetsWithContext(db: Kysely<Database>) {
  return db
    .selectFrom('cabinet')
    .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .innerJoin('department', 'department.id', 'subject.department_id')
    .innerJoin('app_user as instructor', 'instructor.id', 'ta.instructor_id');
}

/** The names of the groups a teaching assignment (`ta`) is taught to, sorted. */
export function groupNames(eb: ExpressionBuilder<Database & { ta: Database['teaching_assignment'] }, 'ta'>) {
  return eb
    .selectFrom('teaching_assignment_group as tag')
    .innerJoin('study_group', 'study_group.id', 'tag.group_id')
    .select(sql<string[]>`array_agg(study_group.name order by study_group.name)`.as('names'))
    .whereRef('tag.teaching_assignment_id', '=', 'ta.id')
    .as('groups');
}

/** The permission module's view of a cabinet, from a row of `cabinetScopeQuery`. */
export function scopeOf(row: {
  instructorId: string;
  departmentId: string;
  facultyId: string;
  groupIds: string[] | null;
  teachingEndedAt: Date | null;
}): CabinetScope {
  return {
    instructorId: row.instructorId,
    departmentId: row.departmentId,
    facultyId: row.facultyId,
    groupIds: row.groupIds ?? [],
    teachingEnded: row.teachingEndedAt !== null,
  };
}

/**
 * A cabinet with what the permission module needs (`scopeOf`) and its term's time zone; join what
 * sits in the cabinet to it, so that a thing and its scope come in one query.
 */
export function cabinetScopeQuery(db: Kysely<Database>) {
  return cabinetsWithContext(db)
    .innerJoin('term', 'term.id', 'ta.term_id')
    .select((eb) => [
      'cabinet.id as cabinetId',
      'term.time_zone as timeZone',
      'ta.instructor_id as instructorId',
      'ta.ended_at as teachingEndedAt',
      'subject.department_id as departmentId',
      'department.faculty_id as facultyId',
      eb
        .selectFrom('teaching_assignment_group as tag')
        .select(sql<string[]>`coalesce(array_agg(tag.group_id), '{}')`.as('ids'))
        .whereRef('tag.teaching_assignment_id', '=', 'ta.id')
        .as('groupIds'),
    ]);
}

export async function loadCabinetScope(db: Kysely<Database>, cabinetId: string): Promise<CabinetScope | null> {
  if (!isUuid(cabinetId)) return null;
  const row = await cabinetScopeQuery(db).where('cabinet.id', '=', cabinetId).executeTakeFirst();
  return row ? scopeOf(row) : null;
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
