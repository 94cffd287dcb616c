// A lecture's two stages in queues of their own (decisions 032, 033): when the rest of the ladder
// started and ended (with processing_started_at and ready_at, how long each stage takes on this
// installation, which the cabinet's estimates learn from), and whether a playable video's first
// rendition is still being encoded (a growing playlist). Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table media_file
      add column ladder_started_at timestamptz,
      add column completed_at timestamptz,
      add column growing boolean not null default false
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table media_file drop column ladder_started_at, drop column completed_at, drop column growing`.execute(
    db,
  );
}
