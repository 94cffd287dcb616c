// The head's one-click reminder through the report's action: what is overdue per instructor, one
// reminder however often pressed, only the head may send, and the instructor sees it until read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action as homeAction, loader as homeLoader } from './_index.tsx';
import { action as reportAction, loader as reportLoader } from './reports.departments.$departmentId.tsx';
import { demoCabinet, demoScopeOf } from '../../tests/helpers/demo-cabinet.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import type { DepartmentReport } from '../../server/reports/department-report.ts';

let server: TestServer;
let departmentId: string;
let instructorId: string;
const db = () => server.services.db;
const context = () => ({ services: server.services, clientIp: '10.0.0.1' });
const post = async (account: string, url: string, fields: Record<string, string>) =>
  new Request(`http://kabinet.test${url}`, {
    method: 'POST',
    headers: { cookie: await server.cookieFor(account) },
    body: new URLSearchParams(fields),
  });
const remind = async (account: string, who = instructorId) =>
  settle(async () =>
    reportAction({
      request: await post(account, `/reports/departments/${departmentId}`, { intent: 'remind', instructorId: who }),
      params: { departmentId },
      context: context(),
    }),
  );
const home = async (account: string) =>
  (await homeLoader({
    request: new Request('http://kabinet.test/', { headers: { cookie: await server.cookieFor(account) } }),
    params: {},
    context: context(),
  })) as { notifications: { id: string; reminder: { slots: unknown[] } }[] };

beforeAll(async () => {
  server = await startTestServer();
  const cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
  instructorId = cabinet.user.id;
  departmentId = (await demoScopeOf(db(), 'head')).departmentId!;
});
afterAll(async () => {
  await server?.close();
});

describe('reminders', () => {
  it('lists what is overdue per instructor, and only the head may remind', async () => {
    const report = (await settle(async () =>
      reportLoader({
        request: new Request(`http://kabinet.test/reports/departments/${departmentId}`, {
          headers: { cookie: await server.cookieFor('head') },
        }),
        params: { departmentId },
        context: context(),
      }),
    )) as DepartmentReport;
    const mine = report.overdue.find((entry) => entry.instructorId === instructorId)!;
    expect(mine.slots.length).toBe(report.rows.find((r) => r.instructorId === instructorId)!.measures.total.overdue);
    expect(report.canRemind).toBe(true);
    for (const account of ['dean', 'rector', 'head2', 'instructor', 'student'])
      expect(statusOf(await remind(account))).toBe(403);
    expect(await db().selectFrom('notification').select('id').execute()).toEqual([]);
  });

  it('sends one reminder however often pressed; the instructor sees it until they mark it read', async () => {
    expect(statusOf(await remind('head'))).toBe(200);
    expect(statusOf(await remind('head'))).toBe(200);
    expect(await db().selectFrom('notification').select('id').execute()).toHaveLength(1);
    const { notifications } = await home('instructor');
    expect(notifications).toHaveLength(1);
    expect(notifications[0]!.reminder.slots.length).toBeGreaterThan(0);
    // No SMTP configured here: the reminder is in-app only, no e-mail job waits.
    const { sql } = await import('kysely');
    expect((await sql`select id from pgboss.job where name = 'send-reminder-email'`.execute(db())).rows).toEqual([]);
    expect((await home('instructor2')).notifications).toEqual([]);
    const markRead = async (account: string) =>
      settle(async () =>
        homeAction({
          request: await post(account, '/', { intent: 'mark-read', notificationId: notifications[0]!.id }),
          params: {},
          context: context(),
        }),
      );
    expect(statusOf(await markRead('instructor2'))).toBe(404);
    expect(statusOf(await markRead('instructor'))).toBe(200);
    expect((await home('instructor')).notifications).toEqual([]);
  });

  it('refuses a reminder to an instructor with nothing overdue', async () => {
    const other = await db()
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'instructor3@demo.kabinet.kg')
      .executeTakeFirstOrThrow();
    const refused = await remind('head', other.id);
    expect(statusOf(refused)).toBe(409);
    expect(JSON.stringify(refused)).toContain('report.nothing_overdue');
  });
});
