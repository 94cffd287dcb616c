// The admin's changes to people, against a real database: search, details, disabling (sessions end
// at once), roles (never the last admin), memberships kept when they end, and sign-in links.
import { describe, expect, it } from 'vitest';
import { principal } from '../../tests/helpers/demo-cabinet.ts';
import { testPasswords } from '../../tests/helpers/passwords.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { can } from '../auth/permissions.ts';
import { createSession, findSessionUser } from '../auth/sessions.ts';
import { findSignInLink, setPasswordWithLink } from '../auth/sign-in-links.ts';
import { logIn } from '../auth/login.ts';
import { sheet, tempDir, workbookFile } from '../../tests/helpers/import-files.ts';
import { activeAdminCount, lockAdminRoles } from './admin-guard.ts';
import { runImport } from './import/run-import.ts';
import { searchPeople } from './people-search.ts';
import { createPerson, updatePerson } from './people.ts';
import { issueSignInLink, setDisabled } from './person-access.ts';
import { setMembership } from './person-groups.ts';
import { addRole, endRole } from './person-roles.ts';

const file = testDatabaseForFile();
const db = () => file.db;
const admin = async () => ({ user: await principal(db(), 'admin'), ip: '127.0.0.1' });
const idOf = async (account: string) =>
  (
    await db()
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', `${account}@demo.kabinet.kg`)
      .executeTakeFirstOrThrow()
  ).id;
const noFilters = { q: '', role: null, facultyId: null, departmentId: null, groupId: null, state: null } as const;

describe('people search', () => {
  it('finds by part of a name, e-mail or external id, filters by role and group, and pages by name', async () => {
    const actor = await admin();
    await db()
      .updateTable('app_user')
      .set({ external_id: 'ZX-9001' })
      .where('email', '=', 'student5@demo.kabinet.kg')
      .execute();
    const byId = await searchPeople(db(), actor.user, { ...noFilters, q: 'zx-90' }, null);
    expect(byId.people.map((p) => p.email)).toEqual(['student5@demo.kabinet.kg']);
    const heads = await searchPeople(db(), actor.user, { ...noFilters, role: 'head' }, null);
    expect(heads.total).toBe(3);
    const group = await db()
      .selectFrom('study_group')
      .select('id')
      .where('name', '=', 'ПМИ-2-24з')
      .executeTakeFirstOrThrow();
    const inGroup = await searchPeople(db(), actor.user, { ...noFilters, groupId: group.id }, null);
    expect(inGroup.total).toBe(15);
    const first = await searchPeople(db(), actor.user, noFilters, null);
    expect(first.people).toHaveLength(50);
    const second = await searchPeople(db(), actor.user, noFilters, first.next);
    expect(second.people.length).toBe(first.total - 50);
    expect(new Set([...first.people, ...second.people].map((p) => p.id)).size).toBe(first.total);
    expect(second.next).toBeNull();
  });
});

describe('a person', () => {
  it('is created and edited with the import rules, and refused an e-mail or external id someone else has', async () => {
    const actor = await admin();
    expect(
      (await createPerson(db(), actor, { email: 'not-an-email', fullName: 'X', externalId: '', language: 'ky' }))
        .problems,
    ).toEqual({ email: 'bad_email' });
    expect(
      (
        await createPerson(db(), actor, {
          email: 'student@demo.kabinet.kg',
          fullName: 'X',
          externalId: '',
          language: 'ky',
        })
      ).problems,
    ).toEqual({ email: 'email_taken' });
    const created = await createPerson(db(), actor, {
      email: 'New.Teacher@university.kg',
      fullName: 'Жаңы Окутуучу',
      externalId: 'T-77',
      language: 'ru',
    });
    expect(created.problems).toEqual({});
    const row = await db().selectFrom('app_user').selectAll().where('id', '=', created.id!).executeTakeFirstOrThrow();
    expect([row.email, row.locale, row.password_hash]).toEqual(['new.teacher@university.kg', 'ru', null]);
    expect(
      await updatePerson(db(), actor, created.id!, {
        email: 'new.teacher@university.kg',
        fullName: 'Жаңы',
        externalId: 'ZX-9001',
        language: 'ru',
      }),
    ).toEqual({ external_id: 'external_id_taken' });
    expect(
      await updatePerson(db(), actor, created.id!, {
        email: 'new.teacher@university.kg',
        fullName: 'Жаңы Окутуучу',
        externalId: 'T-78',
        language: 'en',
      }),
    ).toEqual({});
  });

  it('once disabled cannot sign in, and their open sessions end at once', async () => {
    const actor = await admin();
    const id = await idOf('student7');
    const token = await createSession(db(), { userId: id, ttlMs: 60_000, ip: null, userAgent: null });
    expect(await findSessionUser(db(), token)).not.toBeNull();
    await setDisabled(db(), actor, id, true);
    expect(await findSessionUser(db(), token)).toBeNull();
    await expect(
      logIn(
        db(),
        { email: 'student7@demo.kabinet.kg', password: 'kabinet-demo', ip: '10.1.1.1', userAgent: null },
        { sessionTtlMs: 60_000, passwords: testPasswords() },
      ),
    ).rejects.toMatchObject({ code: 'unauthorized' });
    await setDisabled(db(), actor, id, false);
    expect(await findSessionUser(db(), token)).toBeNull();
    await expect(
      logIn(
        db(),
        { email: 'student7@demo.kabinet.kg', password: 'kabinet-demo', ip: '10.1.1.2', userAgent: null },
        { sessionTtlMs: 60_000, passwords: testPasswords() },
      ),
    ).resolves.toMatchObject({ userId: id });
  });

  it('gets and loses roles, the new access taking effect at the next request; the last admin cannot go', async () => {
    const actor = await admin();
    const id = await idOf('instructor2');
    const department = await db()
      .selectFrom('department')
      .select('id')
      .where('code', '=', 'PHYS')
      .executeTakeFirstOrThrow();
    await addRole(db(), actor, id, { role: 'head', scopeId: department.id });
    const asHead = await principal(db(), 'instructor2');
    expect(can(asHead, 'report.view', { departmentId: department.id, facultyId: 'x' })).toBe(true);
    const grant = await db()
      .selectFrom('role_assignment')
      .select('id')
      .where('user_id', '=', id)
      .where('role', '=', 'head')
      .executeTakeFirstOrThrow();
    await endRole(db(), actor, grant.id);
    expect(
      can(await principal(db(), 'instructor2'), 'report.view', { departmentId: department.id, facultyId: 'x' }),
    ).toBe(false);
    expect(
      await db().selectFrom('role_assignment').select('ended_at').where('id', '=', grant.id).executeTakeFirstOrThrow(),
    ).toMatchObject({ ended_at: expect.any(Date) });

    const adminGrant = await db()
      .selectFrom('role_assignment')
      .select('id')
      .where('user_id', '=', actor.user.id)
      .where('role', '=', 'admin')
      .executeTakeFirstOrThrow();
    await expect(endRole(db(), actor, adminGrant.id)).rejects.toMatchObject({
      code: 'conflict',
      messageKey: 'admin.people.lastAdmin',
    });
    await expect(setDisabled(db(), actor, actor.user.id, true)).rejects.toMatchObject({ code: 'conflict' });
    expect(
      await db()
        .selectFrom('role_assignment')
        .select('ended_at')
        .where('id', '=', adminGrant.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ ended_at: null });
  });

  it('moves between groups, the ended membership kept with its dates', async () => {
    const actor = await admin();
    const id = await idOf('student3');
    const [from, to] = await Promise.all(
      ['ПМИ-1-24', 'ФИЗ-1-24д'].map(
        async (name) =>
          (await db().selectFrom('study_group').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id,
      ),
    );
    await setMembership(db(), actor, id, { fromGroupId: from!, toGroupId: to! });
    const current = await db().selectFrom('group_student').select('group_id').where('student_id', '=', id).execute();
    expect(current.map((row) => row.group_id)).toEqual([to]);
    const ended = await db()
      .selectFrom('group_student_ended')
      .selectAll()
      .where('student_id', '=', id)
      .executeTakeFirstOrThrow();
    expect([ended.group_id, ended.ended_by]).toEqual([from, actor.user.id]);
    expect((await principal(db(), 'student3')).groupIds).toEqual([to]);
  });
});

describe('sign-in links', () => {
  it('set the password once, sign the person in, and die with a disabled account', async () => {
    const actor = await admin();
    const created = await createPerson(db(), actor, {
      email: 'link.person@university.kg',
      fullName: 'Шилтеме Адам',
      externalId: '',
      language: 'ky',
    });
    const token = (await issueSignInLink(db(), actor, created.id!, { mailer: null, policy: 'all' }))!;
    expect(await findSignInLink(db(), token)).toMatchObject({ email: 'link.person@university.kg' });
    const stored = await db()
      .selectFrom('sign_in_link')
      .select('token_hash')
      .where('user_id', '=', created.id!)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
    await expect(
      setPasswordWithLink(db(), {
        token,
        password: 'short',
        ip: null,
        userAgent: null,
        sessionTtlMs: 60_000,
        passwords: testPasswords(),
      }),
    ).rejects.toMatchObject({ messageKey: 'signIn.passwordTooShort' });

    // Two tabs submit at once: one sets the password, the other finds the link used.
    const attempts = await Promise.allSettled(
      [0, 1].map(() =>
        setPasswordWithLink(db(), {
          token,
          password: 'a long enough passphrase',
          ip: null,
          userAgent: null,
          sessionTtlMs: 60_000,
          passwords: testPasswords(),
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    expect(await findSignInLink(db(), token)).toBeNull();
    await expect(
      logIn(
        db(),
        { email: 'link.person@university.kg', password: 'a long enough passphrase', ip: '10.2.2.2', userAgent: null },
        { sessionTtlMs: 60_000, passwords: testPasswords() },
      ),
    ).resolves.toMatchObject({ userId: created.id });

    const second = (await issueSignInLink(db(), actor, created.id!, { mailer: null, policy: 'all' }))!;
    await setDisabled(db(), actor, created.id!, true);
    expect(await findSignInLink(db(), second)).toBeNull();
    await expect(issueSignInLink(db(), actor, created.id!, { mailer: null, policy: 'all' })).rejects.toMatchObject({
      code: 'conflict',
    });
    // Enabling the account again does not bring its old link back.
    await setDisabled(db(), actor, created.id!, false);
    expect(await findSignInLink(db(), second)).toBeNull();
  });

  it('leave one live link however many are made at once', async () => {
    const actor = await admin();
    const id = await idOf('student9');
    const tokens = await Promise.all(
      Array.from({ length: 8 }, () => issueSignInLink(db(), actor, id, { mailer: null, policy: 'all' })),
    );
    const live = await Promise.all(tokens.map((token) => findSignInLink(db(), token!)));
    expect(live.filter(Boolean)).toHaveLength(1);
  });
});

describe('the last administrator', () => {
  it('survives an import disabling one admin while the other ends their own role', async () => {
    const actor = await admin();
    const second = await createPerson(db(), actor, {
      email: 'second.admin@university.kg',
      fullName: 'Экинчи Админ',
      externalId: 'EXT-ADM2',
      language: 'ky',
    });
    await addRole(db(), actor, second.id!, { role: 'admin', scopeId: '' });
    const dir = await tempDir();
    const file = await workbookFile(
      dir,
      [
        sheet(
          'people',
          ['external_id', 'email', 'full_name', 'status'],
          [['EXT-ADM2', 'second.admin@university.kg', 'Экинчи Админ', 'disabled']],
        ),
      ],
      'disable-admin.xlsx',
    );
    const ownAdminRole = await db()
      .selectFrom('role_assignment')
      .select('id')
      .where('user_id', '=', actor.user.id)
      .where('role', '=', 'admin')
      .where('ended_at', 'is', null)
      .executeTakeFirstOrThrow();
    // The admin ends their own admin role on the people page (locked, not yet committed) while the
    // import disabling the other admin runs: the import must count the admins only after it.
    const report = await db()
      .transaction()
      .execute(async (trx) => {
        await lockAdminRoles(trx);
        await trx
          .updateTable('role_assignment')
          .set({ ended_at: new Date() })
          .where('id', '=', ownAdminRole.id)
          .execute();
        const importing = runImport(db(), {
          filePath: file,
          fileName: 'disable-admin.xlsx',
          options: { termCode: null, sync: false },
          apply: true,
          applyValidOnly: false,
          actor: { id: actor.user.id, ip: null },
        });
        await new Promise((resolve) => setTimeout(resolve, 500));
        return { importing };
      });
    expect((await report.importing).problems.map((p) => p.key)).toEqual(['no_admin_left']);
    expect(await activeAdminCount(db())).toBe(1);
  });
});
