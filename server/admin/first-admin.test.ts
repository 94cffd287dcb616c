// An installation without the demo: the web process says how to make the first administrator, and
// `npm run admin:create` makes one and prints a one-time sign-in link.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasDemoAccounts } from '../../db/seed.ts';
import { createEmptyDatabase, createTestDatabase } from '../../tests/helpers/test-db.ts';
import { findSignInLink } from '../auth/sign-in-links.ts';
import { loadConfig } from '../config.ts';
import { startServices } from '../services.ts';
import { activeAdminCount } from './first-admin.ts';
import { logCapture } from '../../tests/helpers/log-capture.ts';

let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
beforeAll(async () => {
  empty = await createEmptyDatabase();
});
afterAll(() => empty?.drop());

const run = (args: string[]) =>
  promisify(execFile)(process.execPath, ['server/admin-create-main.ts', ...args], {
    env: { ...process.env, DATABASE_URL: empty.url, PUBLIC_ORIGIN: 'https://kabinet.university.kg', LOG_LEVEL: 'warn' },
  });

describe('the demo', () => {
  it('is announced in the start log while its public password works', async () => {
    const demo = await createTestDatabase();
    try {
      const warnings = async () => {
        const { stream, lines } = logCapture();
        const services = await startServices(
          loadConfig({
            NODE_ENV: 'test',
            DATABASE_URL: demo.url,
            LOG_LEVEL: 'warn',
            DATA_DIR: '/tmp/kabinet-demo-warning-test',
          }),
          { role: 'web', logTo: stream },
        );
        await services.close();
        return lines.filter((line) => line.includes('public password')).length;
      };
      expect(await warnings()).toBe(1);
      await demo.db
        .updateTable('app_user')
        .set({ password_hash: 'scrypt$65536$8$2$changed$changed' })
        .where('email', '=', 'admin@demo.kabinet.kg')
        .execute();
      expect(await warnings()).toBe(0);
    } finally {
      await demo.drop();
    }
  });
});

describe('the first administrator', () => {
  it('is asked for in the web log while there is none, without the demo', async () => {
    const { stream, lines } = logCapture();
    const services = await startServices(
      loadConfig({
        NODE_ENV: 'test',
        DATABASE_URL: empty.url,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'warn',
        DATA_DIR: '/tmp/kabinet-first-admin-test',
      }),
      { role: 'web', logTo: stream },
    );
    await services.close();
    expect(lines.filter((line) => line.includes('npm run admin:create'))).toHaveLength(1);
    expect(await empty.db.selectFrom('app_user').select('id').execute()).toEqual([]);
    // The login page shows the demo's password only while its accounts exist.
    expect(await hasDemoAccounts(empty.db)).toBe(false);
  });

  it('is made from the command line with a one-time link to set the password', async () => {
    await expect(run(['--email', 'not-an-email'])).rejects.toMatchObject({ code: 2 });
    const { stdout } = await run(['--email', 'First.Admin@University.kg', '--name', 'Биринчи Админ']);
    const link = /https:\/\/kabinet\.university\.kg\/sign-in\/([A-Za-z0-9_-]{43})/.exec(stdout);
    expect(link).not.toBeNull();
    expect(await findSignInLink(empty.db, link![1]!)).toMatchObject({
      email: 'first.admin@university.kg',
      fullName: 'Биринчи Админ',
    });
    expect(await activeAdminCount(empty.db)).toBe(1);
    const audit = await empty.db.selectFrom('audit_event').select(['action', 'actor_id']).execute();
    expect(audit).toEqual(expect.arrayContaining([{ action: 'admin.create', actor_id: null }]));
  });
});
