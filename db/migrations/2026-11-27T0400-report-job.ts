// Report summaries kept by a job instead of row triggers (decision 015). A change marks the cabinets
// it touches dirty (statement triggers with transition tables: one cheap insert per statement); the
// refresher recomputes those cabinets and their departments set-based within seconds, and every
// report reads after catching up, so what it shows is exact. What the reports read:
// - `slot_fact`: each plan slot's due and delivery moments (and their term days);
// - `cabinet_current` / `department_current`: the measures as they stand now, with quality signals,
//   the overdue slots, and until when they hold without any change (the next due or delivery moment);
// - `department_day`: each department's cumulative counts at the end of every term day ("as of").
// Frozen once landed.
import { sql, type Kysely } from 'kysely';

/**
 * A statement trigger on `table` that marks dirty the cabinets its changed rows belong to.
 * `cabinetsOf(rows)` selects their cabinet ids from a transition table.
 */
function dirtyTrigger(
  table: string,
  events: ('insert' | 'update' | 'delete')[],
  cabinetsOf: (rows: string) => string,
): string {
  const fn = `report_dirty_${table}`;
  const triggers = events.map((event) => {
    const referencing = {
      insert: 'new table as new_rows',
      update: 'old table as old_rows new table as new_rows',
      delete: 'old table as old_rows',
    }[event];
    return `create trigger ${fn}_${event} after ${event} on ${table} referencing ${referencing} for each statement execute function ${fn}();`;
  });
  return `
    create function ${fn}() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into report_dirty (cabinet_id) select distinct cabinet_id from (${cabinetsOf('new_rows')}) c (cabinet_id) where cabinet_id is not null;
      elsif tg_op = 'DELETE' then
        insert into report_dirty (cabinet_id) select distinct cabinet_id from (${cabinetsOf('old_rows')}) c (cabinet_id) where cabinet_id is not null;
      else
        insert into report_dirty (cabinet_id)
          select cabinet_id from (${cabinetsOf('new_rows')}) c (cabinet_id) where cabinet_id is not null
          union select cabinet_id from (${cabinetsOf('old_rows')}) c (cabinet_id) where cabinet_id is not null;
      end if;
      if found then perform pg_notify('report_dirty', ''); end if;
      return null;
    end $$;
    ${triggers.join('\n    ')}`;
}

const all = ['insert', 'update', 'delete'] as const;
/** The order of `report_counts`: for each kind, its five counts (server/reports/summaries.ts reads them in this order). */
const countOrder = {
  kinds: ['lecture_video', 'practical_material', 'interim_assessment'],
  measures: ['required', 'due', 'delivered', 'onTime', 'overdue'],
} as const;
const measureFilter = {
  required: 'true',
  due: 'due_at <= at',
  delivered: 'delivered_at <= at',
  onTime: 'delivered_at <= at and on_time',
  overdue: 'due_at <= at and (delivered_at is null or delivered_at > at)',
};
const countColumns = countOrder.kinds
  .flatMap((kind) =>
    countOrder.measures.map((measure) => `count(*) filter (where kind = '${kind}' and ${measureFilter[measure]})`),
  )
  .join(', ');
const viaItem = (rows: string) => `select i.cabinet_id from ${rows} r join item i on i.id = r.item_id`;
const viaMediaFile = (rows: string) =>
  `select i.cabinet_id from ${rows} r join media_file f on f.id = r.media_file_id join item i on i.id = f.item_id`;
const viaAssignment = (rows: string) =>
  `select i.cabinet_id from ${rows} r join assignment a on a.id = r.assignment_id join item i on i.id = a.item_id`;
const viaGroup = (column: string) => (rows: string) =>
  `select c.id from ${rows} r join teaching_assignment_group tag on tag.group_id = r.${column} join cabinet c on c.teaching_assignment_id = tag.teaching_assignment_id`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger report_media_file on media_file;
    drop trigger report_item on item;
    drop trigger report_slot on slot;
    drop function report_on_media_file, report_on_item, report_on_slot, report_refresh_slot, report_apply, report_add, report_rebuild;
    drop table cabinet_week, department_week;

    -- Which cabinets changed since the refresher last ran (duplicates are fine: it takes them all).
    create table report_dirty (
      id bigint generated always as identity primary key,
      cabinet_id uuid not null
    );

    alter table slot_fact drop column due_week, drop column delivered_week, drop column weeks,
      add column days integer not null default 0,
      add column due_day integer not null default 0,
      add column delivered_day integer;
    create index slot_fact_cabinet_idx on slot_fact (cabinet_id);
    -- Who watched a lecture to the end, counted from the index alone.
    create index watch_progress_completed_idx on watch_progress (media_file_id) where completed_at is not null;
    create index slot_fact_department_idx on slot_fact (department_id, term_id);

    create table cabinet_current (
      cabinet_id uuid primary key,
      department_id uuid not null,
      term_id uuid not null,
      instructor_id uuid not null,
      subject_id uuid not null,
      groups text[] not null,
      study_forms text[] not null,
      -- At "as_of", by kind (report_counts): required, due, delivered, on time, overdue.
      counts integer[] not null,
      -- [[kind, number, due at (ISO, UTC)], …]: due and not delivered at "as_of", by due time.
      overdue jsonb not null,
      lecture_seconds double precision not null,
      lectures integer not null,
      captioned integer not null,
      -- The sum, over lectures with students, of the share who watched to the end; and how many such lectures.
      watched_sum double precision not null,
      watched_lectures integer not null,
      reused integer not null,
      submissions integer not null,
      graded integer not null,
      as_of timestamptz not null,
      -- The next due or delivery moment after "as_of": the counts hold until then (null: for good).
      valid_until timestamptz
    );
    create index cabinet_current_department_idx on cabinet_current (department_id, term_id);
    create index cabinet_current_department_valid_idx on cabinet_current (department_id, valid_until);
    create index cabinet_current_valid_until_idx on cabinet_current (valid_until);

    create table department_current (
      department_id uuid not null,
      term_id uuid not null,
      cabinets integer not null,
      counts integer[] not null,
      lecture_seconds double precision not null,
      lectures integer not null,
      captioned integer not null,
      watched_sum double precision not null,
      watched_lectures integer not null,
      reused integer not null,
      submissions integer not null,
      graded integer not null,
      -- The department report's page as it stands, ready to send: its cabinets as JSON rows
      -- [cabinet, instructor, instructor's name, subject code, subject name, groups, study forms,
      -- counts, quality parts, overdue] by instructor's name and subject code, and each week's end
      -- with its counts [end, required, delivered, due, on time]. Read as one text value.
      cabinet_rows text not null,
      week_ends text not null,
      as_of timestamptz not null,
      -- The earliest of its cabinets' valid_until.
      valid_until timestamptz,
      primary key (department_id, term_id)
    );

    -- Counts as they stood at the end of day "day" of the term (cumulative); "settled": due and
    -- delivered by then, so that overdue = due − settled.
    create table department_day (
      department_id uuid not null,
      term_id uuid not null,
      day integer not null,
      kind text not null,
      required integer not null,
      due integer not null,
      delivered integer not null,
      on_time integer not null,
      settled integer not null,
      primary key (department_id, term_id, day, kind)
    );

    -- The term day a moment falls in (1 = the first; moments before the term count on day 1, after
    -- it on days + 1, which no row covers).
    create function report_day(moment timestamptz, starts_on date, time_zone text, days integer) returns integer
    language sql stable as $$
      select least(days + 1, greatest(1, floor(extract(epoch from ((moment at time zone time_zone) - starts_on::timestamp)) / 86400)::integer + 1))
    $$;

    -- A moment as JavaScript's toISOString writes it (UTC, milliseconds): the pages use it as is.
    create function report_iso(moment timestamptz) returns text
    language sql immutable as $$
      select to_char(moment at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    $$;

    -- The counts of a set of slot facts at a moment: for each kind in order (lecture video,
    -- practical material, interim assessment) required, due, delivered, on time, overdue.
    create function report_counts(facts slot_fact[], at timestamptz) returns integer[]
    language sql stable as $$
      select array[${sql.raw(countColumns)}]::integer[] from unnest(facts)
    $$;

    -- Recomputes everything the reports read about some cabinets (and their departments) at "at".
    create function report_refresh_cabinets(batch uuid[], at timestamptz) returns void
    language plpgsql as $$
    declare
      departments uuid[];
    begin
      -- The departments before and after (a removed cabinet still changes its department).
      select array_agg(distinct department_id) into departments from (
        select department_id from cabinet_current where cabinet_id = any (batch)
        union
        select subject.department_id from cabinet c
          join teaching_assignment ta on ta.id = c.teaching_assignment_id
          join subject on subject.id = ta.subject_id
          where c.id = any (batch)
      ) d;

      delete from slot_fact where cabinet_id = any (batch);
      insert into slot_fact (slot_id, cabinet_id, department_id, term_id, days, kind, due_at, due_day, delivered_at, delivered_day, on_time)
        select sd.slot_id, sd.cabinet_id, sd.department_id, t.id, t.weeks * 7, sd.kind, sd.due_at,
               report_day(sd.due_at, t.starts_on, t.time_zone, t.weeks * 7),
               sd.delivered_at,
               case when sd.delivered_at is not null then report_day(sd.delivered_at, t.starts_on, t.time_zone, t.weeks * 7) end,
               case when sd.delivered_at is not null then sd.delivered_at <= sd.due_at end
        from (
          -- Each slot's delivery worked out once (the view's rule), for the batch's slots only.
          select d.slot_id, d.cabinet_id, d.kind, d.due_at, d.delivered_at, subject.department_id, ta.term_id
          from slot_delivery d
          join cabinet c on c.id = d.cabinet_id
          join teaching_assignment ta on ta.id = c.teaching_assignment_id
          join subject on subject.id = ta.subject_id
          where d.cabinet_id = any (batch)
          offset 0
        ) sd
        join term t on t.id = sd.term_id;

      delete from cabinet_current where cabinet_id = any (batch);
      insert into cabinet_current
        select c.id, subject.department_id, ta.term_id, ta.instructor_id, ta.subject_id,
          coalesce(g.groups, '{}'), coalesce(g.forms, '{}'),
          report_counts(coalesce(f.facts, '{}'), at),
          coalesce(o.overdue, '[]'),
          coalesce(l.seconds, 0), coalesce(l.lectures, 0), coalesce(l.captioned, 0), coalesce(l.watched_sum, 0), coalesce(l.watched_lectures, 0),
          (select count(*) from item i where i.cabinet_id = c.id and i.copied_from_item_id is not null),
          coalesce(w.submitted, 0), coalesce(w.graded, 0),
          at,
          (select min(m) from unnest(f.facts) x, lateral (values (x.due_at), (x.delivered_at)) v (m) where m > at)
        from cabinet c
        join teaching_assignment ta on ta.id = c.teaching_assignment_id
        join subject on subject.id = ta.subject_id
        left join lateral (
          select array_agg(sg.name order by sg.name) as groups, array_agg(distinct sg.study_form) as forms
          from teaching_assignment_group tag join study_group sg on sg.id = tag.group_id
          where tag.teaching_assignment_id = ta.id
        ) g on true
        left join lateral (select array_agg(x) as facts from slot_fact x where x.cabinet_id = c.id) f on true
        left join lateral (
          select jsonb_agg(jsonb_build_array(s.kind, s.number, report_iso(s.due_at)) order by s.due_at, s.kind, s.number) as overdue
          from slot_fact x join slot s on s.id = x.slot_id
          where x.cabinet_id = c.id and x.due_at <= at and (x.delivered_at is null or x.delivered_at > at)
        ) o on true
        left join lateral (
          select sum(lecture.duration_seconds) as seconds, count(*) as lectures,
            count(*) filter (where lecture.captioned) as captioned,
            sum(lecture.completed::float / students.n) filter (where students.n > 0) as watched_sum,
            count(*) filter (where students.n > 0) as watched_lectures
          from (
            select coalesce(mf.duration_seconds, 0) as duration_seconds,
              exists (select 1 from caption cap where cap.media_file_id = mf.id) as captioned,
              (select count(*) from watch_progress wp where wp.media_file_id = mf.id and wp.completed_at is not null) as completed
            from item i join media_file mf on mf.item_id = i.id
            where i.cabinet_id = c.id and i.status = 'published' and mf.deleted_at is null
              and mf.file_kind in ('video', 'audio') and mf.processing_state = 'ready'
          ) lecture,
          lateral (
            select count(distinct gs.student_id) as n
            from teaching_assignment_group tag join group_student gs on gs.group_id = tag.group_id
            where tag.teaching_assignment_id = ta.id
          ) students
        ) l on true
        left join lateral (
          select count(distinct (s.assignment_id, s.student_id)) as submitted,
            count(distinct (gr.assignment_id, gr.student_id)) filter (where gr.student_id is not null) as graded
          from item i join assignment a on a.item_id = i.id
          join submission s on s.assignment_id = a.id
          left join grade gr on gr.assignment_id = a.id and gr.student_id = s.student_id
          where i.cabinet_id = c.id
        ) w on true
        where c.id = any (batch);

      if departments is null then return; end if;
      -- Each day's cumulative counts: the events of the facts (required from day 1, due, delivered,
      -- settled), summed day by day.
      delete from department_day where department_id = any (departments);
      insert into department_day (department_id, term_id, day, kind, required, due, delivered, on_time, settled)
        select grid.department_id, grid.term_id, grid.day, grid.kind,
          sum(coalesce(e.required, 0)) over running, sum(coalesce(e.due, 0)) over running, sum(coalesce(e.delivered, 0)) over running,
          sum(coalesce(e.on_time, 0)) over running, sum(coalesce(e.settled, 0)) over running
        from (
          select k.department_id, k.term_id, k.kind, d.day
          from (select distinct department_id, term_id, kind, days from slot_fact where department_id = any (departments)) k
          cross join lateral generate_series(1, k.days) as d (day)
        ) grid
        left join (
          select x.department_id, x.term_id, x.kind, v.day,
            sum(v.required) as required, sum(v.due) as due, sum(v.delivered) as delivered, sum(v.on_time) as on_time, sum(v.settled) as settled
          from slot_fact x
          cross join lateral (values
            (1, 1, 0, 0, 0, 0),
            (x.due_day, 0, 1, 0, 0, 0),
            (x.delivered_day, 0, 0, 1, case when x.on_time then 1 else 0 end, 0),
            (case when x.delivered_day is not null then greatest(x.due_day, x.delivered_day) end, 0, 0, 0, 0, 1)
          ) v (day, required, due, delivered, on_time, settled)
          where x.department_id = any (departments) and v.day is not null
          group by x.department_id, x.term_id, x.kind, v.day
        ) e on e.department_id = grid.department_id and e.term_id = grid.term_id and e.kind = grid.kind and e.day = grid.day
        window running as (partition by grid.department_id, grid.term_id, grid.kind order by grid.day);

      delete from department_current where department_id = any (departments);
      insert into department_current
        select cc.department_id, cc.term_id, count(*),
          (select report_counts(array_agg(x), at) from slot_fact x where x.department_id = cc.department_id and x.term_id = cc.term_id),
          sum(cc.lecture_seconds), sum(cc.lectures), sum(cc.captioned), sum(cc.watched_sum), sum(cc.watched_lectures),
          sum(cc.reused), sum(cc.submissions), sum(cc.graded),
          (
            select json_agg(json_build_array(r.cabinet_id, r.instructor_id, u.full_name, sub.code, sub.name, r.groups, r.study_forms, r.counts,
                array[r.lecture_seconds, r.lectures, r.captioned, r.watched_sum, r.watched_lectures, r.reused, r.submissions, r.graded], r.overdue)
              order by u.full_name, sub.code, r.cabinet_id)::text
            from cabinet_current r join app_user u on u.id = r.instructor_id join subject sub on sub.id = r.subject_id
            where r.department_id = cc.department_id and r.term_id = cc.term_id
          ),
          coalesce((
            select json_agg(json_build_array(report_iso(((t.starts_on + d.day - 1) + time '23:59:59') at time zone t.time_zone), d.required, d.delivered, d.due, d.on_time) order by d.day)::text
            from (
              select day, sum(required) as required, sum(delivered) as delivered, sum(due) as due, sum(on_time) as on_time
              from department_day where department_id = cc.department_id and term_id = cc.term_id and day % 7 = 0 group by day
            ) d, term t
            where t.id = cc.term_id
          ), '[]'),
          at, min(cc.valid_until)
        from cabinet_current cc
        where cc.department_id = any (departments)
        group by cc.department_id, cc.term_id;
    end $$;

    -- Brings the summaries a step closer to now, for one department or (null) everywhere: its
    -- cabinets whose counts have run out (a due moment passed) are marked dirty, and the dirty
    -- cabinets of up to "max_departments" departments are refreshed, each department once. Returns
    -- how many departments; call again until it returns fewer than asked. One refresh at a time (an
    -- advisory lock, held for one batch), so two never rewrite a department at once; cheap when
    -- there is nothing to do.
    create function report_catch_up(department uuid default null, max_departments integer default 20) returns integer
    language plpgsql as $$
    declare
      none constant uuid := '00000000-0000-0000-0000-000000000000';
      at timestamptz;
      chosen uuid[];
      batch uuid[];
    begin
      if not report_stale(department) then return 0; end if;
      perform pg_advisory_xact_lock(72040015);
      at := clock_timestamp();
      insert into report_dirty (cabinet_id)
        select cabinet_id from cabinet_current where valid_until <= at and (department is null or department_id = department);
      -- Each dirty cabinet's department from its subject, or (a cabinet gone) from what was kept
      -- of it, or none; the first departments' cabinets are taken.
      with dirty as (
        select distinct r.cabinet_id, coalesce(s.department_id, cc.department_id, none) as department_id
        from report_dirty r
        left join cabinet c on c.id = r.cabinet_id
        left join teaching_assignment ta on ta.id = c.teaching_assignment_id
        left join subject s on s.id = ta.subject_id
        left join cabinet_current cc on cc.cabinet_id = r.cabinet_id
      ),
      picked as (
        select distinct department_id from dirty
        where department is null or department_id = department
        order by department_id limit max_departments
      ),
      taken as (
        delete from report_dirty r using dirty d
        where r.cabinet_id = d.cabinet_id and d.department_id in (select department_id from picked)
        returning r.cabinet_id
      )
        select (select array_agg(department_id) from picked), (select array_agg(distinct cabinet_id) from taken) into chosen, batch;
      if chosen is null then return 0; end if;
      if batch is not null then perform report_refresh_cabinets(batch, at); end if;
      return cardinality(chosen);
    end $$;

    -- Whether what the reports read is behind: some cabinet changed and waits for the refresher,
    -- or its counts have run out (a due moment passed; a department's valid_until is its
    -- cabinets' earliest). For one department, or (null) anywhere.
    create function report_stale(department uuid) returns boolean
    language sql stable as $$
      select case when department is null then
        exists (select 1 from report_dirty) or exists (select 1 from cabinet_current where valid_until <= now())
      else
        exists (
          select 1 from report_dirty d
          join cabinet c on c.id = d.cabinet_id
          join teaching_assignment ta on ta.id = c.teaching_assignment_id
          join subject s on s.id = ta.subject_id
          where s.department_id = department
        )
        or exists (select 1 from department_current dc where dc.department_id = department and dc.valid_until <= now())
      end
    $$;

    -- The term running now, or the next one starting within 30 days: the one rule for "this term".
    create view current_term as
      select * from term where starts_on <= current_date + 30 order by starts_on desc limit 1;

    -- Everything again from the raw rows (after a bulk load with the triggers off, or to repair).
    create function report_rebuild() returns void
    language plpgsql as $$
    begin
      perform pg_advisory_xact_lock(72040015);
      truncate slot_fact, cabinet_current, department_current, department_day, report_dirty;
      perform report_refresh_cabinets(array(select id from cabinet), clock_timestamp());
    end $$;

    ${sql.raw(dirtyTrigger('slot', [...all], (rows) => `select cabinet_id from ${rows}`))}
    ${sql.raw(dirtyTrigger('item', [...all], (rows) => `select cabinet_id from ${rows}`))}
    ${sql.raw(dirtyTrigger('media_file', [...all], viaItem))}
    ${sql.raw(dirtyTrigger('caption', [...all], viaMediaFile))}
    ${sql.raw(dirtyTrigger('submission', [...all], viaAssignment))}
    ${sql.raw(dirtyTrigger('grade', [...all], viaAssignment))}
    ${sql.raw(dirtyTrigger('teaching_assignment_group', ['insert', 'delete'], (rows) => `select c.id from ${rows} r join cabinet c on c.teaching_assignment_id = r.teaching_assignment_id`))}
    ${sql.raw(dirtyTrigger('group_student', ['insert', 'delete'], viaGroup('group_id')))}
    ${sql.raw(dirtyTrigger('study_group', ['update'], viaGroup('id')))}
    ${sql.raw(dirtyTrigger('teaching_assignment', ['update'], (rows) => `select c.id from ${rows} r join cabinet c on c.teaching_assignment_id = r.id`))}
    ${sql.raw(dirtyTrigger('app_user', ['update'], () => `select c.id from new_rows n join old_rows o on o.id = n.id and o.full_name is distinct from n.full_name join teaching_assignment ta on ta.instructor_id = n.id join cabinet c on c.teaching_assignment_id = ta.id`))}
    ${sql.raw(dirtyTrigger('subject', ['update'], () => `select c.id from new_rows n join old_rows o on o.id = n.id and (o.code, o.name) is distinct from (n.code, n.name) join teaching_assignment ta on ta.subject_id = n.id join cabinet c on c.teaching_assignment_id = ta.id`))}
    ${sql.raw(dirtyTrigger('term', ['update'], (rows) => `select c.id from ${rows} r join teaching_assignment ta on ta.term_id = r.id join cabinet c on c.teaching_assignment_id = ta.id`))}

    -- Watching changes the signals only when a student reaches the end (a row trigger, filtered
    -- before it runs: the progress reports every few seconds cost nothing).
    create function report_dirty_watch() returns trigger language plpgsql as $$
    begin
      insert into report_dirty (cabinet_id) select i.cabinet_id from media_file f join item i on i.id = f.item_id where f.id = new.media_file_id;
      perform pg_notify('report_dirty', '');
      return null;
    end $$;
    create trigger report_dirty_watch_insert after insert on watch_progress for each row when (new.completed_at is not null) execute function report_dirty_watch();
    create trigger report_dirty_watch_update after update of completed_at on watch_progress for each row when (old.completed_at is distinct from new.completed_at) execute function report_dirty_watch();

    select report_rebuild();
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('2026-11-27T0400-report-job cannot be undone (restore a backup).');
}
