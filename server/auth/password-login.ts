// Who may sign in with a password (PASSWORD_LOGIN): everyone, staff only (anyone holding a role;
// students use single sign-on), or nobody. The others are sent to the university's sign-in; links
// to set a password, "forgot password" and changing one follow the same rule.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { PasswordLogin } from '../config.ts';
import { AppError } from '../errors.ts';

export async function passwordAllowed(db: Kysely<Database>, userId: string, policy: PasswordLogin): Promise<boolean> {
  if (policy === 'all') return true;
  if (policy === 'none') return false;
  const role = await db.selectFrom('role_assignment').select('id').where('user_id', '=', userId).where('ended_at', 'is', null).limit(1).executeTakeFirst();
  return role !== undefined;
}

/** Refuses, with a message pointing to single sign-on, a person who may not use a password. */
export async function requirePasswordAllowed(db: Kysely<Database>, userId: string, policy: PasswordLogin): Promise<void> {
  if (!(await passwordAllowed(db, userId, policy))) throw new AppError('forbidden', 'login.useSso');
}
