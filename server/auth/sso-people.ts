// Who a single sign-on names, from the provider's claims: the person linked to the provider's
// subject at an earlier sign-in, else the registrar's id in a configured claim, else a verified
// e-mail (of the university's domains, when listed). A person is linked to one subject per
// provider: a second subject reaching an already-linked person (an address or username given to
// someone new) is refused until the administrator removes the old link. Nobody is made up unless
// OIDC_CREATE_STUDENTS asks for it.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database, Locale } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { OidcConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { normalizeEmail } from '../common/email-address.ts';

export type Claims = Record<string, unknown> & { sub: string; iss: string };

/** A claim's text when it is one a person could have: trimmed, within `max`, no control characters. */
function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= max && !/\p{Cc}/u.test(trimmed) ? trimmed : undefined;
}

function displayNameOf(claims: Claims, email: string): string {
  const name =
    text(claims.name, 200) ?? [text(claims.given_name, 99), text(claims.family_name, 100)].filter(Boolean).join(' ');
  return name || email;
}

type Person = { id: string; disabled_at: Date | null; external_id: string | null };

/**
 * The person's id, linked to the subject from now on. Refusals carry a message the person can act
 * on: unverified, another domain, unknown, disabled, or linked to another account at the provider.
 */
export async function findPerson(
  db: Db,
  config: OidcConfig,
  claims: Claims,
  context: { ip: string | null; locale: Locale | null },
): Promise<string> {
  const rawEmail = text(claims[config.emailClaim], 320);
  const email = rawEmail ? normalizeEmail(rawEmail) : null;
  const shown = rawEmail ?? claims.sub.slice(0, 100);
  const emailVerified = config.trustEmail || claims.email_verified === true || claims.email_verified === 'true';
  const externalId = config.externalIdClaim ? text(claims[config.externalIdClaim], 64) : undefined;
  const domainAllowed = (address: string) => {
    if (config.emailDomains.length === 0) return true;
    const domain = address.slice(address.lastIndexOf('@') + 1);
    // Google vouches for any Google account's address, also a personal one made on the university's
    // domain; only `hd` says the Workspace manages it.
    const hostedDomain =
      new URL(claims.iss).hostname === 'accounts.google.com' ? text(claims.hd, 253)?.toLowerCase() : domain;
    return config.emailDomains.includes(domain) && hostedDomain === domain;
  };
  const issuer = claims.iss;

  return db.transaction().execute(async (trx) => {
    const columns = ['u.id', 'u.disabled_at', 'u.external_id'] as const;
    let person: Person | undefined = await trx
      .selectFrom('external_identity as i')
      .innerJoin('app_user as u', 'u.id', 'i.user_id')
      .select(columns)
      .where('i.issuer', '=', issuer)
      .where('i.subject', '=', claims.sub)
      .executeTakeFirst();
    const linked = person !== undefined;
    let matchedBy = 'subject';
    if (!person && externalId) {
      person = await trx
        .selectFrom('app_user as u')
        .select(columns)
        .where('u.external_id', '=', externalId)
        .executeTakeFirst();
      matchedBy = 'external_id';
    }
    if (!person && rawEmail) {
      if (!email) throw new AppError('forbidden', 'sso.unknown', { email: shown });
      if (!emailVerified) throw new AppError('forbidden', 'sso.unverified', { email });
      if (!domainAllowed(email)) throw new AppError('forbidden', 'sso.domain', { email });
      person = await trx.selectFrom('app_user as u').select(columns).where('u.email', '=', email).executeTakeFirst();
      matchedBy = 'email';
      // The registrar's id says someone else: the address must have changed hands.
      if (person && externalId && person.external_id && person.external_id !== externalId)
        throw new AppError('forbidden', 'sso.conflict');
    }
    if (!person) {
      if (!email || !emailVerified || !config.createStudents)
        throw new AppError('forbidden', 'sso.unknown', { email: shown });
      person = await createStudent(trx, {
        email,
        fullName: displayNameOf(claims, email),
        externalId,
        locale: context.locale,
        ip: context.ip,
        issuer,
      });
      matchedBy = 'created';
    }
    if (person.disabled_at) throw new AppError('forbidden', 'sso.disabled');
    if (!linked) {
      const other = await trx
        .selectFrom('external_identity')
        .select('subject')
        .where('user_id', '=', person.id)
        .where('issuer', '=', issuer)
        .where('subject', '<>', claims.sub)
        .executeTakeFirst();
      if (other) throw new AppError('forbidden', 'sso.conflict');
      // A parallel first sign-in of the same account may have linked it meanwhile.
      await trx
        .insertInto('external_identity')
        .values({ issuer, subject: claims.sub, user_id: person.id })
        .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
        .execute();
      await recordAudit(trx, {
        actorId: person.id,
        action: 'sso.link',
        objectType: 'app_user',
        objectId: person.id,
        ip: context.ip,
        data: { issuer, matchedBy },
      });
    } else {
      await trx
        .updateTable('external_identity')
        .set({ last_used_at: sql`now()` })
        .where('issuer', '=', issuer)
        .where('subject', '=', claims.sub)
        .execute();
    }
    return person.id;
  });
}

/** A student without a group (an import places them later); one made meanwhile by a parallel sign-in is found. */
async function createStudent(
  trx: Transaction<Database>,
  input: {
    email: string;
    fullName: string;
    externalId: string | undefined;
    locale: Locale | null;
    ip: string | null;
    issuer: string;
  },
): Promise<Person> {
  const created = await trx
    .insertInto('app_user')
    .values({
      email: input.email,
      full_name: input.fullName,
      password_hash: null,
      external_id: input.externalId ?? null,
      ...(input.locale ? { locale: input.locale } : {}),
    })
    .onConflict((oc) => oc.doNothing())
    .returning(['id', 'disabled_at', 'external_id'])
    .executeTakeFirst();
  if (!created) {
    const existing = await trx
      .selectFrom('app_user')
      .select(['id', 'disabled_at', 'external_id'])
      .where('email', '=', input.email)
      .executeTakeFirst();
    if (!existing) throw new AppError('conflict', 'sso.conflict');
    return existing;
  }
  await recordAudit(trx, {
    actorId: created.id,
    action: 'sso.create_student',
    objectType: 'app_user',
    objectId: created.id,
    ip: input.ip,
    data: { issuer: input.issuer },
  });
  return created;
}
