// Email + password login with growing delays after failures, per account and per client address.
import type { Db } from '../../db/client.ts';
import { AppError } from '../errors.ts';
import { verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';

type Throttle = { freeFailures: number; maxDelaySeconds: number };
// A university network puts many people behind one address: it gets more room than one account.
const accountThrottle: Throttle = { freeFailures: 3, maxDelaySeconds: 15 * 60 };
const addressThrottle: Throttle = { freeFailures: 30, maxDelaySeconds: 15 * 60 };
const forgetAfterMs = 60 * 60 * 1000;

export function delaySeconds(failures: number, throttle: Throttle): number {
  const over = failures - throttle.freeFailures;
  return over <= 0 ? 0 : Math.min(2 ** (over - 1), throttle.maxDelaySeconds);
}

async function secondsBlocked(db: Db, keys: string[]): Promise<number> {
  const rows = await db.selectFrom('login_throttle').select('blocked_until').where('key', 'in', keys).execute();
  const until = Math.max(0, ...rows.map((row) => row.blocked_until.getTime()));
  return Math.max(0, Math.ceil((until - Date.now()) / 1000));
}

async function recordFailure(db: Db, key: string, throttle: Throttle): Promise<void> {
  const existing = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  const stale = !existing || Date.now() - existing.blocked_until.getTime() > forgetAfterMs;
  const failures = stale ? 1 : existing.failures + 1;
  const blockedUntil = new Date(Date.now() + delaySeconds(failures, throttle) * 1000);
  await db
    .insertInto('login_throttle')
    .values({ key, failures, blocked_until: blockedUntil })
    .onConflict((oc) => oc.column('key').doUpdateSet({ failures, blocked_until: blockedUntil }))
    .execute();
}

export type LoginInput = { email: string; password: string; ip: string | null; userAgent: string | null };

export async function logIn(
  db: Db,
  input: LoginInput,
  options: { sessionTtlMs: number },
): Promise<{ token: string; userId: string }> {
  const email = input.email.trim().toLowerCase();
  const accountKey = `account:${email}`;
  const addressKey = `address:${input.ip ?? 'unknown'}`;
  const wait = await secondsBlocked(db, [accountKey, addressKey]);
  if (wait > 0) throw new AppError('too_many_requests', 'login.throttled', { seconds: wait });

  const user = await db
    .selectFrom('app_user')
    .select(['id', 'password_hash'])
    .where('email', '=', email)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  // A person who has not set a password yet (imported, waiting for a sign-in link) costs the same hash.
  const ok = user?.password_hash ? await verifyPassword(input.password, user.password_hash) : await verifyAgainstDummy(input.password);
  if (!user?.password_hash || !ok) {
    await recordFailure(db, accountKey, accountThrottle);
    await recordFailure(db, addressKey, addressThrottle);
    throw new AppError('unauthorized', 'login.invalid');
  }
  await db.deleteFrom('login_throttle').where('key', '=', accountKey).execute();
  const token = await createSession(db, {
    userId: user.id,
    ttlMs: options.sessionTtlMs,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return { token, userId: user.id };
}
