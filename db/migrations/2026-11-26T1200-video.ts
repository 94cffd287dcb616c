// Video lectures: where a file's HLS output lives, what the probe found, and why processing failed.
// Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table media_file
      -- Storage prefix of the published HLS (master.m3u8 and renditions); set once, when ready.
      add column hls_prefix text,
      add column poster_key text,
      add column duration_seconds double precision,
      add column width integer,
      add column height integer,
      -- 0..1 while processing, for the cabinet page.
      add column processing_progress real,
      -- A dictionary key the instructor reads in their language, with its parameters.
      add column failure_key text,
      add column failure_params jsonb,
      add column ready_at timestamptz;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table media_file
      drop column hls_prefix, drop column poster_key, drop column duration_seconds, drop column width,
      drop column height, drop column processing_progress, drop column failure_key,
      drop column failure_params, drop column ready_at;
  `.execute(db);
}
