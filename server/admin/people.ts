// The admin's people: search (name, e-mail, external id; trigram index) with filters and keyset
// pages, one person's page, and the changes an admin makes to a person: details, disabling (their
// sessions end at once), roles, group memberships (ended ones kept), sign-in links. Every change is
// audited; nobody can take away the last active admin.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { AssignedRole, Database, Locale } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor, type Principal } from '../auth/permissions.ts';
import { revokeSessionsOf } from '../auth/sessions.ts';
import { createSignInLink, endSignInLinks } from '../auth/sign-in-links.ts';
import { isUuid } from '../cabinets/cabinets.ts';
import { AppError } from '../errors.ts';
import { isLocale } from '../i18n/i18n.ts';
import { localName } from '../i18n/names.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { activeAdminCount, lockAdminRoles } from './admin-guard.ts';
import { importRoles, kindColumns } from './import/import-kinds.ts';

export const peoplePageSize = 50;
export { personStates, type PersonState } from './people-filters.ts';
import type { PersonState } from './people-filters.ts';
export type PeopleFilters = {
  q: string;
  role: AssignedRole | 'student' | null;
  facultyId: string | null;
  departmentId: string | null;
  groupId: string | null;
  state: PersonState | null;
};

export type PersonRow = { id: string; fullName: string; email: string; externalId: string | null; disabled: boolean; hasPassword: boolean; roles: string[]; groups: string[] };

const uuidOrNull = (value: string | null) => (value && isUuid(value) ? value : null);

export async function universityCounts(db: Db, user: Principal) {
  requirePermission(user, 'admin.manage', {});
  const result = await sql<Record<string, string>>`
    select (select count(*) from faculty where archived_at is null) as faculties,
      (select count(*) from department where archived_at is null) as departments,
      (select count(*) from subject where archived_at is null) as subjects,
      (select count(*) from study_group where archived_at is null) as groups,
      (select count(*) from app_user where disabled_at is null) as people,
      (select count(*) from cabinet) as cabinets`.execute(db);
  const row = result.rows[0]!;
  return { faculties: Number(row.faculties), departments: Number(row.departments), subjects: Number(row.subjects), groups: Number(row.groups), people: Number(row.people), cabinets: Number(row.cabinets) };
}

/** A page of people matching the filters, by name; `after` is the last row of the previous page. */
export async function searchPeople(db: Db, user: Principal, filters: PeopleFilters, after: { name: string; id: string } | null) {
  requirePermission(user, 'admin.manage', {});
  const q = filters.q.trim().toLowerCase().slice(0, 100);
  const facultyId = uuidOrNull(filters.facultyId);
  const departmentId = uuidOrNull(filters.departmentId);
  const groupId = uuidOrNull(filters.groupId);
  let query = db.selectFrom('app_user as u');
  if (q) query = query.where('u.search', 'like', `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (filters.role === 'student') query = query.where((eb) => eb.exists(eb.selectFrom('group_student as gs').select('gs.group_id').whereRef('gs.student_id', '=', 'u.id')));
  else if (filters.role) {
    const role = filters.role;
    query = query.where((eb) => eb.exists(eb.selectFrom('role_assignment as ra').select('ra.id').whereRef('ra.user_id', '=', 'u.id').where('ra.role', '=', role).where('ra.ended_at', 'is', null)));
  }
  if (departmentId) {
    query = query.where((eb) => eb.exists(eb.selectFrom('role_assignment as ra').select('ra.id').whereRef('ra.user_id', '=', 'u.id').where('ra.department_id', '=', departmentId).where('ra.ended_at', 'is', null)));
  }
  if (facultyId) {
    // Staff of the faculty (its dean, its departments' people) and students of its groups.
    query = query.where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('role_assignment as ra')
            .leftJoin('department as d', 'd.id', 'ra.department_id')
            .select('ra.id')
            .whereRef('ra.user_id', '=', 'u.id')
            .where('ra.ended_at', 'is', null)
            .where((inner) => inner.or([inner('ra.faculty_id', '=', facultyId), inner('d.faculty_id', '=', facultyId)])),
        ),
        eb.exists(eb.selectFrom('group_student as gs').innerJoin('study_group as g', 'g.id', 'gs.group_id').select('gs.group_id').whereRef('gs.student_id', '=', 'u.id').where('g.faculty_id', '=', facultyId)),
      ]),
    );
  }
  if (groupId) query = query.where((eb) => eb.exists(eb.selectFrom('group_student as gs').select('gs.group_id').whereRef('gs.student_id', '=', 'u.id').where('gs.group_id', '=', groupId)));
  if (filters.state === 'active') query = query.where('u.disabled_at', 'is', null);
  if (filters.state === 'disabled') query = query.where('u.disabled_at', 'is not', null);
  if (filters.state === 'no_password') query = query.where('u.password_hash', 'is', null);
  const total = await query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  let page = query;
  if (after) page = page.where((eb) => eb(eb.refTuple('u.full_name', 'u.id'), '>', eb.tuple(after.name, after.id)));
  const rows = await page
    .select((eb) => [
      'u.id',
      'u.full_name',
      'u.email',
      'u.external_id',
      'u.disabled_at',
      sql<boolean>`u.password_hash is not null`.as('has_password'),
      eb.selectFrom('role_assignment as ra').select(sql<string[]>`array_agg(distinct ra.role)`.as('r')).whereRef('ra.user_id', '=', 'u.id').where('ra.ended_at', 'is', null).as('roles'),
      eb.selectFrom('group_student as gs').innerJoin('study_group as g', 'g.id', 'gs.group_id').select(sql<string[]>`array_agg(g.name order by g.name)`.as('g')).whereRef('gs.student_id', '=', 'u.id').as('groups'),
    ])
    .orderBy('u.full_name')
    .orderBy('u.id')
    .limit(peoplePageSize + 1)
    .execute();
  const more = rows.length > peoplePageSize;
  const people: PersonRow[] = rows.slice(0, peoplePageSize).map((row) => ({
    id: row.id,
    fullName: row.full_name,
    email: row.email,
    externalId: row.external_id,
    disabled: row.disabled_at !== null,
    hasPassword: row.has_password,
    roles: row.roles ?? [],
    groups: row.groups ?? [],
  }));
  const last = people.at(-1);
  return { people, total: Number(total.n), next: more && last ? { name: last.fullName, id: last.id } : null };
}

/** The choices the people pages offer: faculties, departments, groups (not archived). */
export async function peoplePickers(db: Db, locale: Locale = 'ky') {
  const [faculties, departments, groups] = await Promise.all([
    db.selectFrom('faculty').select(['id', 'code', 'name', 'name_ru', 'name_en']).where('archived_at', 'is', null).orderBy('code').execute(),
    db.selectFrom('department').select(['id', 'code', 'name', 'name_ru', 'name_en', 'faculty_id']).where('archived_at', 'is', null).orderBy('code').execute(),
    db.selectFrom('study_group').select(['id', 'name']).where('archived_at', 'is', null).orderBy('name').execute(),
  ]);
  return {
    faculties: faculties.map((f) => ({ id: f.id, label: `${f.code} · ${localName(f, locale)}` })),
    departments: departments.map((d) => ({ id: d.id, label: `${d.code} · ${localName(d, locale)}` })),
    groups: groups.map((g) => ({ id: g.id, label: g.name })),
  };
}

export async function personPage(db: Db, user: Principal, personId: string) {
  requirePermission(user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  const person = await db.selectFrom('app_user').selectAll().where('id', '=', personId).executeTakeFirst();
  if (!person) throw new AppError('not_found');
  const [roles, groups, endedGroups, sessions] = await Promise.all([
    db
      .selectFrom('role_assignment as ra')
      .leftJoin('faculty as f', 'f.id', 'ra.faculty_id')
      .leftJoin('department as d', 'd.id', 'ra.department_id')
      .select(['ra.id', 'ra.role', 'ra.created_at', 'ra.ended_at', 'f.code as facultyCode', 'f.name as facultyName', 'd.code as departmentCode', 'd.name as departmentName'])
      .where('ra.user_id', '=', personId)
      .orderBy('ra.ended_at', (ob) => ob.desc().nullsFirst())
      .orderBy('ra.created_at')
      .execute(),
    db.selectFrom('group_student as gs').innerJoin('study_group as g', 'g.id', 'gs.group_id').select(['g.id', 'g.name', 'gs.created_at']).where('gs.student_id', '=', personId).orderBy('g.name').execute(),
    db
      .selectFrom('group_student_ended as e')
      .innerJoin('study_group as g', 'g.id', 'e.group_id')
      .select(['g.name', 'e.started_at', 'e.ended_at'])
      .where('e.student_id', '=', personId)
      .orderBy('e.ended_at', 'desc')
      .limit(20)
      .execute(),
    db.selectFrom('session').select((eb) => eb.fn.countAll<string>().as('n')).where('user_id', '=', personId).where('revoked_at', 'is', null).where('expires_at', '>', new Date()).executeTakeFirstOrThrow(),
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
    roles: roles.map((r) => ({
      id: r.id,
      role: r.role,
      scope: r.departmentCode ? `${r.departmentCode} · ${r.departmentName}` : r.facultyCode ? `${r.facultyCode} · ${r.facultyName}` : null,
      since: r.created_at.toISOString(),
      endedAt: r.ended_at?.toISOString() ?? null,
    })),
    groups: groups.map((g) => ({ id: g.id, name: g.name, since: g.created_at.toISOString() })),
    endedGroups: endedGroups.map((g) => ({ name: g.name, startedAt: g.started_at.toISOString(), endedAt: g.ended_at.toISOString() })),
    activeSessions: Number(sessions.n),
  };
}

export type PersonFields = { email: string; fullName: string; externalId: string; language: string };

/** The person's fields checked by the import's own column rules: values, or problems by field. */
function checkFields(fields: PersonFields): { values: { email: string; full_name: string; external_id: string | null; locale: Locale }; problems: Record<string, string> } {
  const columns = kindColumns.people;
  const problems: Record<string, string> = {};
  const take = <T>(name: string, parse: (text: string) => { value: T } | { problem: { key: string } }, text: string, required: boolean): T | null => {
    if (text.trim() === '') {
      if (required) problems[name] = 'required';
      return null;
    }
    const parsed = parse(text.trim());
    if ('problem' in parsed) {
      problems[name] = parsed.problem.key;
      return null;
    }
    return parsed.value;
  };
  const email = take('email', columns.email.parse, fields.email, true);
  const fullName = take('full_name', columns.full_name.parse, fields.fullName, true);
  const externalId = take('external_id', columns.external_id.parse, fields.externalId, false);
  const locale = take('language', columns.language.parse, fields.language || 'ky', true);
  return { values: { email: email ?? '', full_name: fullName ?? '', external_id: externalId, locale: isLocale(locale) ? locale : 'ky' }, problems };
}

/** Whether another person already has this e-mail or external id (as a problem by field). */
async function takenBy(db: Kysely<Database>, values: { email: string; external_id: string | null }, except: string | null): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  const others = await db
    .selectFrom('app_user')
    .select(['id', 'email', 'external_id'])
    .where((eb) => eb.or([eb('email', '=', values.email), ...(values.external_id ? [eb('external_id', '=', values.external_id)] : [])]))
    .execute();
  for (const other of others.filter((row) => row.id !== except)) {
    if (other.email === values.email) problems.email = 'email_taken';
    if (values.external_id && other.external_id === values.external_id) problems.external_id = 'external_id_taken';
  }
  return problems;
}

export async function createPerson(db: Db, actor: Actor, fields: PersonFields): Promise<{ id: string | null; problems: Record<string, string> }> {
  requirePermission(actor.user, 'admin.manage', {});
  const { values, problems } = checkFields(fields);
  if (Object.keys(problems).length) return { id: null, problems };
  return db.transaction().execute(async (trx) => {
    const taken = await takenBy(trx, values, null);
    if (Object.keys(taken).length) return { id: null, problems: taken };
    const row = await trx.insertInto('app_user').values(values).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, { actorId: actor.user.id, action: 'person.create', objectType: 'app_user', objectId: row.id, ip: actor.ip, data: { email: values.email } });
    return { id: row.id, problems: {} };
  });
}

export async function updatePerson(db: Db, actor: Actor, personId: string, fields: PersonFields): Promise<Record<string, string>> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  const { values, problems } = checkFields(fields);
  if (Object.keys(problems).length) return problems;
  return db.transaction().execute(async (trx) => {
    const taken = await takenBy(trx, values, personId);
    if (Object.keys(taken).length) return taken;
    const updated = await trx.updateTable('app_user').set({ ...values, updated_at: new Date() }).where('id', '=', personId).returning('id').executeTakeFirst();
    if (!updated) throw new AppError('not_found');
    await recordAudit(trx, { actorId: actor.user.id, action: 'person.update', objectType: 'app_user', objectId: personId, ip: actor.ip, data: { ...values } });
    return {};
  });
}

/** Refuses a change after which no active person holds the admin role (after `lockAdminRoles`, inside the change's transaction). */
async function requireAnAdminLeft(trx: Transaction<Database>): Promise<void> {
  if ((await activeAdminCount(trx)) === 0) throw new AppError('conflict', 'admin.people.lastAdmin');
}

export async function setDisabled(db: Db, actor: Actor, personId: string, disabled: boolean): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    await lockAdminRoles(trx);
    const updated = await trx
      .updateTable('app_user')
      .set({ disabled_at: disabled ? new Date() : null, updated_at: new Date() })
      .where('id', '=', personId)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new AppError('not_found');
    if (disabled) {
      await requireAnAdminLeft(trx);
      await revokeSessionsOf(trx, personId);
      await endSignInLinks(trx, personId);
    }
    await recordAudit(trx, { actorId: actor.user.id, action: disabled ? 'person.disable' : 'person.enable', objectType: 'app_user', objectId: personId, ip: actor.ip });
  });
}

/** The person must exist (a well-formed id of nobody is "not found", not a database error). */
async function requirePerson(db: Kysely<Database>, personId: string): Promise<void> {
  if (!isUuid(personId) || !(await db.selectFrom('app_user').select('id').where('id', '=', personId).executeTakeFirst())) throw new AppError('not_found');
}

export type RoleInput = { role: string; scopeId: string };

export async function addRole(db: Db, actor: Actor, personId: string, input: RoleInput): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  await requirePerson(db, personId);
  const role = importRoles.find((each) => each === input.role);
  if (!role) throw new AppError('invalid_input', 'admin.people.badRole');
  const university = role === 'admin' || role === 'vice_rector';
  if (!university && !isUuid(input.scopeId)) throw new AppError('invalid_input', 'admin.people.scopeRequired');
  const scope =
    university ? { faculty_id: null, department_id: null } : role === 'dean' ? { faculty_id: input.scopeId, department_id: null } : { faculty_id: null, department_id: input.scopeId };
  await db.transaction().execute(async (trx) => {
    if (scope.faculty_id && !(await trx.selectFrom('faculty').select('id').where('id', '=', scope.faculty_id).where('archived_at', 'is', null).executeTakeFirst())) {
      throw new AppError('invalid_input', 'admin.people.scopeRequired');
    }
    if (scope.department_id && !(await trx.selectFrom('department').select('id').where('id', '=', scope.department_id).where('archived_at', 'is', null).executeTakeFirst())) {
      throw new AppError('invalid_input', 'admin.people.scopeRequired');
    }
    const inserted = await trx
      .insertInto('role_assignment')
      .values({ user_id: personId, role, ...scope })
      .onConflict((oc) => oc.expression(sql`user_id, role, coalesce(faculty_id, department_id, '00000000-0000-0000-0000-000000000000')`).where('ended_at', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (inserted) await recordAudit(trx, { actorId: actor.user.id, action: 'role.add', objectType: 'app_user', objectId: personId, ip: actor.ip, data: { role, ...scope } });
  });
}

export async function endRole(db: Db, actor: Actor, assignmentId: string): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(assignmentId)) throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    await lockAdminRoles(trx);
    const ended = await trx.updateTable('role_assignment').set({ ended_at: new Date() }).where('id', '=', assignmentId).where('ended_at', 'is', null).returning(['user_id', 'role']).executeTakeFirst();
    if (!ended) throw new AppError('not_found');
    await requireAnAdminLeft(trx);
    await recordAudit(trx, { actorId: actor.user.id, action: 'role.end', objectType: 'app_user', objectId: ended.user_id, ip: actor.ip, data: { role: ended.role, assignmentId } });
  });
}

/**
 * Puts a student in a group; `fromGroupId` (a move) ends their membership there first. An ended
 * membership is kept in `group_student_ended`.
 */
export async function setMembership(db: Db, actor: Actor, personId: string, change: { toGroupId: string | null; fromGroupId: string | null }): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if ((change.toGroupId && !isUuid(change.toGroupId)) || (change.fromGroupId && !isUuid(change.fromGroupId))) throw new AppError('not_found');
  await requirePerson(db, personId);
  await db.transaction().execute(async (trx) => {
    if (change.fromGroupId) {
      const ended = await trx.deleteFrom('group_student').where('group_id', '=', change.fromGroupId).where('student_id', '=', personId).returning(['created_at']).executeTakeFirst();
      if (!ended) throw new AppError('not_found');
      await trx.insertInto('group_student_ended').values({ group_id: change.fromGroupId, student_id: personId, started_at: ended.created_at, ended_by: actor.user.id }).execute();
    }
    if (change.toGroupId) {
      const group = await trx.selectFrom('study_group').select('id').where('id', '=', change.toGroupId).where('archived_at', 'is', null).executeTakeFirst();
      if (!group) throw new AppError('invalid_input', 'admin.people.groupRequired');
      const teaches = await trx
        .selectFrom('teaching_assignment as ta')
        .innerJoin('teaching_assignment_group as tag', 'tag.teaching_assignment_id', 'ta.id')
        .select('ta.id')
        .where('ta.instructor_id', '=', personId)
        .where('tag.group_id', '=', change.toGroupId)
        .where('ta.ended_at', 'is', null)
        .executeTakeFirst();
      if (teaches) throw new AppError('conflict', 'admin.people.teachesGroup');
      await trx.insertInto('group_student').values({ group_id: change.toGroupId, student_id: personId }).onConflict((oc) => oc.doNothing()).execute();
    }
    await recordAudit(trx, { actorId: actor.user.id, action: change.fromGroupId && change.toGroupId ? 'membership.move' : change.toGroupId ? 'membership.add' : 'membership.end', objectType: 'app_user', objectId: personId, ip: actor.ip, data: change });
  });
}

/**
 * A one-time link for the person to set their password. With e-mail configured (`mailer`), a job
 * makes and e-mails it (the token then exists only in the e-mail) and null is returned; otherwise
 * the token is returned for the admin to hand over.
 */
export async function issueSignInLink(db: Db, actor: Actor, personId: string, mailer: JobQueue | null = null): Promise<string | null> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  const person = await db.selectFrom('app_user').select(['id', 'disabled_at']).where('id', '=', personId).executeTakeFirst();
  if (!person) throw new AppError('not_found');
  if (person.disabled_at) throw new AppError('conflict', 'admin.people.disabledNoLink');
  if (mailer) {
    await db.transaction().execute(async (trx) => {
      await recordAudit(trx, { actorId: actor.user.id, action: 'sign_in_link.email', objectType: 'app_user', objectId: personId, ip: actor.ip });
      await mailer.enqueue(trx, 'send-sign-in-link', { userId: personId, createdBy: actor.user.id });
    });
    return null;
  }
  return createSignInLink(db, { userId: personId, createdBy: actor.user.id, ip: actor.ip });
}
