// Which web process may write an unfinished upload right now (server/http/upload-lease.ts): a
// lease renewed while its request runs, so that two processes sharing one spool never write one
// upload at once, and a process that wants it asks the holder to let go. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table upload
      add column lease_holder uuid,
      add column lease_until timestamptz,
      add column lease_wanted_at timestamptz
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table upload drop column lease_holder, drop column lease_until, drop column lease_wanted_at`.execute(
    db,
  );
}
