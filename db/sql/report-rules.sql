-- The rules every page, report and check counts by, stated once (decision 034): when a plan slot
-- is delivered, which term is current, which term day a moment falls in, and the measures of a set
-- of slots at a moment. Applied after the migrations, and again whenever this file changes
-- (db/repeatable.ts), in one transaction: "create or replace" only, so that what uses them stays.

-- When each plan slot was delivered: a published item, and for a lecture a recording that plays
-- (the later of the two). A recording replaced by a newer version still counts from when it played,
-- as long as the item has a recording (decision 037): mending a lecture does not undo its delivery.
-- The cabinet page, the home lists, the refresher and the recount read it.
create or replace view slot_delivery as
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
      where f.item_id = i.id and (f.deleted_at is null or f.replaced_by_file_id is not null)
        and f.file_kind in ('video', 'audio') and f.processing_state = 'ready'
        and exists (select 1 from media_file c where c.item_id = i.id and c.deleted_at is null and c.file_kind in ('video', 'audio'))
    )
  end as delivered_at
from slot s
left join item i on i.slot_id = s.id;

-- The term running now, or the next one starting within 30 days: the one rule for "this term".
-- Never an archived one.
create or replace view current_term as
select * from term where archived_at is null and starts_on <= current_date + 30 order by starts_on desc limit 1;

-- The term day a moment falls in (1 = the first; moments before the term count on day 1, after it
-- on days + 1, which no row covers).
create or replace function report_day(moment timestamptz, starts_on date, time_zone text, days integer) returns integer
language sql stable as $$
  select least(days + 1, greatest(1, floor(extract(epoch from ((moment at time zone time_zone) - starts_on::timestamp)) / 86400)::integer + 1))
$$;

-- A moment as JavaScript's toISOString writes it (UTC, milliseconds): the pages use it as is.
create or replace function report_iso(moment timestamptz) returns text
language sql immutable as $$
  select to_char(moment at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- What the measures need of a slot: its kind, when it is due and when it was delivered.
do $$
begin
  if to_regtype('report_fact') is null then
    create type report_fact as (kind text, due_at timestamptz, delivered_at timestamptz);
  end if;
end $$;

-- The measures of a set of slots at a moment, by kind, with the names the code reads
-- (server/common/report-measures.ts `Counts`): a slot is required; due once its due time has
-- passed; delivered once its delivery moment has; on time when delivered by its due time; overdue
-- when due and not delivered. Every kind is present, with zeros when it has no slots.
create or replace function report_counts(facts report_fact[], at timestamptz) returns jsonb
language sql stable as $$
  select jsonb_object_agg(kind, jsonb_build_object('required', required, 'due', due, 'delivered', delivered, 'onTime', on_time, 'overdue', overdue))
  from (
    select k.kind,
      count(f.kind) as required,
      count(f.kind) filter (where f.due_at <= at) as due,
      count(f.kind) filter (where f.delivered_at <= at) as delivered,
      count(f.kind) filter (where f.delivered_at <= at and f.delivered_at <= f.due_at) as on_time,
      count(f.kind) filter (where f.due_at <= at and (f.delivered_at is null or f.delivered_at > at)) as overdue
    from unnest(array['lecture_video', 'practical_material', 'interim_assessment']) k (kind)
    left join unnest(facts) f on f.kind = k.kind
    group by k.kind
  ) by_kind
$$;

-- The measures of some cabinets at a moment, counted from the raw rows (the recount the
-- consistency check holds the refresher's summaries to). Every cabinet asked for has a row.
create or replace function report_recount(cabinets uuid[], at timestamptz) returns table (cabinet_id uuid, counts jsonb)
language sql stable as $$
  select c.id, report_counts(coalesce(array_agg((d.kind, d.due_at, d.delivered_at)::report_fact) filter (where d.slot_id is not null), '{}'), at)
  from unnest(cabinets) c (id)
  left join slot_delivery d on d.cabinet_id = c.id
  group by c.id
$$;
