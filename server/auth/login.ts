// E-mail + password login: throttled before the password is checked (login-throttle.ts), the
// password checked, a new session.
import type { Db } from '../../db/client.ts';
import type { Locale } from '../../db/schema.ts';
import { AppError } from '../errors.ts';
import { attemptSucceeded, reserveAttempt, throttleKeys } from './login-throttle.ts';
import type { Passwords } from './passwords.ts';
import { requirePasswordAllowed } from './password-login.ts';
import { createSession } from './sessions.ts';

export type LoginInput = {
  email: string;
  password: string;
  ip: string | null;
  userAgent: string | null;
  /** The language chosen on the login page: it becomes the person's. */
  locale?: Locale | null;
};

export async function logIn(
  db: Db,
  input: LoginInput,
  options: { sessionTtlMs: number; passwords: Passwords },
): Promise<{ token: string; userId: string }> {
  const { passwords } = options;
  // Nobody signs in with a password here: no hash is spent on saying so.
  if (passwords.policy === 'none') throw new AppError('forbidden', 'login.useSso');
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys(email, input.ip);
  const reserved = await reserveAttempt(db, keys);
  if (!reserved.ok) throw new AppError('too_many_requests', 'login.throttled', { seconds: reserved.retryAfterSeconds });

  const user = await db
    .selectFrom('app_user')
    .select(['id', 'password_hash'])
    .where('email', '=', email)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  // Someone who signs in through the university's provider is told so before the password is
  // checked: whether it is right would help a guesser at the provider, where it may be the same.
  if (user) await requirePasswordAllowed(db, user.id, passwords.policy);
  // A person who has not set a password yet (imported, waiting for a sign-in link) costs the same hash.
  const ok = user?.password_hash
    ? await passwords.verify(input.password, user.password_hash)
    : await passwords.verifyDummy(input.password);
  if (!user?.password_hash || !ok) throw new AppError('unauthorized', 'login.invalid');
  await attemptSucceeded(db, keys);
  // A hash from older parameters is replaced now that the password is at hand.
  if (passwords.outdated(user.password_hash)) {
    await db
      .updateTable('app_user')
      .set({ password_hash: await passwords.hash(input.password) })
      .where('id', '=', user.id)
      .execute();
  }
  if (input.locale)
    await db
      .updateTable('app_user')
      .set({ locale: input.locale })
      .where('id', '=', user.id)
      .where('locale', '<>', input.locale)
      .execute();
  const token = await createSession(db, {
    userId: user.id,
    ttlMs: options.sessionTtlMs,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return { token, userId: user.id };
}
