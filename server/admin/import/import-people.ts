// Applies the people kinds of an import: people (matched by external id, else by e-mail), their
// roles, and group memberships. Sync mode disables and ends only what belongs to people with an
// external id, the people the registrar manages: accounts made by hand are never touched.
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import { allowedPasswords } from '../../auth/password-login.ts';
import type { PasswordLogin } from '../../config.ts';
import type { JobQueue } from '../../jobs/job-queue.ts';
import type { ImportKind } from '../../common/import-kinds.ts';
import { flag, flagDuplicates, type ApplyContext, type Written } from './import-flags.ts';
import { tableOf } from './import-load.ts';

const count = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0);
const has = (ctx: ApplyContext, kind: ImportKind, field: string) => ctx.loaded[kind]?.columns.has(field) ?? false;

/** Adds `user_id` to a kind's rows from its `person` column: an e-mail (has @) or an external id. Every row, ok or not. */
export async function resolvePeople(ctx: ApplyContext, kind: ImportKind): Promise<void> {
  const t = tableOf(kind);
  await sql`alter table ${t} add column user_id uuid`.execute(ctx.trx);
  await sql`update ${t} t set user_id = u.id from app_user u where position('@' in t.person) > 0 and u.email = t.person`.execute(
    ctx.trx,
  );
  await sql`update ${t} t set user_id = u.id from app_user u where position('@' in t.person) = 0 and u.external_id = t.person`.execute(
    ctx.trx,
  );
  await flag(ctx, kind, 'person', 'unknown_person', sql`t.user_id is null`, sql`json_build_object('person', t.person)`);
}

export async function applyPeople(ctx: ApplyContext): Promise<Written> {
  const t = tableOf('people');
  await flagDuplicates(ctx, 'people', ['external_id']);
  await flagDuplicates(ctx, 'people', ['email'], 'email', 'duplicate_email');
  await sql`alter table ${t} add column user_id uuid`.execute(ctx.trx);
  await sql`update ${t} t set user_id = u.id from app_user u where t.external_id is not null and u.external_id = t.external_id`.execute(
    ctx.trx,
  );
  // No one has the external id yet: the person with the e-mail, if they have no other id (an account made by hand is adopted).
  await sql`update ${t} t set user_id = u.id from app_user u where t.user_id is null and u.email = t.email and (t.external_id is null or u.external_id is null)`.execute(
    ctx.trx,
  );
  await flag(
    ctx,
    'people',
    'email',
    'email_taken',
    sql`exists (select 1 from app_user u where u.email = t.email and u.id is distinct from t.user_id)`,
    sql`json_build_object('email', t.email)`,
  );
  const language = has(ctx, 'people', 'language') ? sql`coalesce(t.language, u.locale)` : sql`u.locale`;
  const disabledAt = has(ctx, 'people', 'status')
    ? sql`case t.status when 'disabled' then coalesce(u.disabled_at, ${ctx.now}::timestamptz) when 'active' then null else u.disabled_at end`
    : sql`u.disabled_at`;
  const externalId = sql`coalesce(t.external_id, u.external_id)`;
  const updated = await sql`
    update app_user u set full_name = t.full_name, email = t.email, external_id = ${externalId}, locale = ${language}, disabled_at = ${disabledAt}, updated_at = ${ctx.now}
    from ${t} t
    where t.ok and u.id = t.user_id
      and (u.full_name, u.email, u.external_id, u.locale, u.disabled_at) is distinct from (t.full_name, t.email, ${externalId}, ${language}, ${disabledAt})`.execute(
    ctx.trx,
  );
  const created = await sql`
    insert into app_user (email, full_name, external_id, locale, disabled_at)
    select t.email, t.full_name, t.external_id, coalesce(t.language, 'ky'), case when t.status = 'disabled' then ${ctx.now}::timestamptz end
    from ${t} t where t.ok and t.user_id is null`.execute(ctx.trx);
  await sql`update ${t} t set user_id = u.id from app_user u where t.ok and t.user_id is null and u.email = t.email`.execute(
    ctx.trx,
  );
  let disabled = 0;
  if (ctx.options.sync) {
    // Listed in the file at all (a row with a mistake too): not disabled.
    disabled = count(
      await sql`
        update app_user u set disabled_at = ${ctx.now}, updated_at = ${ctx.now}
        where u.external_id is not null and u.disabled_at is null
          and not exists (select 1 from ${t} t where t.user_id = u.id)
          and not exists (select 1 from ${t} t where t.external_id = u.external_id)
          and not exists (select 1 from ${t} t where t.email = u.email)`.execute(ctx.trx),
    );
  }
  return { created: count(created), updated: count(updated), disabled };
}

export async function applyRoles(ctx: ApplyContext): Promise<Written> {
  const t = tableOf('roles');
  await resolvePeople(ctx, 'roles');
  await sql`alter table ${t} add column faculty_id uuid, add column department_id uuid`.execute(ctx.trx);
  await sql`update ${t} t set faculty_id = f.id from faculty f where t.role = 'dean' and f.code = t.scope_code`.execute(
    ctx.trx,
  );
  await sql`update ${t} t set department_id = d.id from department d where t.role in ('head', 'instructor') and d.code = t.scope_code`.execute(
    ctx.trx,
  );
  const code = sql`json_build_object('code', t.scope_code)`;
  await flag(
    ctx,
    'roles',
    'scope_code',
    'unknown_code',
    sql`(t.role = 'dean' and t.faculty_id is null) or (t.role in ('head', 'instructor') and t.department_id is null)`,
    code,
  );
  await flag(
    ctx,
    'roles',
    'scope_code',
    'archived_code',
    sql`exists (select 1 from faculty f where f.id = t.faculty_id and f.archived_at is not null) or exists (select 1 from department d where d.id = t.department_id and d.archived_at is not null)`,
    code,
  );
  await flagDuplicates(ctx, 'roles', ['user_id', 'role', 'scope_code'], 'role');
  const sameGrant = sql`ra.user_id = t.user_id and ra.role = t.role and ra.faculty_id is not distinct from t.faculty_id and ra.department_id is not distinct from t.department_id`;
  const created = await sql`
    insert into role_assignment (user_id, role, faculty_id, department_id)
    select t.user_id, t.role, t.faculty_id, t.department_id from ${t} t
    where t.ok and not exists (select 1 from role_assignment ra where ra.ended_at is null and ${sameGrant})`.execute(
    ctx.trx,
  );
  let disabled = 0;
  if (ctx.options.sync) {
    disabled = count(
      await sql`
        update role_assignment ra set ended_at = ${ctx.now}
        from app_user u
        where u.id = ra.user_id and u.external_id is not null and ra.ended_at is null
          and not exists (select 1 from ${t} t where t.ok and ${sameGrant})
          and not exists (select 1 from ${t} t where not t.ok and t.user_id = ra.user_id)`.execute(ctx.trx),
    );
  }
  return { created: count(created), updated: 0, disabled };
}

export async function applyGroupMembers(ctx: ApplyContext): Promise<Written> {
  const t = tableOf('group_members');
  await resolvePeople(ctx, 'group_members');
  await sql`alter table ${t} add column group_id uuid`.execute(ctx.trx);
  await sql`update ${t} t set group_id = g.id from study_group g where g.name = t.group_code`.execute(ctx.trx);
  const code = sql`json_build_object('code', t.group_code)`;
  await flag(ctx, 'group_members', 'group_code', 'unknown_code', sql`t.group_id is null`, code);
  await flag(
    ctx,
    'group_members',
    'group_code',
    'archived_code',
    sql`exists (select 1 from study_group g where g.id = t.group_id and g.archived_at is not null)`,
    code,
  );
  await flagDuplicates(ctx, 'group_members', ['group_id', 'user_id'], 'person');
  // A student of a group is not also its teacher (in a term that is not over).
  await flag(
    ctx,
    'group_members',
    'person',
    'teaches_own_group',
    sql`exists (
      select 1 from teaching_assignment ta join teaching_assignment_group tag on tag.teaching_assignment_id = ta.id join term on term.id = ta.term_id
      where ta.instructor_id = t.user_id and tag.group_id = t.group_id and ta.ended_at is null and term.starts_on + term.weeks * 7 >= current_date)`,
    code,
  );
  const created = await sql`
    insert into group_student (group_id, student_id)
    select t.group_id, t.user_id from ${t} t
    where t.ok and not exists (select 1 from group_student gs where gs.group_id = t.group_id and gs.student_id = t.user_id)`.execute(
    ctx.trx,
  );
  let disabled = 0;
  if (ctx.options.sync) {
    // Ended memberships move to group_student_ended (kept), in one statement.
    const ended = await sql`
      with ended as (
        delete from group_student gs using app_user u
        where u.id = gs.student_id and u.external_id is not null
          and not exists (select 1 from ${t} t where t.ok and t.group_id = gs.group_id and t.user_id = gs.student_id)
          and not exists (select 1 from ${t} t where not t.ok and t.user_id = gs.student_id)
        returning gs.group_id, gs.student_id, gs.created_at
      )
      insert into group_student_ended (group_id, student_id, started_at, ended_at) select group_id, student_id, created_at, ${ctx.now} from ended`.execute(
      ctx.trx,
    );
    disabled = count(ended);
  }
  return { created: count(created), updated: 0, disabled };
}

/** Where an applied import's invitations go, and the rule for who may have a password. */
export type Invitations = { queue: JobQueue; policy: PasswordLogin };

/**
 * A sign-in link by e-mail (a job each, in the import's transaction) for everyone this import
 * added — made in this transaction, active, without a password — who may use one. Returns how many.
 */
export async function inviteNewPeople(
  trx: Transaction<Database>,
  invitations: Invitations,
  createdBy: string | null,
): Promise<number> {
  const added = await trx
    .selectFrom('app_user')
    .select('id')
    .where('created_at', '=', sql<Date>`now()`)
    .where('password_hash', 'is', null)
    .where('disabled_at', 'is', null)
    .execute();
  const invited = await allowedPasswords(
    trx,
    added.map((row) => row.id),
    invitations.policy,
  );
  await invitations.queue.enqueueMany(
    trx,
    'send-sign-in-link',
    invited.map((userId) => ({ userId, createdBy })),
  );
  return invited.length;
}
