// Changes to a department's teaching assignments, by the admin or, for their own department, its
// head. Changing the groups re-scopes the cabinet and keeps everything delivered in it; ending an
// assignment leaves its cabinet readable and in the reports.
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { departmentOf } from './teaching.ts';

/** The groups given, all existing and not archived, and none of them one the instructor studies in. */
async function checkGroups(db: Db, instructorId: string, groupIds: string[]): Promise<string[]> {
  const ids = [...new Set(groupIds)].filter(isUuid);
  if (ids.length === 0 || ids.length > 50) throw new AppError('invalid_input', 'admin.teaching.groupsRequired');
  const found = await db
    .selectFrom('study_group')
    .select('id')
    .where('id', 'in', ids)
    .where('archived_at', 'is', null)
    .execute();
  if (found.length !== ids.length) throw new AppError('invalid_input', 'admin.teaching.groupsRequired');
  const studies = await db
    .selectFrom('group_student')
    .select('group_id')
    .where('student_id', '=', instructorId)
    .where('group_id', 'in', ids)
    .executeTakeFirst();
  if (studies) throw new AppError('conflict', 'admin.teaching.studiesInGroup');
  return ids;
}

export type NewTeaching = { termId: string; instructorId: string; subjectId: string; groupIds: string[] };

/** Adds a teaching assignment (or brings an ended one back) with its groups. */
export async function addTeaching(db: Db, actor: Actor, departmentId: string, input: NewTeaching): Promise<string> {
  const department = await departmentOf(db, actor.user, departmentId);
  if (![input.termId, input.instructorId, input.subjectId].every(isUuid))
    throw new AppError('invalid_input', 'admin.teaching.incomplete');
  const [term, subject, instructor] = await Promise.all([
    db
      .selectFrom('term')
      .select('id')
      .where('id', '=', input.termId)
      .where('archived_at', 'is', null)
      .executeTakeFirst(),
    db
      .selectFrom('subject')
      .select('id')
      .where('id', '=', input.subjectId)
      .where('department_id', '=', department.id)
      .where('archived_at', 'is', null)
      .executeTakeFirst(),
    // An instructor of this department (what the page offers): a head assigns their own staff.
    db
      .selectFrom('role_assignment as ra')
      .innerJoin('app_user as u', 'u.id', 'ra.user_id')
      .select('u.id')
      .where('u.id', '=', input.instructorId)
      .where('ra.role', '=', 'instructor')
      .where('ra.department_id', '=', department.id)
      .where('ra.ended_at', 'is', null)
      .where('u.disabled_at', 'is', null)
      .executeTakeFirst(),
  ]);
  if (!term || !subject || !instructor) throw new AppError('invalid_input', 'admin.teaching.incomplete');
  const groupIds = await checkGroups(db, input.instructorId, input.groupIds);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('teaching_assignment')
      .select(['id', 'ended_at'])
      .where('term_id', '=', term.id)
      .where('instructor_id', '=', instructor.id)
      .where('subject_id', '=', subject.id)
      .executeTakeFirst();
    if (existing && !existing.ended_at) throw new AppError('conflict', 'admin.teaching.exists');
    const row = await trx
      .insertInto('teaching_assignment')
      .values({ term_id: term.id, instructor_id: instructor.id, subject_id: subject.id })
      .onConflict((oc) => oc.columns(['term_id', 'instructor_id', 'subject_id']).doUpdateSet({ ended_at: null }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .deleteFrom('teaching_assignment_group')
      .where('teaching_assignment_id', '=', row.id)
      .where('group_id', 'not in', groupIds)
      .execute();
    await trx
      .insertInto('teaching_assignment_group')
      .values(groupIds.map((group_id) => ({ teaching_assignment_id: row.id, group_id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'teaching.add',
      objectType: 'teaching_assignment',
      objectId: row.id,
      ip: actor.ip,
      data: { ...input, groupIds },
    });
    return row.id;
  });
}

async function teachingInDepartment(db: Db, user: Principal, teachingId: string) {
  const row = isUuid(teachingId)
    ? await db
        .selectFrom('teaching_assignment as ta')
        .innerJoin('subject as s', 's.id', 'ta.subject_id')
        .select(['ta.id', 'ta.instructor_id', 's.department_id'])
        .where('ta.id', '=', teachingId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('not_found');
  requirePermission(user, 'teaching.edit', { departmentId: row.department_id });
  return row;
}

/** Re-scopes an assignment to these groups; its cabinet keeps everything delivered in it. */
export async function setTeachingGroups(db: Db, actor: Actor, teachingId: string, groupIds: string[]): Promise<void> {
  const row = await teachingInDepartment(db, actor.user, teachingId);
  const ids = await checkGroups(db, row.instructor_id, groupIds);
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('teaching_assignment_group')
      .where('teaching_assignment_id', '=', row.id)
      .where('group_id', 'not in', ids)
      .execute();
    await trx
      .insertInto('teaching_assignment_group')
      .values(ids.map((group_id) => ({ teaching_assignment_id: row.id, group_id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'teaching.groups',
      objectType: 'teaching_assignment',
      objectId: row.id,
      ip: actor.ip,
      data: { groupIds: ids },
    });
  });
}

/** Ends an assignment (its cabinet stays readable and in the reports) or brings it back. */
export async function setTeachingEnded(db: Db, actor: Actor, teachingId: string, ended: boolean): Promise<void> {
  const row = await teachingInDepartment(db, actor.user, teachingId);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('teaching_assignment')
      .set({ ended_at: ended ? new Date() : null })
      .where('id', '=', row.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: ended ? 'teaching.end' : 'teaching.reopen',
      objectType: 'teaching_assignment',
      objectId: row.id,
      ip: actor.ip,
    });
  });
}
