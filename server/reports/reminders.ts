// Overdue plan slots per instructor of a department, and the head's one-click reminder: an in-app
// notification the instructor sees on their home page, listing what was overdue when it was sent.
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Principal, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { currentTerm } from '../cabinets/term.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { OverdueSlot } from './department-page.ts';

export type { OverdueSlot };

export type InstructorOverdue = { instructorId: string; instructorName: string; slots: OverdueSlot[] };
export type OverdueReminder = { departmentName: string; senderName: string; slots: OverdueSlot[] };

/** A head sending twice in a row (a double click, an impatient second press) sends one reminder. */
const REPEAT_WINDOW_MS = 10 * 60_000;

/**
 * Every plan slot of the department due by `now` and not delivered, grouped by instructor. From the
 * raw rows by the one delivery rule (`live`: `slot_delivery`, for a reminder, which never waits for
 * the refresher), or from the refresher's facts (`slot_fact`, for a report, so that its list agrees
 * with its counts).
 */
export async function overdueByInstructor(
  db: Db,
  departmentId: string,
  termId: string,
  now: Date,
  options: { instructorId?: string; live: boolean },
): Promise<InstructorOverdue[]> {
  const { instructorId } = options;
  const columns = ['slot_id', 'cabinet_id', 'due_at', 'delivered_at'] as const;
  const facts = options.live
    ? db.selectFrom('slot_delivery').select(columns)
    : db.selectFrom('slot_fact').select(columns);
  const rows = await db
    .selectFrom(facts.as('d'))
    .innerJoin('slot', 'slot.id', 'd.slot_id')
    .innerJoin('cabinet', 'cabinet.id', 'd.cabinet_id')
    .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .innerJoin('app_user as instructor', 'instructor.id', 'ta.instructor_id')
    .select([
      'instructor.id as instructorId',
      'instructor.full_name',
      'cabinet.id as cabinetId',
      'subject.code',
      'subject.name',
      'slot.kind',
      'slot.number',
      'slot.due_at',
    ])
    .where('subject.department_id', '=', departmentId)
    .where('ta.term_id', '=', termId)
    .where('d.due_at', '<=', now)
    .where((eb) => eb.or([eb('d.delivered_at', 'is', null), eb('d.delivered_at', '>', now)]))
    .$if(instructorId !== undefined, (q) => q.where('ta.instructor_id', '=', instructorId!))
    .orderBy('instructor.full_name')
    .orderBy('slot.due_at')
    .orderBy('subject.code')
    .execute();
  const grouped = new Map<string, InstructorOverdue>();
  for (const row of rows) {
    const entry = grouped.get(row.instructorId) ?? {
      instructorId: row.instructorId,
      instructorName: row.full_name,
      slots: [],
    };
    entry.slots.push({
      cabinetId: row.cabinetId,
      subjectCode: row.code,
      subjectName: row.name,
      kind: row.kind,
      number: row.number,
      dueAt: row.due_at.toISOString(),
    });
    grouped.set(row.instructorId, entry);
  }
  return [...grouped.values()];
}

/**
 * The head reminds one instructor of the department about what is overdue now; with `email` (SMTP
 * configured) an e-mail copy is enqueued in the same transaction.
 */
export async function sendReminder(
  db: Db,
  actor: Actor,
  departmentId: string,
  instructorId: string,
  options: { now?: Date; email?: JobQueue | null } = {},
): Promise<string> {
  const now = options.now ?? new Date();
  const department = isUuid(departmentId)
    ? await db.selectFrom('department').select(['id', 'name']).where('id', '=', departmentId).executeTakeFirst()
    : undefined;
  if (!department) throw new AppError('not_found');
  requirePermission(actor.user, 'report.remind', { departmentId });
  const term = await currentTerm(db);
  if (!term || !isUuid(instructorId)) throw new AppError('not_found');
  const [overdue] = await overdueByInstructor(db, departmentId, term.id, now, { instructorId, live: true });
  if (!overdue) throw new AppError('conflict', 'report.nothing_overdue');
  return db.transaction().execute(async (trx) => {
    const recent = await trx
      .selectFrom('notification')
      .select('id')
      .where('user_id', '=', instructorId)
      .where('created_by', '=', actor.user.id)
      .where('kind', '=', 'overdue_reminder')
      .where('read_at', 'is', null)
      .where('created_at', '>', new Date(now.getTime() - REPEAT_WINDOW_MS))
      .executeTakeFirst();
    if (recent) return recent.id;
    const sender = await trx
      .selectFrom('app_user')
      .select('full_name')
      .where('id', '=', actor.user.id)
      .executeTakeFirstOrThrow();
    const data: OverdueReminder = {
      departmentName: department.name,
      senderName: sender.full_name,
      slots: overdue.slots,
    };
    const created = await trx
      .insertInto('notification')
      .values({
        user_id: instructorId,
        kind: 'overdue_reminder',
        data: JSON.stringify(data),
        created_by: actor.user.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'report.remind',
      objectType: 'app_user',
      objectId: instructorId,
      ip: actor.ip,
      data: { departmentId, slots: overdue.slots.length },
    });
    if (options.email) await options.email.enqueue(trx, 'send-reminder-email', { notificationId: created.id });
    return created.id;
  });
}

export type NotificationView = { id: string; createdAt: string; reminder: OverdueReminder };

/** A user's unread reminders from heads, newest first (for the home page; every kind is on /notifications). */
export async function unreadNotifications(db: Db, user: Principal): Promise<NotificationView[]> {
  const rows = await db
    .selectFrom('notification')
    .select(['id', 'created_at', 'data'])
    .where('user_id', '=', user.id)
    .where('kind', '=', 'overdue_reminder')
    .where('read_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(20)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    createdAt: row.created_at.toISOString(),
    reminder: row.data as OverdueReminder,
  }));
}
