// One person's page for the admin: their details, roles (ended ones too), groups and the groups
// they left, open sessions, and their accounts at the single sign-on provider.
import type { Db } from '../../db/client.ts';
import { requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';

/** The person's roles, current ones first, each with its scope. */
async function rolesOf(db: Db, personId: string) {
  const roles = await db
    .selectFrom('role_assignment as ra')
    .leftJoin('faculty as f', 'f.id', 'ra.faculty_id')
    .leftJoin('department as d', 'd.id', 'ra.department_id')
    .select([
      'ra.id',
      'ra.role',
      'ra.created_at',
      'ra.ended_at',
      'f.code as facultyCode',
      'f.name as facultyName',
      'd.code as departmentCode',
      'd.name as departmentName',
    ])
    .where('ra.user_id', '=', personId)
    .orderBy('ra.ended_at', (ob) => ob.desc().nullsFirst())
    .orderBy('ra.created_at')
    .execute();
  return roles.map((r) => ({
    id: r.id,
    role: r.role,
    scope: r.departmentCode
      ? `${r.departmentCode} · ${r.departmentName}`
      : r.facultyCode
        ? `${r.facultyCode} · ${r.facultyName}`
        : null,
    since: r.created_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null,
  }));
}

/** The groups the person studies in, and the last 20 they left. */
async function groupsOf(db: Db, personId: string) {
  const [groups, endedGroups] = await Promise.all([
    db
      .selectFrom('group_student as gs')
      .innerJoin('study_group as g', 'g.id', 'gs.group_id')
      .select(['g.id', 'g.name', 'gs.created_at'])
      .where('gs.student_id', '=', personId)
      .orderBy('g.name')
      .execute(),
    db
      .selectFrom('group_student_ended as e')
      .innerJoin('study_group as g', 'g.id', 'e.group_id')
      .select(['g.name', 'e.started_at', 'e.ended_at'])
      .where('e.student_id', '=', personId)
      .orderBy('e.ended_at', 'desc')
      .limit(20)
      .execute(),
  ]);
  return {
    groups: groups.map((g) => ({ id: g.id, name: g.name, since: g.created_at.toISOString() })),
    endedGroups: endedGroups.map((g) => ({
      name: g.name,
      startedAt: g.started_at.toISOString(),
      endedAt: g.ended_at.toISOString(),
    })),
  };
}

export async function personPage(db: Db, user: Principal, personId: string) {
  requirePermission(user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  const person = await db.selectFrom('app_user').selectAll().where('id', '=', personId).executeTakeFirst();
  if (!person) throw new AppError('not_found');
  const [roles, { groups, endedGroups }, sessions, identities] = await Promise.all([
    rolesOf(db, personId),
    groupsOf(db, personId),
    db
      .selectFrom('session')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', personId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('external_identity')
      .select(['issuer', 'subject', 'created_at', 'last_used_at'])
      .where('user_id', '=', personId)
      .orderBy('created_at')
      .execute(),
  ]);
  return {
    person: {
      id: person.id,
      fullName: person.full_name,
      email: person.email,
      externalId: person.external_id,
      language: person.locale,
      disabled: person.disabled_at !== null,
      hasPassword: person.password_hash !== null,
      createdAt: person.created_at.toISOString(),
    },
    roles,
    groups,
    endedGroups,
    activeSessions: Number(sessions.n),
    /** The person's accounts at the single sign-on provider. */
    identities: identities.map((i) => ({
      issuer: i.issuer,
      subject: i.subject,
      since: i.created_at.toISOString(),
      lastUsed: i.last_used_at.toISOString(),
    })),
  };
}

export type PersonPage = Awaited<ReturnType<typeof personPage>>;
