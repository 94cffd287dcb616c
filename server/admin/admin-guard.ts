// Nobody may take away the last active administrator: not a change on the people page, not an
// import, not two of them at once. Every change that could do so takes one lock and counts the
// admins left inside its own transaction, so of two such changes the second sees the first.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';

const ADMIN_ROLES_LOCK = 72_017_015;

/** Waits for any other change to the admins to commit (held until this transaction ends). */
export async function lockAdminRoles(trx: Transaction<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADMIN_ROLES_LOCK})`.execute(trx);
}

/** People holding the admin role who are not disabled. */
export async function activeAdminCount(db: Kysely<Database>): Promise<number> {
  const row = await sql<{ n: string }>`
    select count(*) as n from role_assignment ra join app_user u on u.id = ra.user_id
    where ra.role = 'admin' and ra.ended_at is null and u.disabled_at is null`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}
