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

/** What the provider's claims say of the person, as Kabinet reads them. */
function readClaims(config: OidcConfig, claims: Claims) {
  const rawEmail = text(claims[config.emailClaim], 320);
  const email = rawEmail ? normalizeEmail(rawEmail) : null;
  const domainAllowed = (address: string) => {
    if (config.emailDomains.length === 0) return true;
    const domain = address.slice(address.lastIndexOf('@') + 1);
    // Google vouches for any Google account's address, also a personal one made on the university's
    // domain; only `hd` says the Workspace manages it.
    const hostedDomain =
      new URL(claims.iss).hostname === 'accounts.google.com' ? text(claims.hd, 253)?.toLowerCase() : domain;
    return config.emailDomains.includes(domain) && hostedDomain === domain;
  };
  return {
    rawEmail,
    email,
    shown: rawEmail ?? claims.sub.slice(0, 100),
    emailVerified: config.trustEmail || claims.email_verified === true || claims.email_verified === 'true',
    externalId: config.externalIdClaim ? text(claims[config.externalIdClaim], 64) : undefined,
    domainAllowed,
  };
}

const personColumns = ['u.id', 'u.disabled_at', 'u.external_id'] as const;

/**
 * The account the claims belong to: linked to this subject already, or found by the registrar's id,
 * or by a verified address of an allowed domain, or (when the provider may create students) made.
 */
async function matchPerson(
  trx: Transaction<Database>,
  config: OidcConfig,
  claims: Claims,
  context: { ip: string | null; locale: Locale | null },
): Promise<{ person: Person; matchedBy: string; linked: boolean }> {
  const { rawEmail, email, shown, emailVerified, externalId, domainAllowed } = readClaims(config, claims);
  const linkedPerson = await trx
    .selectFrom('external_identity as i')
    .innerJoin('app_user as u', 'u.id', 'i.user_id')
    .select(personColumns)
    .where('i.issuer', '=', claims.iss)
    .where('i.subject', '=', claims.sub)
    .executeTakeFirst();
  if (linkedPerson) return { person: linkedPerson, matchedBy: 'subject', linked: true };
  if (externalId) {
    const byId = await trx
      .selectFrom('app_user as u')
      .select(personColumns)
      .where('u.external_id', '=', externalId)
      .executeTakeFirst();
    if (byId) return { person: byId, matchedBy: 'external_id', linked: false };
  }
  if (rawEmail) {
    if (!email) throw new AppError('forbidden', 'sso.unknown', { email: shown });
    if (!emailVerified) throw new AppError('forbidden', 'sso.unverified', { email });
    if (!domainAllowed(email)) throw new AppError('forbidden', 'sso.domain', { email });
    const byEmail = await trx
      .selectFrom('app_user as u')
      .select(personColumns)
      .where('u.email', '=', email)
      .executeTakeFirst();
    // The registrar's id says someone else: the address must have changed hands.
    if (byEmail && externalId && byEmail.external_id && byEmail.external_id !== externalId)
      throw new AppError('forbidden', 'sso.conflict');
    if (byEmail) return { person: byEmail, matchedBy: 'email', linked: false };
  }
  if (!email || !emailVerified || !config.createStudents)
    throw new AppError('forbidden', 'sso.unknown', { email: shown });
  const fullName = displayNameOf(claims, email);
  const created = await createStudent(trx, {
    email,
    fullName,
    externalId,
    locale: context.locale,
    ip: context.ip,
    issuer: claims.iss,
  });
  return { person: created, matchedBy: 'created', linked: false };
}

/** Links the subject to the account (refused when the account has another subject at this provider). */
async function linkIdentity(
  trx: Transaction<Database>,
  claims: Claims,
  personId: string,
  matchedBy: string,
  ip: string | null,
): Promise<void> {
  const issuer = claims.iss;
  const other = await trx
    .selectFrom('external_identity')
    .select('subject')
    .where('user_id', '=', personId)
    .where('issuer', '=', issuer)
    .where('subject', '<>', claims.sub)
    .executeTakeFirst();
  if (other) throw new AppError('forbidden', 'sso.conflict');
  // A parallel first sign-in of the same account may have linked it meanwhile.
  await trx
    .insertInto('external_identity')
    .values({ issuer, subject: claims.sub, user_id: personId })
    .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
    .execute();
  await recordAudit(trx, {
    actorId: personId,
    action: 'sso.link',
    objectType: 'app_user',
    objectId: personId,
    ip,
    data: { issuer, matchedBy },
  });
}

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
  return db.transaction().execute(async (trx) => {
    const { person, matchedBy, linked } = await matchPerson(trx, config, claims, context);
    if (person.disabled_at) throw new AppError('forbidden', 'sso.disabled');
    if (!linked) await linkIdentity(trx, claims, person.id, matchedBy, context.ip);
    else
      await trx
        .updateTable('external_identity')
        .set({ last_used_at: sql`now()` })
        .where('issuer', '=', claims.iss)
        .where('subject', '=', claims.sub)
        .execute();
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
