// The e-mail copy of a head's reminder, through a real SMTP server on loopback (smtp-server): the
// job is enqueued with the reminder, the worker sends it in the instructor's language with every
// overdue slot, and without SMTP configured no e-mail job exists at all.
import { simpleParser } from 'mailparser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action as reportAction } from './reports.departments.$departmentId.tsx';
import { demoCabinet, demoScopeOf } from '../../tests/helpers/demo-cabinet.ts';
import { startSmtpServer } from '../../tests/helpers/smtp-server.ts';
import { settle } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { startWorkers } from '../../workers/run-workers.ts';

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let server: TestServer;
const db = () => server.services.db;

beforeAll(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({
    env: {
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Kabinet <kabinet@demo.kabinet.kg>',
      PUBLIC_ORIGIN: 'https://kabinet.example.kg',
    },
  });
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('reminder e-mail', () => {
  it('goes to the instructor in their language, listing what is overdue, from a job enqueued with the reminder', async () => {
    const cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
    await db().updateTable('app_user').set({ locale: 'ru' }).where('id', '=', cabinet.user.id).execute();
    const departmentId = (await demoScopeOf(db(), 'head')).departmentId!;
    const request = new Request(`http://kabinet.test/reports/departments/${departmentId}`, {
      method: 'POST',
      headers: { cookie: await server.cookieFor('head') },
      body: new URLSearchParams({ intent: 'remind', instructorId: cabinet.user.id }),
    });
    await settle(async () =>
      reportAction({ request, params: { departmentId }, context: { services: server.services, clientIp: '10.0.0.1' } }),
    );
    const notification = await db()
      .selectFrom('notification')
      .select(['id', 'data'])
      .where('user_id', '=', cabinet.user.id)
      .executeTakeFirstOrThrow();
    const jobs = await sql<{
      data: { notificationId: string };
    }>`select data from pgboss.job where name = 'send-reminder-email'`.execute(db());
    expect(jobs.rows.map((row) => row.data.notificationId)).toEqual([notification.id]);

    await startWorkers(server.services);
    await expect.poll(() => smtp.received.length, { timeout: 30_000, interval: 200 }).toBe(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['instructor@demo.kabinet.kg']);
    expect(mail!.from).toBe('kabinet@demo.kabinet.kg');
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.subject).toContain('просрочено');
    const slots = (notification.data as { slots: { subjectCode: string }[] }).slots;
    expect(slots.length).toBeGreaterThan(0);
    const lines = parsed.text!.split('\n').filter((line) => line.startsWith('- '));
    expect(lines).toHaveLength(slots.length);
    expect(lines[0]).toContain('MATH-101');
    expect(parsed.text).toContain('https://kabinet.example.kg');
  });
});
