// Who may sign in with a password (PASSWORD_LOGIN): everyone, staff only (anyone holding a role;
// students use single sign-on), or nobody. The others are sent to the university's sign-in; links
// to set a password, "forgot password", changing one and an import's invitations follow the same rule.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { PasswordLogin } from '../config.ts';
import { AppError } from '../errors.ts';

/** Of these people, the ones who may use a password (in no particular order). */
export async function allowedPasswords(
  db: Kysely<Database>,
  userIds: readonly string[],
  policy: PasswordLogin,
): Promise<string[]> {
  if (policy === 'none' || userIds.length === 0) return [];
  if (policy === 'all') return [...userIds];
  // One array parameter: an import's 40,000 people are more than a statement's 65,535 parameters allow as a list.
  const staff = await db
    .selectFrom('role_assignment')
    .select('user_id')
    .distinct()
    .where(sql<boolean>`user_id = any(${[...userIds]}::uuid[])`)
    .where('ended_at', 'is', null)
    .execute();
  return staff.map((row) => row.user_id);
}

export async function passwordAllowed(db: Kysely<Database>, userId: string, policy: PasswordLogin): Promise<boolean> {
  return (await allowedPasswords(db, [userId], policy)).length === 1;
}

/** Refuses, with a message pointing to single sign-on, a person who may not use a password. */
export async function requirePasswordAllowed(
  db: Kysely<Database>,
  userId: string,
  policy: PasswordLogin,
): Promise<void> {
  if (!(await passwordAllowed(db, userId, policy))) throw new AppError('forbidden', 'login.useSso');
}
