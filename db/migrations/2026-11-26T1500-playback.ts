// Playback: staged publishing (playable first, the full ladder later), scrubbing thumbnails,
// captions per language, and what each student actually watched. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table media_file
      -- Ready means it plays; complete means the whole ladder is published too.
      add column hls_complete boolean not null default false,
      add column thumbnails_key text,
      add column processing_started_at timestamptz;

    create table caption (
      id uuid primary key default gen_random_uuid(),
      media_file_id uuid not null references media_file (id),
      language text not null check (language in ('ky', 'ru', 'en')),
      -- WebVTT (an SRT upload is converted first); small, and kept with its row so a caption is never half-stored.
      vtt text not null,
      created_by uuid not null references app_user (id),
      created_at timestamptz not null default now(),
      unique (media_file_id, language)
    );

    -- One row per student and video. The covered seconds are a multirange, so overlapping reports
    -- merge in the database and the watched total is never counted twice.
    create table watch_progress (
      user_id uuid not null references app_user (id),
      media_file_id uuid not null references media_file (id),
      watched nummultirange not null default '{}',
      watched_seconds double precision not null default 0,
      furthest_seconds double precision not null default 0,
      last_position_seconds double precision not null default 0,
      completed_at timestamptz,
      updated_at timestamptz not null default now(),
      primary key (media_file_id, user_id)
    );
    create index watch_progress_user_idx on watch_progress (user_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table watch_progress;
    drop table caption;
    alter table media_file drop column hls_complete, drop column thumbnails_key, drop column processing_started_at;
  `.execute(db);
}
