// A person's private calendar feed (iCal): the deadlines of the assignments and the windows of the
// tests in the cabinets they study in (or teach), for a phone's calendar to subscribe to. Its address
// holds a random token, only whose hash is stored; making a new one or turning it off ends the old
// one at once. What the feed shows is decided by the permission module, as for the pages.
import { randomBytes } from 'node:crypto';
import ical, { ICalAlarmType } from 'ical-generator';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { can, visibleCabinets, type Actor, type Principal } from '../auth/permissions.ts';
import { whereVisible } from '../cabinets/cabinet-list.ts';
import { hashToken, loadPrincipal } from '../auth/sessions.ts';
import { cabinetScopeQuery, scopeOf } from '../cabinets/scope.ts';
import { translatorFor } from '../i18n/i18n.ts';
import { localName } from '../i18n/names.ts';

/** Events in a feed, at most; a term has a few dozen. */
const MAX_EVENTS = 500;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The feed looks this far back (and ahead without end: a deadline set for next term is still one). */
const PAST_DAYS = 60;

/** Makes the person's feed address (ending the one before, if any); the token, shown to them once. */
export async function createCalendarFeed(db: Db, actor: Actor): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('calendar_feed')
      .values({ user_id: actor.user.id, token_hash: hashToken(token) })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ token_hash: hashToken(token), created_at: new Date() }))
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'calendar.create',
      objectType: 'app_user',
      objectId: actor.user.id,
      ip: actor.ip,
    });
  });
  return token;
}

export async function revokeCalendarFeed(db: Db, actor: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom('calendar_feed').where('user_id', '=', actor.user.id).executeTakeFirst();
    if (Number(removed.numDeletedRows) > 0)
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: 'calendar.revoke',
        objectType: 'app_user',
        objectId: actor.user.id,
        ip: actor.ip,
      });
  });
}

/** When the person's feed address was made, or null when they have none. */
export async function calendarFeedSince(db: Db, userId: string): Promise<string | null> {
  const row = await db
    .selectFrom('calendar_feed')
    .select('created_at')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? row.created_at.toISOString() : null;
}

type Deadline = {
  itemId: string;
  title: string;
  subject: string;
  kind: 'assignment' | 'test';
  /** The assignment's opening or the test's, when set. */
  opensAt: Date | null;
  /** The assignment's deadline or the test's close. */
  closesAt: Date;
  path: string;
};

/** The published assignments and tests from 60 days ago on, in the cabinets the person may see as a student or their instructor. */
async function deadlinesOf(db: Db, user: Principal & { locale: 'ky' | 'ru' | 'en' }, now: Date): Promise<Deadline[]> {
  const from = new Date(now.getTime() - PAST_DAYS * DAY_MS);
  // What one studies in or teaches; not what one oversees (a head's feed is their own deadlines).
  const ownCabinets = visibleCabinets(user).filter(
    (filter) => filter.kind === 'groups' || filter.kind === 'instructor',
  );
  if (ownCabinets.length === 0) return [];
  const rows = await cabinetScopeQuery(db)
    .innerJoin('item', 'item.cabinet_id', 'cabinet.id')
    .leftJoin('assignment', 'assignment.item_id', 'item.id')
    .leftJoin('quiz', 'quiz.item_id', 'item.id')
    .select([
      'item.id as itemId',
      'item.title',
      'item.status',
      'subject.name',
      'subject.name_ru',
      'subject.name_en',
      'assignment.id as assignmentId',
      'assignment.opens_at as assignmentOpens',
      'assignment.due_at as assignmentDue',
      'quiz.id as quizId',
      'quiz.opens_at as quizOpens',
      'quiz.closes_at as quizCloses',
    ])
    .where('item.status', '=', 'published')
    .where('item.removed_at', 'is', null)
    .where((eb) => whereVisible(eb, ownCabinets))
    .where((eb) => eb.or([eb('assignment.due_at', '>=', from), eb('quiz.closes_at', '>=', from)]))
    .orderBy('item.id')
    .limit(MAX_EVENTS)
    .execute();
  return rows.flatMap((row): Deadline[] => {
    if (!can(user, 'item.view', { cabinet: scopeOf(row), status: row.status })) return [];
    const subject = localName(row, user.locale);
    if (row.assignmentId && row.assignmentDue)
      return [
        {
          itemId: row.itemId,
          title: row.title,
          subject,
          kind: 'assignment',
          opensAt: row.assignmentOpens,
          closesAt: row.assignmentDue,
          path: `/assignments/${row.assignmentId}`,
        },
      ];
    if (row.quizId && row.quizCloses)
      return [
        {
          itemId: row.itemId,
          title: row.title,
          subject,
          kind: 'test',
          opensAt: row.quizOpens,
          closesAt: row.quizCloses,
          path: `/quizzes/${row.quizId}`,
        },
      ];
    return [];
  });
}

/**
 * The feed behind a token, as iCalendar text, or null for a token that is not (or no longer) anyone's.
 * An assignment is an event at its deadline with a reminder a day before; a test, its window (or
 * its closing moment when it has no opening).
 */
export async function calendarFeed(
  db: Db,
  token: string,
  origin: string,
  now: Date = new Date(),
): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const feed = await db
    .selectFrom('calendar_feed')
    .select('user_id')
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  const user = feed ? await loadPrincipal(db, feed.user_id) : null;
  if (!user) return null;
  const t = translatorFor(user.locale);
  const calendar = ical({ name: t('calendar.name'), prodId: { company: 'Kabinet', product: 'kabinet' }, ttl: 3600 });
  for (const deadline of await deadlinesOf(db, user, now)) {
    const window = deadline.kind === 'test' && deadline.opensAt && deadline.opensAt < deadline.closesAt;
    calendar.createEvent({
      id: `${deadline.kind}-${deadline.itemId}@kabinet`,
      start: window ? deadline.opensAt! : deadline.closesAt,
      end: deadline.closesAt,
      stamp: now,
      summary: t(deadline.kind === 'test' ? 'calendar.test' : 'calendar.assignment', {
        title: deadline.title,
        subject: deadline.subject,
      }),
      description: deadline.subject,
      url: `${origin}${deadline.path}`,
      alarms: deadline.kind === 'assignment' ? [{ type: ICalAlarmType.display, trigger: DAY_MS / 1000 }] : [],
    });
  }
  return calendar.toString();
}
