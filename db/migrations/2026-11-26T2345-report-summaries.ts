// Summaries the reports read instead of recounting raw rows: a fact per plan slot (when it fell due
// and was delivered, by the `slot_delivery` rule) and cumulative counts at the end of each term
// week per cabinet and per department. Triggers on slot, item and media_file keep them current in
// the transaction that changes them (decision 014). Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table slot_fact (
      slot_id uuid primary key,
      cabinet_id uuid not null,
      department_id uuid not null,
      term_id uuid not null,
      weeks integer not null,
      kind text not null,
      due_at timestamptz not null,
      due_week integer not null,
      delivered_at timestamptz,
      delivered_week integer,
      on_time boolean
    );
    create index slot_fact_cabinet_idx on slot_fact (cabinet_id, delivered_week);
    create index slot_fact_department_idx on slot_fact (department_id, term_id, delivered_week);

    -- Counts as they stood at the end of week "week" of the term (cumulative). "settled": due and
    -- delivered by then, so that overdue = due − settled.
    create table cabinet_week (
      cabinet_id uuid not null,
      week integer not null,
      kind text not null,
      required integer not null default 0,
      due integer not null default 0,
      delivered integer not null default 0,
      on_time integer not null default 0,
      settled integer not null default 0,
      primary key (cabinet_id, week, kind)
    );
    create table department_week (
      department_id uuid not null,
      term_id uuid not null,
      week integer not null,
      kind text not null,
      required integer not null default 0,
      due integer not null default 0,
      delivered integer not null default 0,
      on_time integer not null default 0,
      settled integer not null default 0,
      primary key (department_id, term_id, week, kind)
    );

    -- The term week a moment falls in (1 = the first; moments before the term count in week 1,
    -- after it in weeks + 1, which no row covers).
    create function report_week(moment timestamptz, starts_on date, time_zone text, weeks integer) returns integer
    language sql stable as $$
      select least(weeks + 1, greatest(1, floor(extract(epoch from ((moment at time zone time_zone) - starts_on::timestamp)) / 604800)::integer + 1))
    $$;

    -- Adds to the cumulative counts of one slot's cabinet and department from week "from_week" on.
    create function report_add(f slot_fact, from_week integer, d_required integer, d_due integer, d_delivered integer, d_on_time integer, d_settled integer) returns void
    language plpgsql as $$
    begin
      if from_week > f.weeks then return; end if;
      insert into cabinet_week as c (cabinet_id, week, kind, required, due, delivered, on_time, settled)
        select f.cabinet_id, w, f.kind, d_required, d_due, d_delivered, d_on_time, d_settled from generate_series(from_week, f.weeks) as w
        on conflict (cabinet_id, week, kind) do update set
          required = c.required + excluded.required, due = c.due + excluded.due, delivered = c.delivered + excluded.delivered,
          on_time = c.on_time + excluded.on_time, settled = c.settled + excluded.settled;
      insert into department_week as d (department_id, term_id, week, kind, required, due, delivered, on_time, settled)
        select f.department_id, f.term_id, w, f.kind, d_required, d_due, d_delivered, d_on_time, d_settled from generate_series(from_week, f.weeks) as w
        on conflict (department_id, term_id, week, kind) do update set
          required = d.required + excluded.required, due = d.due + excluded.due, delivered = d.delivered + excluded.delivered,
          on_time = d.on_time + excluded.on_time, settled = d.settled + excluded.settled;
    end $$;

    -- Adds (sign 1) or takes away (sign -1) everything one slot fact contributes.
    create function report_apply(f slot_fact, sign integer) returns void
    language plpgsql as $$
    begin
      perform report_add(f, 1, sign, 0, 0, 0, 0);
      perform report_add(f, f.due_week, 0, sign, 0, 0, 0);
      if f.delivered_at is not null then
        perform report_add(f, f.delivered_week, 0, 0, sign, case when f.on_time then sign else 0 end, 0);
        perform report_add(f, greatest(f.due_week, f.delivered_week), 0, 0, 0, 0, sign);
      end if;
    end $$;

    -- Brings one slot's fact (and the counts) in line with the slot and its item now.
    create function report_refresh_slot(target uuid) returns void
    language plpgsql as $$
    declare
      old_fact slot_fact;
      new_fact slot_fact;
    begin
      select * into old_fact from slot_fact where slot_id = target for update;
      select s.id, s.cabinet_id, subject.department_id, t.id, t.weeks, s.kind, s.due_at,
             report_week(s.due_at, t.starts_on, t.time_zone, t.weeks),
             sd.delivered_at,
             case when sd.delivered_at is null then null else report_week(sd.delivered_at, t.starts_on, t.time_zone, t.weeks) end,
             case when sd.delivered_at is null then null else sd.delivered_at <= s.due_at end
        into new_fact
        from slot s
        join slot_delivery sd on sd.slot_id = s.id
        join cabinet c on c.id = s.cabinet_id
        join teaching_assignment ta on ta.id = c.teaching_assignment_id
        join subject on subject.id = ta.subject_id
        join term t on t.id = ta.term_id
        where s.id = target;
      if old_fact is not distinct from new_fact then return; end if;
      if old_fact.slot_id is not null then
        perform report_apply(old_fact, -1);
        delete from slot_fact where slot_id = target;
      end if;
      if new_fact.slot_id is not null then
        insert into slot_fact select new_fact.*;
        perform report_apply(new_fact, 1);
      end if;
    end $$;

    create function report_on_slot() returns trigger language plpgsql as $$
    begin
      perform report_refresh_slot(coalesce(new.id, old.id));
      return null;
    end $$;
    create trigger report_slot after insert or update of due_at, kind, cabinet_id or delete on slot
      for each row execute function report_on_slot();

    create function report_on_item() returns trigger language plpgsql as $$
    begin
      -- A draft delivers nothing: creating or editing one changes no count.
      if tg_op = 'INSERT' and new.status = 'draft' then return null; end if;
      if tg_op = 'UPDATE' and new.status = 'draft' and old.status = 'draft' and new.slot_id is not distinct from old.slot_id then return null; end if;
      if tg_op in ('UPDATE', 'DELETE') and old.slot_id is not null then perform report_refresh_slot(old.slot_id); end if;
      if tg_op = 'INSERT' and new.slot_id is not null then perform report_refresh_slot(new.slot_id); end if;
      if tg_op = 'UPDATE' and new.slot_id is not null and new.slot_id is distinct from old.slot_id then perform report_refresh_slot(new.slot_id); end if;
      return null;
    end $$;
    create trigger report_item after insert or update of status, published_at, slot_id or delete on item
      for each row execute function report_on_item();

    -- A lecture's recording becoming ready (or removed) can deliver its slot.
    create function report_on_media_file() returns trigger language plpgsql as $$
    declare
      target uuid;
      items uuid[];
    begin
      -- Only recordings count; a lecture's PDF changes nothing.
      if tg_op = 'INSERT' and new.file_kind not in ('video', 'audio') then return null; end if;
      if tg_op = 'DELETE' and old.file_kind not in ('video', 'audio') then return null; end if;
      if tg_op = 'UPDATE' and new.file_kind not in ('video', 'audio') and old.file_kind not in ('video', 'audio') then return null; end if;
      items := case tg_op when 'INSERT' then array[new.item_id] when 'DELETE' then array[old.item_id] else array[new.item_id, old.item_id] end;
      for target in
        select i.slot_id from item i
        where i.id = any (items) and i.slot_id is not null and i.status = 'published'
      loop
        perform report_refresh_slot(target);
      end loop;
      return null;
    end $$;
    create trigger report_media_file after insert or update of processing_state, ready_at, deleted_at, item_id or delete on media_file
      for each row execute function report_on_media_file();

    -- What is there already.
    select report_refresh_slot(id) from slot;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger report_media_file on media_file;
    drop trigger report_item on item;
    drop trigger report_slot on slot;
    drop function report_on_media_file, report_on_item, report_on_slot, report_refresh_slot, report_apply, report_add, report_week;
    drop table department_week, cabinet_week, slot_fact;
  `.execute(db);
}
