// What students are told, on the demo university: a publish tells the cabinet's students (and only
// them) once; a deadline a day ahead tells those who have not handed in, once; a grade tells its
// student, again when it changes; the list hides what was unpublished; nobody opens another's
// notice. The e-mail copy goes through a real SMTP server on loopback, per each person's choice,
// and a mail server away loses nothing. The calendar feed answers over HTTP to its token only.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet, principal } from '../../tests/helpers/demo-cabinet.ts';
import { startSmtpServer } from '../../tests/helpers/smtp-server.ts';
import { settle } from '../../tests/helpers/route-calls.ts';
import { testServerForFile } from '../../tests/helpers/test-server.ts';
import { loader as calendarRoute } from '../../app/routes/calendar.$file.ts';
import { createAssignment } from '../assignments/assignments.ts';
import { gradeSubmission } from '../assignments/grades.ts';
import { setItemStatus } from '../cabinets/items.ts';
import { formatTimestamp } from '../common/format.ts';
import { AppError } from '../errors.ts';
import { calendarFeed, createCalendarFeed, revokeCalendarFeed } from './calendar.ts';
import { mailNotices, settleWithoutMail } from './notice-mail.ts';
import { listNotices, openNotice, tellDeadlines, unreadCount } from './notices.ts';

const test = testServerForFile({ reports: false });
/** GET /calendar/<file> through its route. */
const feed = async (file: string): Promise<Response> => {
  const request = new Request(`http://kabinet.test/calendar/${file}`);
  const context = { services: test.server.services, clientIp: '10.0.0.1' };
  return (await settle(() => calendarRoute({ request, params: { file }, context }))) as Response;
};
const db = () => test.server.services.db;
const hour = 3600_000;

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const mail = () => ({ url: smtp.url, from: 'Kabinet <kabinet@demo.kabinet.kg>' });

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(() => smtp?.close());

/** A local date-time (the term's zone) `hours` from now, as the assignment form takes it. */
const localIn = (hours: number) =>
  formatTimestamp(new Date(Date.now() + hours * hour).toISOString(), 'Asia/Bishkek').replace(' ', 'T');

async function newAssignment(title: string, dueInHours: number) {
  const cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
  const actor = { user: cabinet.user, ip: null };
  const assignmentId = await createAssignment(
    db(),
    actor,
    { cabinetId: cabinet.cabinetId, slotId: null },
    {
      title,
      instructions: '',
      opensAt: '',
      dueAt: localIn(dueInHours),
      latePolicy: 'accept_late',
      maxScore: 10,
      allowedExtensions: ['pdf'],
      maxFiles: 1,
      maxFileMib: 5,
    },
  );
  const { item_id: itemId } = await db()
    .selectFrom('assignment')
    .select('item_id')
    .where('id', '=', assignmentId)
    .executeTakeFirstOrThrow();
  return { cabinet, actor, assignmentId, itemId };
}

/** The students of MATH-101's groups, by the registrar's group names rather than the query under test. */
async function mathStudents(): Promise<string[]> {
  const rows = await db()
    .selectFrom('group_student')
    .innerJoin('study_group', 'study_group.id', 'group_student.group_id')
    .select('group_student.student_id')
    .where('study_group.name', 'in', ['ПМИ-1-24', 'ПМИ-2-24з'])
    .execute();
  return [...new Set(rows.map((row) => row.student_id))].sort();
}

const toldAbout = async (about: string) =>
  (await db().selectFrom('notification').select('user_id').where('about', '=', about).execute())
    .map((row) => row.user_id)
    .sort();

describe('students are told', () => {
  it('of a publish: each student of the cabinet once, nobody else; hidden again when unpublished', async () => {
    const { actor, assignmentId, itemId } = await newAssignment('Үй тапшырмасы 1', 72);
    expect(await toldAbout(`published:${itemId}`)).toEqual([]); // a draft tells nobody
    await setItemStatus(db(), actor, itemId, 'published');
    const students = await mathStudents();
    expect(students.length).toBeGreaterThan(10);
    expect(await toldAbout(`published:${itemId}`)).toEqual(students);
    const outsider = await principal(db(), 'student60');
    expect(students).not.toContain(outsider.id);

    const student = await principal(db(), 'student');
    const [notice] = await listNotices(db(), student);
    expect(notice).toMatchObject({ kind: 'published', read: false, target: `/assignments/${assignmentId}` });
    expect(await unreadCount(db(), student.id)).toBe(1);

    await setItemStatus(db(), actor, itemId, 'draft');
    expect(await listNotices(db(), student)).toEqual([]);
    expect(await unreadCount(db(), student.id)).toBe(0);
    await setItemStatus(db(), actor, itemId, 'published');
    expect(await toldAbout(`published:${itemId}`)).toEqual(students); // not twice
    expect(await unreadCount(db(), student.id)).toBe(1);

    // Opening marks it read and says where it leads; another's notice is "not found".
    await expect(openNotice(db(), outsider, notice!.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(openNotice(db(), student, 'not-a-uuid')).rejects.toBeInstanceOf(AppError);
    expect(await openNotice(db(), student, notice!.id)).toBe(`/assignments/${assignmentId}`);
    expect(await unreadCount(db(), student.id)).toBe(0);
  });

  it('of a deadline a day ahead, once, unless they handed in; and of a grade, again when it changes', async () => {
    const soon = await newAssignment('Эссе', 20);
    const later = await newAssignment('Курстук иш', 40);
    await setItemStatus(db(), soon.actor, soon.itemId, 'published');
    await setItemStatus(db(), later.actor, later.itemId, 'published');
    const handedIn = await principal(db(), 'student2');
    await db()
      .insertInto('submission')
      .values({ assignment_id: soon.assignmentId, student_id: handedIn.id, version: 1, late: false })
      .execute();

    const students = await mathStudents();
    expect(await tellDeadlines(db())).toBe(students.length - 1);
    expect(await toldAbout(`deadline:${soon.itemId}`)).toEqual(students.filter((id) => id !== handedIn.id));
    expect(await toldAbout(`deadline:${later.itemId}`)).toEqual([]);
    expect(await tellDeadlines(db())).toBe(0);
    expect(await tellDeadlines(db(), new Date(Date.now() + 20 * hour))).toBe(students.length);

    await gradeSubmission(db(), soon.actor, soon.assignmentId, { studentId: handedIn.id, score: 7.5, feedback: '' });
    const graded = async () => (await listNotices(db(), handedIn)).filter((notice) => notice.kind === 'graded');
    expect(await graded()).toMatchObject([{ notice: { score: '7.5', maxScore: '10', withFeedback: false } }]);
    await openNotice(db(), handedIn, (await graded())[0]!.id);
    await gradeSubmission(db(), soon.actor, soon.assignmentId, {
      studentId: handedIn.id,
      score: 9,
      feedback: 'Жакшы иш.',
    });
    expect(await graded()).toMatchObject([{ read: false, notice: { score: '9', withFeedback: true } }]);
  });
});

describe('the e-mail copy', () => {
  it('goes at once, daily or never as each person chose, once; a mail server away loses nothing', async () => {
    const { actor, itemId } = await newAssignment('Лабораториялык иш 3', 100);
    const [now, never] = [await principal(db(), 'student3'), await principal(db(), 'student4')];
    await db().updateTable('app_user').set({ notify_email: 'daily' }).execute();
    await db()
      .updateTable('app_user')
      .set({ notify_email: 'immediately', locale: 'ru' })
      .where('id', '=', now.id)
      .execute();
    await db().updateTable('app_user').set({ notify_email: 'never' }).where('id', '=', never.id).execute();
    // The earlier tests' notices went in yesterday's digest.
    await db()
      .updateTable('notification')
      .set({ mailed_at: new Date(Date.now() - 30 * hour) })
      .execute();
    await setItemStatus(db(), actor, itemId, 'published');

    // Away: the notice is given back, unmailed.
    await expect(
      mailNotices(db(), { ...mail(), url: 'smtp://127.0.0.1:9' }, 'immediately', undefined),
    ).rejects.toThrow();
    const unmailed = await db()
      .selectFrom('notification')
      .select('id')
      .where('user_id', '=', now.id)
      .where('mailed_at', 'is', null)
      .execute();
    expect(unmailed).toHaveLength(1);

    smtp.received.length = 0;
    expect(await mailNotices(db(), mail(), 'immediately', 'https://kabinet.example.kg')).toEqual({
      people: 1,
      notices: 1,
    });
    expect(smtp.received.map((message) => message.to)).toEqual([['student3@demo.kabinet.kg']]);
    const parsed = await simpleParser(smtp.received[0]!.raw);
    expect(parsed.subject).toBe('Kabinet: 1 новое уведомление');
    expect(parsed.text).toContain('Лабораториялык иш 3');
    expect(parsed.text).toContain('https://kabinet.example.kg/notifications');
    expect(await mailNotices(db(), mail(), 'immediately', undefined)).toEqual({ people: 0, notices: 0 });

    const students = await mathStudents();
    const daily = await mailNotices(db(), mail(), 'daily', undefined);
    expect(daily).toEqual({ people: students.length - 2, notices: students.length - 2 });
    expect(smtp.received.flatMap((message) => message.to)).not.toContain('student4@demo.kabinet.kg');
    expect(await mailNotices(db(), mail(), 'daily', undefined)).toEqual({ people: 0, notices: 0 });
    const neverLeft = await db()
      .selectFrom('notification')
      .select('id')
      .where('user_id', '=', never.id)
      .where('mailed_at', 'is', null)
      .execute();
    expect(neverLeft).toEqual([]);

    // Without a mail server nothing waits for one: SMTP set later mails from then on.
    await setItemStatus(db(), actor, (await newAssignment('Кийинки иш', 120)).itemId, 'published');
    const waiting = () =>
      db()
        .selectFrom('notification')
        .select('id')
        .where('mailed_at', 'is', null)
        .where('kind', '<>', 'overdue_reminder')
        .execute();
    expect((await waiting()).length).toBeGreaterThan(10);
    await settleWithoutMail(db());
    expect(await waiting()).toEqual([]);
  });
});

describe('the calendar feed', () => {
  it('lists deadlines for its token only, through its route; a new address or turning it off ends the old one', async () => {
    const { actor, itemId } = await newAssignment('Календардагы тапшырма', 50);
    await setItemStatus(db(), actor, itemId, 'published');
    const { assignmentId } = (await db()
      .selectFrom('assignment')
      .select('id as assignmentId')
      .where('item_id', '=', itemId)
      .executeTakeFirstOrThrow()) as { assignmentId: string };
    const student = { user: await principal(db(), 'student'), ip: null };
    const token = await createCalendarFeed(db(), student);
    const response = await feed(`${token}.ics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/calendar');
    const text = await response.text();
    expect(text).toContain('BEGIN:VCALENDAR');
    expect(text).toContain(`UID:assignment-${itemId}@kabinet`);
    expect(text).toContain('Календардагы тапшырма');
    expect(text.replace(/\r\n /g, '')).toContain(`/assignments/${assignmentId}`);
    // An outsider's feed has no MATH-101 deadline.
    const outsiderToken = await createCalendarFeed(db(), { user: await principal(db(), 'student60'), ip: null });
    expect(await calendarFeed(db(), outsiderToken, 'https://x')).not.toContain('Календардагы тапшырма');
    // A disabled person's feed answers nothing.
    await db()
      .updateTable('app_user')
      .set({ disabled_at: new Date() })
      .where('email', '=', 'student60@demo.kabinet.kg')
      .execute();
    expect(await calendarFeed(db(), outsiderToken, 'https://x')).toBeNull();

    const renewed = await createCalendarFeed(db(), student);
    expect((await feed(`${token}.ics`)).status).toBe(404);
    expect((await feed(`${renewed}.ics`)).status).toBe(200);
    await revokeCalendarFeed(db(), student);
    expect((await feed(`${renewed}.ics`)).status).toBe(404);
    expect((await feed(`nothing.ics`)).status).toBe(404);
  });
});
