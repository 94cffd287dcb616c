// Students are told (issue 19): notifications of newly published materials, deadlines a day ahead
// and grades, each about one thing once per person (`about`); the e-mail copy per the person's
// choice (`notify_email`), `mailed_at` marking a notification the mailer has dealt with; a private
// calendar feed per person, known by the hash of its token. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table notification drop constraint notification_kind_check,
      add constraint notification_kind_check check (kind in ('overdue_reminder', 'published', 'deadline', 'graded')),
      alter column created_by drop not null,
      add column about text check (length(about) <= 200),
      add column mailed_at timestamptz;
    create unique index notification_about_idx on notification (user_id, about) where about is not null;
    create index notification_unmailed_idx on notification (user_id) where mailed_at is null and kind <> 'overdue_reminder';
    create index notification_list_idx on notification (user_id, created_at desc);
    alter table app_user add column notify_email text not null default 'daily'
      check (notify_email in ('immediately', 'daily', 'never'));
    create table calendar_feed (
      user_id uuid primary key references app_user (id),
      token_hash text not null unique,
      created_at timestamptz not null default now()
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table calendar_feed;
    alter table app_user drop column notify_email;
    drop index notification_list_idx;
    delete from notification where kind <> 'overdue_reminder';
    alter table notification drop column mailed_at, drop column about,
      alter column created_by set not null,
      drop constraint notification_kind_check,
      add constraint notification_kind_check check (kind in ('overdue_reminder'));
  `.execute(db);
}
