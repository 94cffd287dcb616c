// Who a single sign-on names, against a real database: the same person at once from parallel
// first sign-ins; refusals when a second provider account reaches an already-linked person or the
// registrar's id disagrees; addresses that only look like someone's; Google accounts outside the
// Workspace; claims a person could not have.
import { describe, expect, it } from 'vitest';
import { principal } from '../../tests/helpers/demo-cabinet.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { unlinkIdentity } from '../admin/person-access.ts';
import type { OidcConfig } from '../config.ts';
import { findPerson, type Claims } from './sso-people.ts';

const file = testDatabaseForFile();
const db = () => file.db;
const issuer = 'https://sso.university.kg/realms/kabinet';
const config: OidcConfig = {
  issuer,
  clientId: 'kabinet',
  clientSecret: undefined,
  emailClaim: 'email',
  externalIdClaim: 'employee_id',
  trustEmail: false,
  emailDomains: [],
  displayName: undefined,
  scopes: 'openid email profile',
  createStudents: false,
};
const context = { ip: '10.7.0.1', locale: null };
const claims = (sub: string, more: Record<string, unknown>): Claims => ({ sub, iss: issuer, ...more });
const idOf = async (account: string) =>
  (
    await db()
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', `${account}@demo.kabinet.kg`)
      .executeTakeFirstOrThrow()
  ).id;

describe('finding the person a sign-in names', () => {
  it('links parallel first sign-ins of one provider account to the same person, once', async () => {
    const signIn = claims('sub-parallel', { email: 'student30@demo.kabinet.kg', email_verified: true });
    const ids = await Promise.all(Array.from({ length: 4 }, () => findPerson(db(), config, signIn, context)));
    expect(new Set(ids)).toEqual(new Set([await idOf('student30')]));
    expect(
      await db().selectFrom('external_identity').select('subject').where('user_id', '=', ids[0]!).execute(),
    ).toEqual([{ subject: 'sub-parallel' }]);
  });

  it('refuses a second provider account reaching a linked person, and a registrar id that says someone else', async () => {
    await findPerson(
      db(),
      config,
      claims('sub-first', { email: 'student31@demo.kabinet.kg', email_verified: true }),
      context,
    );
    // The address was given to someone new at the provider: a new subject, the same e-mail.
    await expect(
      findPerson(
        db(),
        config,
        claims('sub-recycled', { email: 'student31@demo.kabinet.kg', email_verified: true }),
        context,
      ),
    ).rejects.toMatchObject({ messageKey: 'sso.conflict' });
    await db()
      .updateTable('app_user')
      .set({ external_id: 'REG-32' })
      .where('email', '=', 'student32@demo.kabinet.kg')
      .execute();
    await expect(
      findPerson(
        db(),
        config,
        claims('sub-other-reg', { email: 'student32@demo.kabinet.kg', email_verified: true, employee_id: 'REG-99' }),
        context,
      ),
    ).rejects.toMatchObject({ messageKey: 'sso.conflict' });
    // Once the administrator removes the old link, the new account links.
    const admin = { user: await principal(db(), 'admin'), ip: '10.7.0.2' };
    const student = { user: await principal(db(), 'student31'), ip: '10.7.0.3' };
    await expect(
      unlinkIdentity(db(), student, await idOf('student31'), { issuer, subject: 'sub-first' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await unlinkIdentity(db(), admin, await idOf('student31'), { issuer, subject: 'sub-first' });
    expect(
      await findPerson(
        db(),
        config,
        claims('sub-recycled', { email: 'student31@demo.kabinet.kg', email_verified: true }),
        context,
      ),
    ).toBe(await idOf('student31'));
  });

  it('does not take look-alike or malformed addresses for someone’s', async () => {
    for (const email of [
      'student33@demo.\u212Aabinet.kg',
      'evil@evil.example\n@demo.kabinet.kg',
      'x\u0000@demo.kabinet.kg',
      `${'a'.repeat(300)}@demo.kabinet.kg`,
    ]) {
      await expect(
        findPerson(db(), config, claims(`sub-${email.length}`, { email, email_verified: true }), context),
      ).rejects.toMatchObject({ messageKey: 'sso.unknown' });
    }
  });

  it('accepts a Google account only when the university’s Workspace manages it (hd)', async () => {
    const google = { ...config, emailDomains: ['demo.kabinet.kg'] };
    const fromGoogle = (sub: string, more: Record<string, unknown>): Claims => ({
      sub,
      iss: 'https://accounts.google.com',
      email: 'student34@demo.kabinet.kg',
      email_verified: true,
      ...more,
    });
    await expect(findPerson(db(), google, fromGoogle('g-personal', {}), context)).rejects.toMatchObject({
      messageKey: 'sso.domain',
    });
    await expect(
      findPerson(db(), google, fromGoogle('g-other', { hd: 'elsewhere.kg' }), context),
    ).rejects.toMatchObject({ messageKey: 'sso.domain' });
    expect(await findPerson(db(), google, fromGoogle('g-workspace', { hd: 'demo.kabinet.kg' }), context)).toBe(
      await idOf('student34'),
    );
  });

  it('makes a student only from claims a person could have', async () => {
    const open = { ...config, createStudents: true, emailDomains: ['university.kg'] };
    const id = await findPerson(
      db(),
      open,
      claims('sub-new', {
        email: 'New.Person@University.kg',
        email_verified: true,
        name: 'Bad\u0000Name',
        employee_id: 'E'.repeat(65),
      }),
      context,
    );
    const row = await db()
      .selectFrom('app_user')
      .select(['email', 'full_name', 'external_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      email: 'new.person@university.kg',
      full_name: 'new.person@university.kg',
      external_id: null,
    });
    await expect(
      findPerson(db(), open, claims('sub-unverified', { email: 'other.person@university.kg' }), context),
    ).rejects.toMatchObject({ messageKey: 'sso.unverified' });
  });
});
