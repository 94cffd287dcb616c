// Sign-in links by e-mail when SMTP is configured, through a real SMTP server on loopback: the admin
// asks, a job makes the link and mails it in the person's language; the link in the mail works.
import { simpleParser } from 'mailparser';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action as personAction } from './admin.people.$personId.tsx';
import { action as forgotAction } from './forgot-password.tsx';
import { startSmtpServer } from '../../tests/helpers/smtp-server.ts';
import { settle } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { startWorkers } from '../../workers/run-workers.ts';
import { sheet } from '../../tests/helpers/import-files.ts';
import { runImport } from '../../server/admin/import/run-import.ts';
import { findSignInLink } from '../../server/auth/sign-in-links.ts';

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let server: TestServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
  server = await startTestServer({
    env: { SMTP_URL: smtp.url, PUBLIC_ORIGIN: 'https://kabinet.example.kg' },
  });
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('sign-in link by e-mail', () => {
  it('is made by the job and mailed in the person’s language; the admin never sees the token', async () => {
    const personId = await server.userId('student20');
    await server.services.db.updateTable('app_user').set({ locale: 'ru' }).where('id', '=', personId).execute();
    const request = new Request(`http://kabinet.test/admin/people/${personId}`, {
      method: 'POST',
      headers: { cookie: await server.cookieFor('admin') },
      body: new URLSearchParams({ intent: 'sign-in-link' }),
    });
    const outcome = (await settle(() =>
      personAction({ request, params: { personId }, context: { services: server.services, clientIp: '127.0.0.1' } }),
    )) as { result: { link: string | null; emailed: boolean } };
    expect(outcome.result).toMatchObject({ link: null, emailed: true });
    await startWorkers(server.services);
    await expect.poll(() => smtp.received.length, { timeout: 20_000 }).toBe(1);
    const mail = await simpleParser(smtp.received[0]!.raw);
    expect(mail.subject).toBe('Ваша ссылка для входа в Kabinet');
    const token = /https:\/\/kabinet\.example\.kg\/sign-in\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')?.[1];
    expect(await findSignInLink(server.services.db, token!)).toMatchObject({ userId: personId });
  });

  it('is what "forgot password" sends to a known address, and nothing goes to an unknown one', async () => {
    const ask = (email: string) =>
      settle(() =>
        forgotAction({
          request: new Request('http://kabinet.test/forgot-password', {
            method: 'POST',
            body: new URLSearchParams({ email }),
          }),
          params: {},
          context: { services: server.services, clientIp: '10.6.0.1' },
        }),
      );
    const before = smtp.received.length;
    expect(await ask('nobody.here@demo.kabinet.kg')).toEqual({ sent: true, error: null });
    expect(await ask('Student21@demo.kabinet.kg')).toEqual({ sent: true, error: null });
    await expect.poll(() => smtp.received.length, { timeout: 20_000 }).toBe(before + 1);
    const mail = await simpleParser(smtp.received.at(-1)!.raw);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('student21@demo.kabinet.kg');
  });

  it('goes only to staff when students sign in through single sign-on (PASSWORD_LOGIN=staff)', async () => {
    const services = { ...server.services, passwords: { ...server.services.passwords, policy: 'staff' as const } };
    const ask = (email: string) =>
      settle(() =>
        forgotAction({
          request: new Request('http://kabinet.test/forgot-password', {
            method: 'POST',
            body: new URLSearchParams({ email }),
          }),
          params: {},
          context: { services, clientIp: '10.6.0.2' },
        }),
      );
    const before = smtp.received.length;
    // The same answer for both; only the head of department gets a mail.
    expect(await ask('student22@demo.kabinet.kg')).toEqual({ sent: true, error: null });
    expect(await ask('head@demo.kabinet.kg')).toEqual({ sent: true, error: null });
    await expect.poll(() => smtp.received.length, { timeout: 20_000 }).toBe(before + 1);
    expect(smtp.received.slice(before).map(({ raw }) => /^To: (.*)$/m.exec(raw)?.[1])).toEqual([
      expect.stringContaining('head@demo.kabinet.kg'),
    ]);
    // No job was ever made for the student: no mail can come later either.
    const studentJobs = await sql<{
      n: string;
    }>`select count(*) as n from pgboss.job where name = 'send-sign-in-link' and data->>'userId' = ${await server.userId('student22')}`.execute(
      server.services.db,
    );
    expect(studentJobs.rows[0]!.n).toBe('0');
  });

  it('goes to the people an applied import adds, when asked, and under PASSWORD_LOGIN=staff only to staff', async () => {
    const before = smtp.received.length;
    const report = await runImport(server.services.db, {
      rows: [
        sheet(
          'people',
          ['external_id', 'email', 'full_name', 'language'],
          [
            ['INV-T', 'invited.teacher@university.kg', 'Чакырылган Окутуучу', 'ky'],
            ['INV-S', 'invited.student@university.kg', 'Чакырылган Студент', 'ky'],
          ],
        ),
        sheet('roles', ['person', 'role', 'scope_code'], [['INV-T', 'instructor', 'AMI']]),
      ],
      fileName: 'people.xlsx',
      options: { termCode: null, sync: false },
      apply: true,
      applyValidOnly: false,
      actor: { id: null, ip: null },
      invite: { queue: server.services.queue, policy: 'staff' },
    });
    expect(report).toMatchObject({ outcome: 'applied', invited: 1 });
    await expect.poll(() => smtp.received.length, { timeout: 20_000 }).toBe(before + 1);
    const mail = await simpleParser(smtp.received.at(-1)!.raw);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('invited.teacher@university.kg');
    const token = /https:\/\/kabinet\.example\.kg\/sign-in\/([A-Za-z0-9_-]{43})/.exec(mail.text ?? '')?.[1];
    expect(await findSignInLink(server.services.db, token!)).toMatchObject({ email: 'invited.teacher@university.kg' });
    // A preview invites nobody, whatever it is asked.
    const preview = await runImport(server.services.db, {
      rows: [
        sheet('people', ['external_id', 'email', 'full_name'], [['INV-P', 'previewed@university.kg', 'Алдын ала']]),
      ],
      fileName: 'people.xlsx',
      options: { termCode: null, sync: false },
      apply: false,
      applyValidOnly: false,
      actor: { id: null, ip: null },
      invite: { queue: server.services.queue, policy: 'all' },
    });
    expect(preview).toMatchObject({ outcome: 'preview', invited: 0 });
  });
});
