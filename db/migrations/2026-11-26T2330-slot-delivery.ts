// When each plan slot was delivered, as one rule the cabinet page, the home lists and the reports
// all read: a published item, and for a lecture a recording that is ready (the later of the two).
// Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create view slot_delivery as
    select
      s.id as slot_id,
      s.cabinet_id,
      s.kind,
      s.week,
      s.due_at,
      case
        when i.status is distinct from 'published' then null
        when s.kind <> 'lecture_video' then i.published_at
        -- A lecture counts once it is published and its recording plays.
        else (
          select case when min(f.ready_at) is null then null else greatest(i.published_at, min(f.ready_at)) end
          from media_file f
          where f.item_id = i.id and f.deleted_at is null and f.file_kind in ('video', 'audio') and f.processing_state = 'ready'
        )
      end as delivered_at
    from slot s
    left join item i on i.slot_id = s.id;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view slot_delivery`.execute(db);
}
