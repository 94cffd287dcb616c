// Lecture videos as an explicit state machine (server/media/video-state.ts): the renditions
// published so far, and the failures that were the video's own (a broken source, ffmpeg refusing),
// counted apart from the queue's retries, which infrastructure blips also use. A video can now fail
// after its playable stage: what was published stays stored under its prefix for a retry.
// Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table media_file
      add column renditions text[] not null default '{}',
      add column processing_failures integer not null default 0 check (processing_failures >= 0)
  `.execute(db);
  // What was published before this column: the names in each ready video's master playlist are not
  // known here; a complete video has the ladder, a playable one at least one rendition.
  await sql`update media_file set renditions = '{published}' where hls_prefix is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table media_file drop column renditions, drop column processing_failures`.execute(db);
}
