// One-time sign-in links: the admin (or the first-admin command) gives a person a link to set their
// password. Only the token's hash is stored; a link works once, expires, and dies with a disabled
// account. Setting the password signs the person in and ends their other sessions.
import { createHash, randomBytes } from 'node:crypto';
import { Transaction, type Kysely } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { AppError } from '../errors.ts';
import { checkNewPassword } from './new-password.ts';
import { requirePasswordAllowed } from './password-login.ts';
import type { Passwords } from './passwords.ts';
import { createSession, revokeSessionsOf } from './sessions.ts';

export const SIGN_IN_LINK_PATH = '/sign-in';
export const signInLinkTtlMs = 72 * 3600 * 1000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const tokenShape = /^[A-Za-z0-9_-]{43}$/;

/** Makes a link for `userId` (any earlier unused link of theirs stops working). Returns the token. */
export async function createSignInLink(
  db: Kysely<Database>,
  input: { userId: string; createdBy: string | null; ip: string | null; ttlMs?: number },
): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const make = async (trx: Transaction<Database>) => {
    // One live link per person: links made at once for the same person wait for each other.
    await trx.selectFrom('app_user').select('id').where('id', '=', input.userId).forUpdate().execute();
    const now = new Date();
    await endSignInLinks(trx, input.userId);
    await trx
      .insertInto('sign_in_link')
      .values({
        token_hash: hashToken(token),
        user_id: input.userId,
        created_by: input.createdBy,
        expires_at: new Date(now.getTime() + (input.ttlMs ?? signInLinkTtlMs)),
      })
      .execute();
    await recordAudit(trx, {
      actorId: input.createdBy,
      action: 'sign_in_link.create',
      objectType: 'app_user',
      objectId: input.userId,
      ip: input.ip,
    });
  };
  if (db instanceof Transaction) await make(db);
  else await db.transaction().execute(make);
  return token;
}

/** Ends a person's unused links (a newer link, or the account disabled: enabling it again does not revive them). */
export async function endSignInLinks(db: Kysely<Database>, userId: string): Promise<void> {
  await db
    .updateTable('sign_in_link')
    .set({ used_at: new Date() })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute();
}

export function signInUrl(origin: string, token: string): string {
  return `${origin}${SIGN_IN_LINK_PATH}/${token}`;
}

/** The person a live link is for, or null (unknown, used, expired, or the account disabled). */
export async function findSignInLink(
  db: Db,
  token: string,
): Promise<{ userId: string; email: string; fullName: string } | null> {
  if (!tokenShape.test(token)) return null;
  const row = await db
    .selectFrom('sign_in_link as l')
    .innerJoin('app_user as u', 'u.id', 'l.user_id')
    .select(['u.id', 'u.email', 'u.full_name'])
    .where('l.token_hash', '=', hashToken(token))
    .where('l.used_at', 'is', null)
    .where('l.expires_at', '>', new Date())
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? { userId: row.id, email: row.email, fullName: row.full_name } : null;
}

/**
 * Sets the person's password through a live link (once: the link is taken under a row lock), ends
 * their other sessions and returns a new session token.
 */
export async function setPasswordWithLink(
  db: Db,
  input: {
    token: string;
    password: string;
    ip: string | null;
    userAgent: string | null;
    sessionTtlMs: number;
    passwords: Passwords;
  },
): Promise<{ sessionToken: string; userId: string }> {
  checkNewPassword(input.password, input.passwords);
  // A dead or made-up link is refused before the (deliberately slow) hash is spent on it.
  const live = await findSignInLink(db, input.token);
  if (!live) throw new AppError('not_found', 'signIn.linkInvalid');
  await requirePasswordAllowed(db, live.userId, input.passwords.policy);
  const passwordHash = await input.passwords.hash(input.password);
  return db.transaction().execute(async (trx) => {
    const link = await trx
      .selectFrom('sign_in_link as l')
      .innerJoin('app_user as u', 'u.id', 'l.user_id')
      .select(['l.token_hash', 'l.user_id'])
      .where('l.token_hash', '=', hashToken(input.token))
      .where('l.used_at', 'is', null)
      .where('l.expires_at', '>', new Date())
      .where('u.disabled_at', 'is', null)
      .forUpdate('l')
      .executeTakeFirst();
    if (!link) throw new AppError('not_found', 'signIn.linkInvalid');
    await trx
      .updateTable('sign_in_link')
      .set({ used_at: new Date() })
      .where('token_hash', '=', link.token_hash)
      .execute();
    await trx
      .updateTable('app_user')
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where('id', '=', link.user_id)
      .execute();
    await revokeSessionsOf(trx, link.user_id);
    await recordAudit(trx, {
      actorId: link.user_id,
      action: 'password.set_with_link',
      objectType: 'app_user',
      objectId: link.user_id,
      ip: input.ip,
    });
    const sessionToken = await createSession(trx, {
      userId: link.user_id,
      ttlMs: input.sessionTtlMs,
      ip: input.ip,
      userAgent: input.userAgent,
    });
    return { sessionToken, userId: link.user_id };
  });
}
