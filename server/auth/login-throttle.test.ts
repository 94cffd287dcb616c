// Login throttling against a real database, the attacker's way: many wrong passwords at once, an
// account locked from one address while its owner signs in from another, a campus behind one NAT.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testPasswords } from '../../tests/helpers/passwords.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { logIn } from './login.ts';
import { throttleLimits } from './login-throttle.ts';

const file = testDatabaseForFile();
const attempt = (email: string, password: string, ip: string) =>
  logIn(file.db, { email, password, ip, userAgent: null }, { sessionTtlMs: 60_000, passwords: testPasswords() }).then(
    () => 200,
    (error: { code?: string; message?: string }) =>
      error.code === 'too_many_requests' ? 429 : error.code === 'unauthorized' ? 401 : `500 ${error.message}`,
  );
const backdate = (key: string) =>
  sql`update login_throttle set blocked_until = now() - interval '1 second' where key = ${key}`.execute(file.db);

describe('login throttling', () => {
  it('delays grow past the free failures, up to the longest', async () => {
    const rows = await sql<{
      s: number;
    }>`select extract(epoch from login_delay(n, 3, 900))::int as s from unnest(array[1, 2, 3, 4, 5, 6, 7, 50]) as n`.execute(
      file.db,
    );
    expect(rows.rows.map((row) => row.s)).toEqual([0, 0, 0, 1, 2, 4, 8, 900]);
  });

  it('checks at most the free attempts of 100 wrong passwords sent at once; the rest wait', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, () => attempt('student21@demo.kabinet.kg', 'wrong', '10.9.0.1')),
    );
    const checked = results.filter((status) => status === 401).length;
    expect(checked).toBeLessThanOrEqual(throttleLimits.pair.free + 1);
    expect(results.filter((status) => status === 429)).toHaveLength(100 - checked);
  });

  it('lets the owner in from another address while an attacker is slowed at theirs', async () => {
    const email = 'student22@demo.kabinet.kg';
    for (let i = 0; i < throttleLimits.pair.free + 1; i++) await attempt(email, 'wrong', '10.9.1.1');
    expect(await attempt(email, 'wrong', '10.9.1.1')).toBe(429);
    expect(await attempt(email, 'kabinet-demo', '10.9.1.1')).toBe(429);
    expect(await attempt(email, 'kabinet-demo', '10.9.1.2')).toBe(200);
  });

  it('delays the account at most briefly however many addresses attack it, and a wait never grows by itself', async () => {
    const email = 'student23@demo.kabinet.kg';
    for (let i = 0; i < throttleLimits.account.free + 8; i++) await attempt(email, 'wrong', `10.9.2.${i}`);
    const row = await file.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', `account:${email}`)
      .executeTakeFirstOrThrow();
    expect(row.blocked_until.getTime() - Date.now()).toBeLessThanOrEqual(throttleLimits.account.longestSeconds * 1000);
    // Refused attempts during a wait are not counted: the wait does not move.
    expect(await attempt(email, 'wrong', '10.9.3.1')).toBe(429);
    const again = await file.db
      .selectFrom('login_throttle')
      .selectAll()
      .where('key', '=', `account:${email}`)
      .executeTakeFirstOrThrow();
    expect([again.failures, again.blocked_until.getTime()]).toEqual([row.failures, row.blocked_until.getTime()]);
    // Once the wait has passed, the right password from a new address gets in.
    await backdate(`account:${email}`);
    expect(await attempt(email, 'kabinet-demo', '10.9.3.2')).toBe(200);
  });

  it('keeps room for a campus behind one address: many people, some typos, all get in', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => i + 1).map(async (n) => {
        const email = n === 1 ? 'student@demo.kabinet.kg' : `student${n}@demo.kabinet.kg`;
        await attempt(email, 'typo', '10.9.4.1');
        return attempt(email, 'kabinet-demo', '10.9.4.1');
      }),
    );
    expect(results).toEqual(results.map(() => 200));
  });
});
