// Demo-university shortcuts for tests: a user as the permission module sees them, an open cabinet.
import { findSessionUser, type SessionUser } from '../../server/auth/sessions.ts';
import { createSession } from '../../server/auth/sessions.ts';
import { openCabinet } from '../../server/cabinets/teaching.ts';
import { currentTerm } from '../../server/cabinets/term.ts';
import type { Db } from '../../db/client.ts';

export async function principal(db: Db, account: string): Promise<SessionUser> {
  const row = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', `${account}@demo.kabinet.kg`)
    .executeTakeFirstOrThrow();
  const token = await createSession(db, { userId: row.id, ttlMs: 60_000, ip: null, userAgent: 'test' });
  const user = await findSessionUser(db, token);
  if (!user) throw new Error(`no session for ${account}`);
  return user;
}

/** Opens (or finds) the cabinet of `account` for a subject code and returns it with its slots. */
export async function demoCabinet(db: Db, account: string, subjectCode: string) {
  const user = await principal(db, account);
  const term = await currentTerm(db);
  const assignment = await db
    .selectFrom('teaching_assignment as ta')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .select('ta.id')
    .where('subject.code', '=', subjectCode)
    .where('ta.instructor_id', '=', user.id)
    .where('ta.term_id', '=', term!.id)
    .executeTakeFirstOrThrow();
  const cabinetId = await openCabinet(db, user, assignment.id);
  const slots = await db
    .selectFrom('slot')
    .selectAll()
    .where('cabinet_id', '=', cabinetId)
    .orderBy('week')
    .orderBy('kind')
    .orderBy('number')
    .execute();
  return { cabinetId, slots, teachingAssignmentId: assignment.id, user };
}

/** The department (head, instructor) or faculty (dean) of a demo account's first role assignment. */
export async function demoScopeOf(
  db: Db,
  account: string,
): Promise<{ departmentId: string | null; facultyId: string | null }> {
  const row = await db
    .selectFrom('role_assignment as ra')
    .innerJoin('app_user as u', 'u.id', 'ra.user_id')
    .select(['ra.department_id', 'ra.faculty_id'])
    .where('u.email', '=', `${account}@demo.kabinet.kg`)
    .where('ra.ended_at', 'is', null)
    .orderBy('ra.created_at')
    .executeTakeFirstOrThrow();
  return { departmentId: row.department_id, facultyId: row.faculty_id };
}
