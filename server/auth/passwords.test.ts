import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { logIn } from './login.ts';
import { testPasswords } from '../../tests/helpers/passwords.ts';

const { hash: hashPassword, verify: verifyPassword } = testPasswords();

describe('password hashing', () => {
  it('uses scrypt N=2^16 r=8 p=2 with a random salt and verifies only the right password', async () => {
    const a = await hashPassword('сырсөз-123');
    const b = await hashPassword('сырсөз-123');
    expect(a).toMatch(/^scrypt\$65536\$8\$2\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('сырсөз-123', a)).toBe(true);
    expect(await verifyPassword('сырсөз-124', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});

describe('a hash made with older parameters', () => {
  const file = testDatabaseForFile();
  it('still verifies, and is replaced by one of today’s at the next login', async () => {
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('old-style passphrase', salt, 32, { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 2 ** 17 * 8 });
    const old = ['scrypt', 2 ** 17, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
    await file.db
      .updateTable('app_user')
      .set({ password_hash: old })
      .where('email', '=', 'student40@demo.kabinet.kg')
      .execute();
    await logIn(
      file.db,
      { email: 'student40@demo.kabinet.kg', password: 'old-style passphrase', ip: '10.8.0.1', userAgent: null },
      { sessionTtlMs: 60_000, passwords: testPasswords() },
    );
    const row = await file.db
      .selectFrom('app_user')
      .select('password_hash')
      .where('email', '=', 'student40@demo.kabinet.kg')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$65536\$8\$2\$/);
    expect(await verifyPassword('old-style passphrase', row.password_hash!)).toBe(true);
  });
});
