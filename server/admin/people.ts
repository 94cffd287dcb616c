// The admin's changes to people: details, disabling (their sessions and sign-in links end at once),
// roles, group memberships (ended ones kept), sign-in links. Every change is audited; nobody can
// take away the last active admin (admin-guard.ts).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database, Locale } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { passwordAllowed } from '../auth/password-login.ts';
import { revokeSessionsOf } from '../auth/sessions.ts';
import { createSignInLink, endSignInLinks } from '../auth/sign-in-links.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { isLocale } from '../i18n/i18n.ts';
import type { PasswordLogin } from '../config.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { activeAdminCount, lockAdminRoles } from './admin-guard.ts';
import { importRoles, kindColumns } from '../common/import-kinds.ts';

export type PersonFields = { email: string; fullName: string; externalId: string; language: string };

/** The person's fields checked by the import's own column rules: values, or problems by field. */
function checkFields(fields: PersonFields): {
  values: { email: string; full_name: string; external_id: string | null; locale: Locale };
  problems: Record<string, string>;
} {
  const columns = kindColumns.people;
  const problems: Record<string, string> = {};
  const take = <T>(
    name: string,
    parse: (text: string) => { value: T } | { problem: { key: string } },
    text: string,
    required: boolean,
  ): T | null => {
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
  return {
    values: {
      email: email ?? '',
      full_name: fullName ?? '',
      external_id: externalId,
      locale: isLocale(locale) ? locale : 'ky',
    },
    problems,
  };
}

/** Whether another person already has this e-mail or external id (as a problem by field). */
async function takenBy(
  db: Kysely<Database>,
  values: { email: string; external_id: string | null },
  except: string | null,
): Promise<Record<string, string>> {
  const problems: Record<string, string> = {};
  const others = await db
    .selectFrom('app_user')
    .select(['id', 'email', 'external_id'])
    .where((eb) =>
      eb.or([
        eb('email', '=', values.email),
        ...(values.external_id ? [eb('external_id', '=', values.external_id)] : []),
      ]),
    )
    .execute();
  for (const other of others.filter((row) => row.id !== except)) {
    if (other.email === values.email) problems.email = 'email_taken';
    if (values.external_id && other.external_id === values.external_id) problems.external_id = 'external_id_taken';
  }
  return problems;
}

export async function createPerson(
  db: Db,
  actor: Actor,
  fields: PersonFields,
): Promise<{ id: string | null; problems: Record<string, string> }> {
  requirePermission(actor.user, 'admin.manage', {});
  const { values, problems } = checkFields(fields);
  if (Object.keys(problems).length) return { id: null, problems };
  return db.transaction().execute(async (trx) => {
    const taken = await takenBy(trx, values, null);
    if (Object.keys(taken).length) return { id: null, problems: taken };
    const row = await trx.insertInto('app_user').values(values).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'person.create',
      objectType: 'app_user',
      objectId: row.id,
      ip: actor.ip,
      data: { email: values.email },
    });
    return { id: row.id, problems: {} };
  });
}

export async function updatePerson(
  db: Db,
  actor: Actor,
  personId: string,
  fields: PersonFields,
): Promise<Record<string, string>> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  const { values, problems } = checkFields(fields);
  if (Object.keys(problems).length) return problems;
  return db.transaction().execute(async (trx) => {
    const taken = await takenBy(trx, values, personId);
    if (Object.keys(taken).length) return taken;
    const updated = await trx
      .updateTable('app_user')
      .set({ ...values, updated_at: new Date() })
      .where('id', '=', personId)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new AppError('not_found');
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'person.update',
      objectType: 'app_user',
      objectId: personId,
      ip: actor.ip,
      data: { ...values },
    });
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
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: disabled ? 'person.disable' : 'person.enable',
      objectType: 'app_user',
      objectId: personId,
      ip: actor.ip,
    });
  });
}

/** The person must exist (a well-formed id of nobody is "not found", not a database error). */
async function requirePerson(db: Kysely<Database>, personId: string): Promise<void> {
  if (
    !isUuid(personId) ||
    !(await db.selectFrom('app_user').select('id').where('id', '=', personId).executeTakeFirst())
  )
    throw new AppError('not_found');
}

export type RoleInput = { role: string; scopeId: string };

export async function addRole(db: Db, actor: Actor, personId: string, input: RoleInput): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  await requirePerson(db, personId);
  const role = importRoles.find((each) => each === input.role);
  if (!role) throw new AppError('invalid_input', 'admin.people.badRole');
  const university = role === 'admin' || role === 'vice_rector';
  if (!university && !isUuid(input.scopeId)) throw new AppError('invalid_input', 'admin.people.scopeRequired');
  const scope = university
    ? { faculty_id: null, department_id: null }
    : role === 'dean'
      ? { faculty_id: input.scopeId, department_id: null }
      : { faculty_id: null, department_id: input.scopeId };
  await db.transaction().execute(async (trx) => {
    if (
      scope.faculty_id &&
      !(await trx
        .selectFrom('faculty')
        .select('id')
        .where('id', '=', scope.faculty_id)
        .where('archived_at', 'is', null)
        .executeTakeFirst())
    ) {
      throw new AppError('invalid_input', 'admin.people.scopeRequired');
    }
    if (
      scope.department_id &&
      !(await trx
        .selectFrom('department')
        .select('id')
        .where('id', '=', scope.department_id)
        .where('archived_at', 'is', null)
        .executeTakeFirst())
    ) {
      throw new AppError('invalid_input', 'admin.people.scopeRequired');
    }
    const inserted = await trx
      .insertInto('role_assignment')
      .values({ user_id: personId, role, ...scope })
      .onConflict((oc) =>
        oc
          .expression(sql`user_id, role, coalesce(faculty_id, department_id, '00000000-0000-0000-0000-000000000000')`)
          .where('ended_at', 'is', null)
          .doNothing(),
      )
      .returning('id')
      .executeTakeFirst();
    if (inserted)
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: 'role.add',
        objectType: 'app_user',
        objectId: personId,
        ip: actor.ip,
        data: { role, ...scope },
      });
  });
}

export async function endRole(db: Db, actor: Actor, assignmentId: string): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(assignmentId)) throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    await lockAdminRoles(trx);
    const ended = await trx
      .updateTable('role_assignment')
      .set({ ended_at: new Date() })
      .where('id', '=', assignmentId)
      .where('ended_at', 'is', null)
      .returning(['user_id', 'role'])
      .executeTakeFirst();
    if (!ended) throw new AppError('not_found');
    await requireAnAdminLeft(trx);
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'role.end',
      objectType: 'app_user',
      objectId: ended.user_id,
      ip: actor.ip,
      data: { role: ended.role, assignmentId },
    });
  });
}

/**
 * Forgets which provider account a person signs in with (the address went to someone new, or the
 * account was made anew): their next single sign-on links again by registrar id or e-mail.
 */
export async function unlinkIdentity(
  db: Db,
  actor: Actor,
  personId: string,
  identity: { issuer: string; subject: string },
): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('external_identity')
      .where('user_id', '=', personId)
      .where('issuer', '=', identity.issuer)
      .where('subject', '=', identity.subject)
      .returning('subject')
      .executeTakeFirst();
    if (!removed) throw new AppError('not_found');
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'sso.unlink',
      objectType: 'app_user',
      objectId: personId,
      ip: actor.ip,
      data: identity,
    });
  });
}

/**
 * Puts a student in a group; `fromGroupId` (a move) ends their membership there first. An ended
 * membership is kept in `group_student_ended`.
 */
export async function setMembership(
  db: Db,
  actor: Actor,
  personId: string,
  change: { toGroupId: string | null; fromGroupId: string | null },
): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if ((change.toGroupId && !isUuid(change.toGroupId)) || (change.fromGroupId && !isUuid(change.fromGroupId)))
    throw new AppError('not_found');
  await requirePerson(db, personId);
  await db.transaction().execute(async (trx) => {
    if (change.fromGroupId) {
      const ended = await trx
        .deleteFrom('group_student')
        .where('group_id', '=', change.fromGroupId)
        .where('student_id', '=', personId)
        .returning(['created_at'])
        .executeTakeFirst();
      if (!ended) throw new AppError('not_found');
      await trx
        .insertInto('group_student_ended')
        .values({
          group_id: change.fromGroupId,
          student_id: personId,
          started_at: ended.created_at,
          ended_by: actor.user.id,
        })
        .execute();
    }
    if (change.toGroupId) {
      const group = await trx
        .selectFrom('study_group')
        .select('id')
        .where('id', '=', change.toGroupId)
        .where('archived_at', 'is', null)
        .executeTakeFirst();
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
      await trx
        .insertInto('group_student')
        .values({ group_id: change.toGroupId, student_id: personId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await recordAudit(trx, {
      actorId: actor.user.id,
      action:
        change.fromGroupId && change.toGroupId
          ? 'membership.move'
          : change.toGroupId
            ? 'membership.add'
            : 'membership.end',
      objectType: 'app_user',
      objectId: personId,
      ip: actor.ip,
      data: change,
    });
  });
}

/**
 * A one-time link for the person to set their password. With e-mail configured (`mailer`), a job
 * makes and e-mails it (the token then exists only in the e-mail) and null is returned; otherwise
 * the token is returned for the admin to hand over.
 */
export async function issueSignInLink(
  db: Db,
  actor: Actor,
  personId: string,
  options: { mailer: JobQueue | null; policy: PasswordLogin },
): Promise<string | null> {
  const { mailer, policy } = options;
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  const person = await db
    .selectFrom('app_user')
    .select(['id', 'disabled_at'])
    .where('id', '=', personId)
    .executeTakeFirst();
  if (!person) throw new AppError('not_found');
  if (person.disabled_at) throw new AppError('conflict', 'admin.people.disabledNoLink');
  // A password they could not use: they sign in through the university's provider.
  if (!(await passwordAllowed(db, personId, policy))) throw new AppError('conflict', 'admin.people.ssoNoLink');
  if (mailer) {
    await db.transaction().execute(async (trx) => {
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: 'sign_in_link.email',
        objectType: 'app_user',
        objectId: personId,
        ip: actor.ip,
      });
      await mailer.enqueue(trx, 'send-sign-in-link', { userId: personId, createdBy: actor.user.id });
    });
    return null;
  }
  return createSignInLink(db, { userId: personId, createdBy: actor.user.id, ip: actor.ip });
}
