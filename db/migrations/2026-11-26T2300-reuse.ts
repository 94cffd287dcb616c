// Reusing last term: items, files, assignments, tests and questions copied from an earlier cabinet
// remember where they came from (heads see what was reused); a copied file shares the stored
// object (same content, same key), so a stored key is no longer unique to one row. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table item add column copied_from_item_id uuid references item (id);
    alter table question add column copied_from_question_id uuid references question (id);
    alter table media_file
      drop constraint media_file_storage_key_key,
      alter column upload_id drop not null,
      add column copied_from_file_id uuid references media_file (id),
      -- A row is either an upload's or a copy's.
      add constraint media_file_origin_check check ((upload_id is null) <> (copied_from_file_id is null));
    create index media_file_storage_key_idx on media_file (storage_key);

    -- One copy into a cabinet (a double click copies once).
    create table cabinet_copy (
      target_cabinet_id uuid primary key references cabinet (id),
      source_cabinet_id uuid not null references cabinet (id),
      copied_by uuid not null references app_user (id),
      copied_at timestamptz not null default now(),
      items integer not null,
      questions integer not null,
      check (target_cabinet_id <> source_cabinet_id)
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table cabinet_copy;
    drop index media_file_storage_key_idx;
    alter table media_file drop constraint media_file_origin_check, drop column copied_from_file_id, alter column upload_id set not null, add constraint media_file_storage_key_key unique (storage_key);
    alter table question drop column copied_from_question_id;
    alter table item drop column copied_from_item_id;
  `.execute(db);
}
