// What Kabinet tells students on its own: a material, an assignment or a test published in a cabinet
// they study in, a deadline a day ahead they have not met yet, a grade. Each is one row per person
// (`about` keeps it once: publishing again after a correction tells nobody twice; grading again
// refreshes the grade's notice), written in the same transaction as what it tells about, so there is
// never a notice of something that did not happen nor the other way round. What it says is kept as
// it stood (`NoticeData`); the list hides notices of what was since removed or unpublished.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database, Locale, NotificationKind, NotifyEmail } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Actor, Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { localName, type Names } from '../i18n/names.ts';
import type { OverdueReminder } from '../reports/reminders.ts';

export type NoticeWhat = 'lecture' | 'material' | 'assignment' | 'test';

/** What a notice says about an item, as it stood when it was told. */
export type NoticeData = {
  what: NoticeWhat;
  title: string;
  subject: Names;
  cabinetId: string;
  itemId: string;
  assignmentId: string | null;
  quizId: string | null;
  /** The assignment's deadline or the test's close. */
  dueAt: string | null;
  /** A grade: its score out of the assignment's maximum, and whether the instructor wrote feedback. */
  score?: string;
  maxScore?: string;
  withFeedback?: boolean;
};

export type NoticeView = {
  id: string;
  kind: NotificationKind;
  createdAt: string;
  read: boolean;
  /** Where opening it leads (decided here, never taken from the request). */
  target: string;
} & (
  | { kind: 'overdue_reminder'; reminder: OverdueReminder }
  | { kind: 'published' | 'deadline' | 'graded'; notice: NoticeData; subjectName: string }
);

/** An item with its cabinet, subject, slot and, when it is one, its assignment or test. */
const itemContext = sql`item i
  join cabinet c on c.id = i.cabinet_id
  join teaching_assignment ta on ta.id = c.teaching_assignment_id
  join subject sub on sub.id = ta.subject_id
  left join slot s on s.id = i.slot_id
  left join assignment a on a.item_id = i.id
  left join quiz q on q.item_id = i.id`;

/** The students of the cabinet's groups (a student in two of its groups once). */
const cabinetStudents = sql`cross join lateral (
  select distinct gs.student_id from teaching_assignment_group tag
  join group_student gs on gs.group_id = tag.group_id
  where tag.teaching_assignment_id = ta.id) st`;

/** `NoticeData` of the item in `itemContext`, built by the database in the statement that tells it. */
const noticeData = (extra = sql`'{}'::jsonb`) => sql`jsonb_build_object(
  'what', case when a.id is not null then 'assignment' when q.id is not null then 'test'
    when s.kind = 'lecture_video' then 'lecture' else 'material' end,
  'title', i.title,
  'subject', jsonb_build_object('name', sub.name, 'name_ru', sub.name_ru, 'name_en', sub.name_en),
  'cabinetId', i.cabinet_id, 'itemId', i.id, 'assignmentId', a.id, 'quizId', q.id,
  'dueAt', coalesce(a.due_at, q.closes_at)) || ${extra}`;

/** Tells the cabinet's students that an item was published (once per item: publishing again tells nobody). */
export async function tellPublished(trx: Transaction<Database>, itemId: string): Promise<void> {
  await sql`
    insert into notification (user_id, kind, data, about)
    select st.student_id, 'published', ${noticeData()}, 'published:' || i.id
    from ${itemContext} ${cabinetStudents}
    where i.id = ${itemId}
    on conflict (user_id, about) where about is not null do nothing`.execute(trx);
}

/** Tells a student their work was graded; grading again brings the notice back up, unread. */
export async function tellGraded(
  trx: Transaction<Database>,
  assignmentId: string,
  studentId: string,
  grade: { score: number; feedback: string },
): Promise<void> {
  const extra = sql`jsonb_build_object('score', ${String(grade.score)}::text, 'maxScore', a.max_score::float8::text,
    'withFeedback', ${grade.feedback !== ''}::boolean)`;
  await sql`
    insert into notification (user_id, kind, data, about)
    select ${studentId}, 'graded', ${noticeData(extra)}, 'graded:' || i.id
    from ${itemContext}
    where a.id = ${assignmentId}
    on conflict (user_id, about) where about is not null
    do update set data = excluded.data, created_at = now(), read_at = null, mailed_at = null`.execute(trx);
}

/** The reminder ahead of a deadline: this long before it. */
export const DEADLINE_AHEAD_MS = 24 * 60 * 60 * 1000;

/**
 * Tells each student of a published assignment due within a day that they have not handed in, and of
 * a test closing within a day that they have not finished, once. Run every few minutes by a job;
 * how many notices it wrote.
 */
export async function tellDeadlines(db: Kysely<Database>, now: Date = new Date()): Promise<number> {
  const until = new Date(now.getTime() + DEADLINE_AHEAD_MS);
  // From what is due within the day (indexed), never a walk over every item.
  const result = await sql`
    insert into notification (user_id, kind, data, about)
    select st.student_id, 'deadline', ${noticeData()}, 'deadline:' || i.id
    from ${itemContext} ${cabinetStudents}
    where i.id in (
        select item_id from assignment where due_at > ${now} and due_at <= ${until}
        union all select item_id from quiz where closes_at > ${now} and closes_at <= ${until})
      and i.status = 'published' and i.removed_at is null and ta.ended_at is null
      and (
        (a.id is not null
          and not exists (select 1 from submission sm where sm.assignment_id = a.id and sm.student_id = st.student_id))
        or (q.id is not null
          and not exists (select 1 from quiz_attempt qa
            where qa.quiz_id = q.id and qa.student_id = st.student_id and qa.finished_at is not null)))
    on conflict (user_id, about) where about is not null do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** A person's notices, newest first, without those about what was since removed or unpublished. */
export function visibleNotices(db: Db, userId: string) {
  return db
    .selectFrom('notification as n')
    .leftJoin('item', (join) => join.on(sql`item.id`, '=', sql`(n.data->>'itemId')::uuid`))
    .where('n.user_id', '=', userId)
    .where((eb) =>
      eb.or([
        eb('n.kind', '=', 'overdue_reminder'),
        eb.and([eb('item.status', '=', 'published'), eb('item.removed_at', 'is', null)]),
      ]),
    );
}

/** Where a notice leads: the assignment, the test, the item in its cabinet; a reminder, the home page. */
export function noticeTarget(kind: NotificationKind, data: unknown): string {
  if (kind === 'overdue_reminder') return '/';
  const notice = data as NoticeData;
  if (notice.assignmentId) return `/assignments/${notice.assignmentId}`;
  if (notice.quizId) return `/quizzes/${notice.quizId}`;
  return `/cabinets/${notice.cabinetId}#item-${notice.itemId}`;
}

export function noticeView(
  row: { id: string; kind: NotificationKind; created_at: Date; read_at: Date | null; data: unknown },
  locale: Locale,
): NoticeView {
  const common = {
    id: row.id,
    createdAt: row.created_at.toISOString(),
    read: row.read_at !== null,
    target: noticeTarget(row.kind, row.data),
  };
  return row.kind === 'overdue_reminder'
    ? { ...common, kind: row.kind, reminder: row.data as OverdueReminder }
    : {
        ...common,
        kind: row.kind,
        notice: row.data as NoticeData,
        subjectName: localName((row.data as NoticeData).subject, locale),
      };
}

/** The list page: the latest notices (read or not). */
export const NOTICE_PAGE = 50;

export async function listNotices(db: Db, user: Principal & { locale: Locale }): Promise<NoticeView[]> {
  const rows = await visibleNotices(db, user.id)
    .select(['n.id', 'n.kind', 'n.created_at', 'n.read_at', 'n.data'])
    .orderBy('n.created_at', 'desc')
    .orderBy('n.id')
    .limit(NOTICE_PAGE)
    .execute();
  return rows.map((row) => noticeView(row, user.locale));
}

/** Unread notices, counted up to `cap` (the header shows "99+" beyond). */
export async function unreadCount(db: Db, userId: string, cap = 100): Promise<number> {
  const rows = await visibleNotices(db, userId).where('n.read_at', 'is', null).select('n.id').limit(cap).execute();
  return rows.length;
}

/** Marks one's own notice read and says where it leads; anyone else's is "not found". */
export async function openNotice(db: Db, user: Principal, notificationId: string): Promise<string> {
  if (!isUuid(notificationId)) throw new AppError('not_found');
  const row = await db
    .updateTable('notification')
    .set({ read_at: sql`coalesce(read_at, now())` })
    .where('id', '=', notificationId)
    .where('user_id', '=', user.id)
    .returning(['kind', 'data'])
    .executeTakeFirst();
  if (!row) throw new AppError('not_found');
  return noticeTarget(row.kind, row.data);
}

export async function markAllRead(db: Db, user: Principal): Promise<void> {
  await db
    .updateTable('notification')
    .set({ read_at: new Date() })
    .where('user_id', '=', user.id)
    .where('read_at', 'is', null)
    .execute();
}

/** How one wants notices e-mailed, and whether this server sends e-mail at all. */
export async function notifyEmailOf(db: Db, userId: string): Promise<NotifyEmail> {
  const row = await db.selectFrom('app_user').select('notify_email').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.notify_email;
}

export async function setNotifyEmail(db: Db, actor: Actor, choice: NotifyEmail): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ notify_email: choice }).where('id', '=', actor.user.id).execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'account.notify_email',
      objectType: 'app_user',
      objectId: actor.user.id,
      ip: actor.ip,
      data: { choice },
    });
  });
}
