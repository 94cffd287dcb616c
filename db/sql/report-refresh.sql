-- The report refresher (decisions 015 and 034): a change marks the cabinets it touches dirty
-- (statement triggers with transition tables: one cheap insert per statement); the refresher
-- recomputes those cabinets and their departments set-based, by the rules of report-rules.sql.
-- What the reports read:
-- - `slot_fact`: each plan slot's due and delivery moments (and their term days);
-- - `cabinet_current` / `department_current`: the measures as they stand now, with quality signals,
--   the overdue slots, and until when they hold without any change (the next due or delivery moment);
-- - `department_day`: each department's cumulative counts at the end of every term day ("as of").
-- Applied after the migrations and again whenever this file changes (db/repeatable.ts); then every
-- cabinet is marked dirty, so that the summaries follow the new code.

-- The facts of some cabinets' slots from the raw rows: the delivery rule (`slot_delivery`) dated in
-- term days.
create or replace function report_facts(batch uuid[])
returns table (slot_id uuid, cabinet_id uuid, department_id uuid, term_id uuid, kind text, days integer, due_at timestamptz, due_day integer,
  delivered_at timestamptz, delivered_day integer, on_time boolean)
language sql stable as $$
  select sd.slot_id, sd.cabinet_id, subject.department_id, t.id, sd.kind, t.weeks * 7, sd.due_at,
    report_day(sd.due_at, t.starts_on, t.time_zone, t.weeks * 7),
    sd.delivered_at,
    case when sd.delivered_at is not null then report_day(sd.delivered_at, t.starts_on, t.time_zone, t.weeks * 7) end,
    case when sd.delivered_at is not null then sd.delivered_at <= sd.due_at end
  from slot_delivery sd
  join cabinet c on c.id = sd.cabinet_id
  join teaching_assignment ta on ta.id = c.teaching_assignment_id
  join subject on subject.id = ta.subject_id
  join term t on t.id = ta.term_id
  where sd.cabinet_id = any (batch)
$$;

-- Recomputes everything the reports read about some cabinets (and their departments) at "at".
create or replace function report_refresh_cabinets(batch uuid[], at timestamptz) returns void
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
  insert into slot_fact (slot_id, cabinet_id, department_id, term_id, kind, days, due_at, due_day, delivered_at, delivered_day, on_time)
    select * from report_facts(batch);

  delete from cabinet_current where cabinet_id = any (batch);
  insert into cabinet_current (cabinet_id, department_id, term_id, instructor_id, subject_id, groups, study_forms, counts, overdue,
      lecture_seconds, lectures, captioned, watched_sum, watched_lectures, reused, submissions, graded, as_of, valid_until)
    select c.id, subject.department_id, ta.term_id, ta.instructor_id, ta.subject_id,
      coalesce(g.groups, '{}'), coalesce(g.forms, '{}'),
      report_counts(coalesce(f.facts, '{}'), at),
      coalesce(o.overdue, '[]'),
      coalesce(l.seconds, 0), coalesce(l.lectures, 0), coalesce(l.captioned, 0), coalesce(l.watched_sum, 0), coalesce(l.watched_lectures, 0),
      (select count(*) from item i where i.cabinet_id = c.id and i.copied_from_item_id is not null and i.removed_at is null),
      coalesce(w.submitted, 0), coalesce(w.graded, 0),
      at,
      (select min(m) from slot_fact x, lateral (values (x.due_at), (x.delivered_at)) v (m) where x.cabinet_id = c.id and m > at)
    from cabinet c
    join teaching_assignment ta on ta.id = c.teaching_assignment_id
    join subject on subject.id = ta.subject_id
    left join lateral (
      select array_agg(sg.name order by sg.name) as groups, array_agg(distinct sg.study_form) as forms
      from teaching_assignment_group tag join study_group sg on sg.id = tag.group_id
      where tag.teaching_assignment_id = ta.id
    ) g on true
    left join lateral (
      select array_agg((x.kind, x.due_at, x.delivered_at)::report_fact) as facts from slot_fact x where x.cabinet_id = c.id
    ) f on true
    left join lateral (
      select jsonb_agg(jsonb_build_object('kind', s.kind, 'number', s.number, 'dueAt', report_iso(s.due_at)) order by s.due_at, s.kind, s.number) as overdue
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
        where i.cabinet_id = c.id and i.status = 'published' and i.removed_at is null and mf.deleted_at is null
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
      where i.cabinet_id = c.id and i.removed_at is null
    ) w on true
    where c.id = any (batch);

  if departments is null then return; end if;
  perform report_refresh_departments(departments, at);
end $$;

-- Recomputes some departments' day series and current rows from their cabinets' facts and rows.
create or replace function report_refresh_departments(departments uuid[], at timestamptz) returns void
language plpgsql as $$
begin
  -- Each day's cumulative counts: the events of the facts (required from day 1, due, delivered,
  -- settled), summed day by day. This counts by events rather than by `report_counts`; the
  -- consistency check holds the two equal at the end of every week.
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

  -- The department's row, with its report page as JSON text with named fields, ready to send
  -- (server/reports/department-page.ts reads it): its cabinets by instructor's name and subject
  -- code, and each week's end with its counts.
  delete from department_current where department_id = any (departments);
  insert into department_current (department_id, term_id, cabinets, counts, lecture_seconds, lectures, captioned, watched_sum, watched_lectures,
      reused, submissions, graded, cabinet_rows, week_ends, as_of, valid_until)
    select cc.department_id, cc.term_id, count(*),
      (select report_counts(array_agg((x.kind, x.due_at, x.delivered_at)::report_fact), at) from slot_fact x where x.department_id = cc.department_id and x.term_id = cc.term_id),
      sum(cc.lecture_seconds), sum(cc.lectures), sum(cc.captioned), sum(cc.watched_sum), sum(cc.watched_lectures),
      sum(cc.reused), sum(cc.submissions), sum(cc.graded),
      (
        select json_agg(json_build_object(
            'cabinetId', r.cabinet_id, 'instructorId', r.instructor_id, 'instructorName', u.full_name,
            'subjectCode', sub.code, 'subjectName', sub.name, 'groups', r.groups, 'studyForms', r.study_forms, 'counts', r.counts,
            'quality', json_build_object('lecture_seconds', r.lecture_seconds, 'lectures', r.lectures, 'captioned', r.captioned,
              'watched_sum', r.watched_sum, 'watched_lectures', r.watched_lectures, 'reused', r.reused, 'submissions', r.submissions, 'graded', r.graded),
            'overdue', r.overdue)
          order by u.full_name, sub.code, r.cabinet_id)::text
        from cabinet_current r join app_user u on u.id = r.instructor_id join subject sub on sub.id = r.subject_id
        where r.department_id = cc.department_id and r.term_id = cc.term_id
      ),
      coalesce((
        select json_agg(json_build_object(
            'end', report_iso(((t.starts_on + d.day - 1) + time '23:59:59') at time zone t.time_zone),
            'required', d.required, 'delivered', d.delivered, 'due', d.due, 'onTime', d.on_time)
          order by d.day)::text
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

-- Whether what the reports read is behind: some cabinet changed and waits for the refresher,
-- or its counts have run out (a due moment passed; a department's valid_until is its
-- cabinets' earliest). For one department, or (null) anywhere.
create or replace function report_stale(department uuid) returns boolean
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

-- Brings the summaries a step closer to now, for one department or (null) everywhere: its
-- cabinets whose counts have run out (a due moment passed) are marked dirty, and the dirty
-- cabinets of up to "max_departments" departments are refreshed, each department once. Returns
-- how many departments; call again until it returns fewer than asked. One refresh at a time (an
-- advisory lock, held for one batch), so two never rewrite a department at once; cheap when
-- there is nothing to do. Only the refresher calls it (workers/report-listener.ts).
create or replace function report_catch_up(department uuid default null, max_departments integer default 20) returns integer
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

-- Everything again from the raw rows (after a bulk load with the triggers off, or to repair).
create or replace function report_rebuild() returns void
language plpgsql as $$
begin
  perform pg_advisory_xact_lock(72040015);
  truncate slot_fact, cabinet_current, department_current, department_day, report_dirty;
  perform report_refresh_cabinets(array(select id from cabinet), clock_timestamp());
end $$;

-- Marks dirty the cabinets a statement changed. Its argument is a query for the cabinet ids of
-- the rows in a transition table, which it names `%s`; it runs for the new rows and for the old
-- ones, as the statement has them. A query without `%s` names `new_rows` and `old_rows` itself
-- (an update that matters only when some columns changed) and runs once.
create or replace function report_dirty() returns trigger
language plpgsql as $$
declare
  marked bigint := 0;
  n bigint;
  transition text;
begin
  foreach transition in array case
      when position('%s' in tg_argv[0]) = 0 then array['']
      when tg_op = 'INSERT' then array['new_rows']
      when tg_op = 'DELETE' then array['old_rows']
      else array['new_rows', 'old_rows'] end loop
    execute format('insert into report_dirty (cabinet_id) select distinct c.id from (%s) c (id) where c.id is not null', format(tg_argv[0], transition));
    get diagnostics n = row_count;
    marked := marked + n;
  end loop;
  if marked > 0 then perform pg_notify('report_dirty', ''); end if;
  return null;
end $$;

-- The triggers: what changes a cabinet's measures, its quality signals or its report row.
do $$
declare
  via_item constant text := 'select i.cabinet_id from %s r join item i on i.id = r.item_id';
  via_media_file constant text := 'select i.cabinet_id from %s r join media_file f on f.id = r.media_file_id join item i on i.id = f.item_id';
  via_assignment constant text := 'select i.cabinet_id from %s r join assignment a on a.id = r.assignment_id join item i on i.id = a.item_id';
  via_teaching constant text := 'select c.id from %s r join cabinet c on c.teaching_assignment_id = r.teaching_assignment_id';
  via_group constant text := 'select c.id from %s r join teaching_assignment_group tag on tag.group_id = r.group_id join cabinet c on c.teaching_assignment_id = tag.teaching_assignment_id';
  -- [table, events, cabinets of the rows]
  triggers constant text[][] := array[
    ['slot', 'insert update delete', 'select cabinet_id from %s'],
    ['item', 'insert update delete', 'select cabinet_id from %s'],
    ['media_file', 'insert update delete', via_item],
    ['caption', 'insert update delete', via_media_file],
    ['submission', 'insert update delete', via_assignment],
    ['grade', 'insert update delete', via_assignment],
    ['teaching_assignment_group', 'insert delete', via_teaching],
    ['group_student', 'insert delete', via_group],
    ['study_group', 'update', replace(via_group, 'r.group_id', 'r.id')],
    ['teaching_assignment', 'update', 'select c.id from %s r join cabinet c on c.teaching_assignment_id = r.id'],
    -- Only when a name or a code shown in the report rows changed.
    ['app_user', 'update', 'select c.id from new_rows n join old_rows o on o.id = n.id and o.full_name is distinct from n.full_name '
      'join teaching_assignment ta on ta.instructor_id = n.id join cabinet c on c.teaching_assignment_id = ta.id'],
    ['subject', 'update', 'select c.id from new_rows n join old_rows o on o.id = n.id and (o.code, o.name) is distinct from (n.code, n.name) '
      'join teaching_assignment ta on ta.subject_id = n.id join cabinet c on c.teaching_assignment_id = ta.id'],
    ['term', 'update', 'select c.id from %s r join teaching_assignment ta on ta.term_id = r.id join cabinet c on c.teaching_assignment_id = ta.id']
  ];
  event text;
  i integer;
begin
  for i in 1 .. array_length(triggers, 1) loop
    foreach event in array string_to_array(triggers[i][2], ' ') loop
      execute format('drop trigger if exists %I on %I', 'report_dirty_' || triggers[i][1] || '_' || event, triggers[i][1]);
      execute format('create trigger %I after %s on %I referencing %s for each statement execute function report_dirty(%L)',
        'report_dirty_' || triggers[i][1] || '_' || event, event, triggers[i][1],
        case event when 'insert' then 'new table as new_rows' when 'delete' then 'old table as old_rows' else 'old table as old_rows new table as new_rows' end,
        triggers[i][3]);
    end loop;
  end loop;
end $$;

-- Watching changes the signals only when a student reaches the end (a row trigger, filtered
-- before it runs: the progress reports every few seconds cost nothing).
create or replace function report_dirty_watch() returns trigger
language plpgsql as $$
begin
  insert into report_dirty (cabinet_id) select i.cabinet_id from media_file f join item i on i.id = f.item_id where f.id = new.media_file_id;
  perform pg_notify('report_dirty', '');
  return null;
end $$;
drop trigger if exists report_dirty_watch_insert on watch_progress;
create trigger report_dirty_watch_insert after insert on watch_progress for each row when (new.completed_at is not null) execute function report_dirty_watch();
drop trigger if exists report_dirty_watch_update on watch_progress;
create trigger report_dirty_watch_update after update of completed_at on watch_progress for each row when (old.completed_at is distinct from new.completed_at) execute function report_dirty_watch();
