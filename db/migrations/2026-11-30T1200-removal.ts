// Undo for instructors (issue 19): an item or a file is removed, not deleted. A removed item leaves
// its slot (which a new item may then fill) and remembers it, to go back on restore; a file is
// marked removed, or replaced by its newer version (the history an instructor and the heads read).
// After the retention period a job deletes the stored objects no other row still uses and marks the
// row purged; the rows stay, as the audit's subjects. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table item
      add column removed_at timestamptz,
      add column removed_by uuid references app_user (id),
      add column removed_from_slot_id uuid references slot (id),
      add constraint item_removed_check check ((removed_at is null) = (removed_by is null)),
      add constraint item_removed_slot_check check (removed_at is not null or removed_from_slot_id is null),
      add constraint item_removed_out_of_slot_check check (removed_at is null or slot_id is null);
    create index item_removed_idx on item (cabinet_id, removed_at) where removed_at is not null;
    alter table media_file
      add column deleted_by uuid references app_user (id),
      add column replaced_by_file_id uuid references media_file (id),
      add column objects_purged_at timestamptz,
      add constraint media_file_replaced_check check (replaced_by_file_id is null or deleted_at is not null);
    create index media_file_removed_idx on media_file (deleted_at) where deleted_at is not null and objects_purged_at is null;
    create index media_file_replaced_idx on media_file (replaced_by_file_id) where replaced_by_file_id is not null;
    -- An upload that brings a newer version of a file: on finishing, the file it replaces is kept as history.
    alter table upload add column replaces_file_id uuid references media_file (id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table upload drop column replaces_file_id;
    drop index media_file_replaced_idx;
    drop index media_file_removed_idx;
    alter table media_file drop constraint media_file_replaced_check, drop column objects_purged_at,
      drop column replaced_by_file_id, drop column deleted_by;
    drop index item_removed_idx;
    alter table item drop constraint item_removed_out_of_slot_check, drop constraint item_removed_slot_check,
      drop constraint item_removed_check, drop column removed_from_slot_id, drop column removed_by, drop column removed_at;
  `.execute(db);
}
