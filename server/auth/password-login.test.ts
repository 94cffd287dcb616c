// PASSWORD_LOGIN against a real database: with `staff`, people holding a role keep their passwords
// and students are sent to single sign-on everywhere a password is used (sign-in, a link to set
// one, changing it, an admin's link), their passwords never checked; with `none`, nobody's is.
import { describe, expect, it } from 'vitest';
import { principal } from '../../tests/helpers/demo-cabinet.ts';
import { testPasswords } from '../../tests/helpers/passwords.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { issueSignInLink } from '../admin/person-access.ts';
import { changePassword } from './account.ts';
import { logIn } from './login.ts';
import { passwordAllowed } from './password-login.ts';
import type { Passwords } from './passwords.ts';
import { createSignInLink, findSignInLink, setPasswordWithLink } from './sign-in-links.ts';

const file = testDatabaseForFile();
const db = () => file.db;
const idOf = async (account: string) =>
  (
    await db()
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', `${account}@demo.kabinet.kg`)
      .executeTakeFirstOrThrow()
  ).id;
const withPolicy = (policy: Passwords['policy']): Passwords => ({ ...testPasswords(), policy });
const useSso = { code: 'forbidden', messageKey: 'login.useSso' };

describe('password sign-in by role', () => {
  it('is for everyone, for staff only, or for nobody', async () => {
    const [instructor, student] = await Promise.all([idOf('instructor'), idOf('student12')]);
    expect(await passwordAllowed(db(), student, 'all')).toBe(true);
    expect(await passwordAllowed(db(), instructor, 'staff')).toBe(true);
    expect(await passwordAllowed(db(), student, 'staff')).toBe(false);
    expect(await passwordAllowed(db(), instructor, 'none')).toBe(false);
  });

  it('sends a student to single sign-on without checking the password, and lets an instructor in (staff)', async () => {
    const passwords = withPolicy('staff');
    const attempt = (email: string, password: string, ip: string) =>
      logIn(db(), { email, password, ip, userAgent: null }, { sessionTtlMs: 60_000, passwords });
    // The same answer, right password or wrong: it never tells a guesser whether a password is right.
    await expect(attempt('student12@demo.kabinet.kg', 'kabinet-demo', '10.9.0.1')).rejects.toMatchObject(useSso);
    await expect(attempt('student12@demo.kabinet.kg', 'not the password', '10.9.0.1')).rejects.toMatchObject(useSso);
    let hashed = 0;
    const counting: Passwords = {
      ...passwords,
      verify: async () => ((hashed += 1), true),
      verifyDummy: async () => ((hashed += 1), false),
    };
    await expect(
      logIn(
        db(),
        { email: 'student12@demo.kabinet.kg', password: 'kabinet-demo', ip: '10.9.0.5', userAgent: null },
        { sessionTtlMs: 60_000, passwords: counting },
      ),
    ).rejects.toMatchObject(useSso);
    expect(hashed).toBe(0);
    await expect(attempt('instructor@demo.kabinet.kg', 'kabinet-demo', '10.9.0.1')).resolves.toMatchObject({
      userId: await idOf('instructor'),
    });
    const sessions = await db()
      .selectFrom('session')
      .select('token_hash')
      .where('user_id', '=', await idOf('student12'))
      .execute();
    expect(sessions).toEqual([]);
  });

  it('keeps a student from setting or changing a password, and the admin from sending a link (staff)', async () => {
    const passwords = withPolicy('staff');
    const student = await idOf('student13');
    const token = await createSignInLink(db(), { userId: student, createdBy: null, ip: null });
    await expect(
      setPasswordWithLink(db(), {
        token,
        password: 'a long enough passphrase',
        ip: null,
        userAgent: null,
        sessionTtlMs: 60_000,
        passwords,
      }),
    ).rejects.toMatchObject(useSso);
    // Refused before it was used: the link is still there for when the rule changes.
    expect(await findSignInLink(db(), token)).toMatchObject({ userId: student });
    const actor = { user: await principal(db(), 'student13'), ip: '10.9.0.2' };
    await expect(
      changePassword(db(), passwords, actor, {
        current: 'kabinet-demo',
        next: 'a long enough passphrase',
        currentToken: null,
      }),
    ).rejects.toMatchObject(useSso);
    const admin = { user: await principal(db(), 'admin'), ip: '10.9.0.3' };
    await expect(issueSignInLink(db(), admin, student, { mailer: null, policy: 'staff' })).rejects.toMatchObject({
      code: 'conflict',
      messageKey: 'admin.people.ssoNoLink',
    });
    expect(await issueSignInLink(db(), admin, await idOf('instructor2'), { mailer: null, policy: 'staff' })).toMatch(
      /^[A-Za-z0-9_-]{43}$/,
    );
  });

  it('checks no password at all when passwords are off (none)', async () => {
    let hashed = 0;
    const counting: Passwords = {
      ...withPolicy('none'),
      verify: async () => ((hashed += 1), true),
      verifyDummy: async () => ((hashed += 1), false),
    };
    await expect(
      logIn(
        db(),
        { email: 'admin@demo.kabinet.kg', password: 'kabinet-demo', ip: '10.9.0.4', userAgent: null },
        { sessionTtlMs: 60_000, passwords: counting },
      ),
    ).rejects.toMatchObject(useSso);
    expect(hashed).toBe(0);
  });
});
