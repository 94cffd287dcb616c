// A person's own account: their sessions (and signing out everywhere), changing their password (the
// current one asked, throttled like a login, the other sessions ended), and "forgot password",
// which says the same whether or not the address is known.
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import type { PasswordLogin } from '../config.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { attemptSucceeded, reserveAttempt, throttleKeys } from './login-throttle.ts';
import { checkNewPassword } from './new-password.ts';
import { passwordAllowed, requirePasswordAllowed } from './password-login.ts';
import type { Passwords } from './passwords.ts';
import type { Actor } from './permissions.ts';

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export type SessionView = {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
};

/** The person's open sessions, newest first; `id` is a short handle, never the token or its whole hash. */
export async function ownSessions(db: Db, userId: string, currentToken: string | null): Promise<SessionView[]> {
  const current = currentToken ? hashToken(currentToken) : null;
  const rows = await db
    .selectFrom('session')
    .select(['token_hash', 'created_at', 'last_seen_at', 'ip', 'user_agent'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', new Date())
    .orderBy('last_seen_at', 'desc')
    .limit(50)
    .execute();
  return rows.map((row) => ({
    id: row.token_hash.slice(0, 12),
    createdAt: row.created_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    ip: row.ip,
    userAgent: row.user_agent,
    current: row.token_hash === current,
  }));
}

/** Ends the person's sessions, all of them or all but the one given. */
export async function endSessions(db: Db, actor: Actor, keepToken: string | null): Promise<void> {
  let query = db
    .updateTable('session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', actor.user.id)
    .where('revoked_at', 'is', null);
  if (keepToken) query = query.where('token_hash', '<>', hashToken(keepToken));
  await query.execute();
  await recordAudit(db, {
    actorId: actor.user.id,
    action: keepToken ? 'sessions.end_others' : 'sessions.end_all',
    objectType: 'app_user',
    objectId: actor.user.id,
    ip: actor.ip,
  });
}

/**
 * Changes the password: the current one must be right (checked like a login, throttled by the same
 * keys, so a borrowed session cannot guess it), the new one must pass the rules. Every other
 * session of the person ends.
 */
export async function changePassword(
  db: Db,
  passwords: Passwords,
  actor: Actor & { user: { email: string } },
  input: { current: string; next: string; currentToken: string | null },
): Promise<void> {
  checkNewPassword(input.next, passwords);
  await requirePasswordAllowed(db, actor.user.id, passwords.policy);
  const keys = throttleKeys(actor.user.email, actor.ip);
  const reserved = await reserveAttempt(db, keys);
  if (!reserved.ok) throw new AppError('too_many_requests', 'login.throttled', { seconds: reserved.retryAfterSeconds });
  const row = await db
    .selectFrom('app_user')
    .select('password_hash')
    .where('id', '=', actor.user.id)
    .executeTakeFirst();
  const ok = row?.password_hash
    ? await passwords.verify(input.current, row.password_hash)
    : await passwords.verifyDummy(input.current);
  if (!ok) throw new AppError('invalid_input', 'account.currentWrong');
  await attemptSucceeded(db, keys);
  const hash = await passwords.hash(input.next);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('app_user')
      .set({ password_hash: hash, updated_at: new Date() })
      .where('id', '=', actor.user.id)
      .execute();
    let others = trx
      .updateTable('session')
      .set({ revoked_at: new Date() })
      .where('user_id', '=', actor.user.id)
      .where('revoked_at', 'is', null);
    if (input.currentToken) others = others.where('token_hash', '<>', hashToken(input.currentToken));
    await others.execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'password.change',
      objectType: 'app_user',
      objectId: actor.user.id,
      ip: actor.ip,
    });
  });
}

/**
 * "Forgot password": a sign-in link by e-mail to an active person with this address (the job makes
 * it; its token exists only in the e-mail). Throttled like a login; whether the address is known is
 * never told, and neither is whether a link went out.
 */
export async function requestPasswordReset(
  db: Db,
  mailer: JobQueue | null,
  input: { email: string; ip: string | null; policy: PasswordLogin },
): Promise<void> {
  const email = input.email.trim().toLowerCase();
  const reserved = await reserveAttempt(db, throttleKeys(email, input.ip, 'reset'));
  if (!reserved.ok) throw new AppError('too_many_requests', 'login.throttled', { seconds: reserved.retryAfterSeconds });
  if (!mailer) return;
  const person = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', email)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  // Nobody to send to, or someone who signs in through the university's provider: the same answer.
  if (!person || !(await passwordAllowed(db, person.id, input.policy))) return;
  await db.transaction().execute(async (trx) => {
    await recordAudit(trx, {
      actorId: null,
      action: 'sign_in_link.reset_requested',
      objectType: 'app_user',
      objectId: person.id,
      ip: input.ip,
    });
    await mailer.enqueue(trx, 'send-sign-in-link', { userId: person.id, createdBy: null });
  });
}
