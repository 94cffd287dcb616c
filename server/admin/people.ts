// The admin's changes to a person's details: adding a person and editing them, checked by the
// import's own column rules (an e-mail or external id another person has is refused). Audited.
import type { Kysely } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database, Locale } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { isLocale } from '../i18n/i18n.ts';
import { kindColumns } from '../common/import-kinds.ts';

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

/** The person must exist (a well-formed id of nobody is "not found", not a database error). */
export async function requirePerson(db: Kysely<Database>, personId: string): Promise<void> {
  if (
    !isUuid(personId) ||
    !(await db.selectFrom('app_user').select('id').where('id', '=', personId).executeTakeFirst())
  )
    throw new AppError('not_found');
}
