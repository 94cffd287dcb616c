// Rebuilds every report summary from the raw rows in a few set-based statements: after a bulk load
// with the triggers off (`seed:scale`), or if a term's dates ever change. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function report_rebuild() returns void
    language plpgsql as $$
    begin
      truncate slot_fact, cabinet_week, department_week;
      insert into slot_fact (slot_id, cabinet_id, department_id, term_id, weeks, kind, due_at, due_week, delivered_at, delivered_week, on_time)
        select s.id, s.cabinet_id, subject.department_id, t.id, t.weeks, s.kind, s.due_at,
               report_week(s.due_at, t.starts_on, t.time_zone, t.weeks),
               sd.delivered_at,
               case when sd.delivered_at is null then null else report_week(sd.delivered_at, t.starts_on, t.time_zone, t.weeks) end,
               case when sd.delivered_at is null then null else sd.delivered_at <= s.due_at end
        from slot s
        join slot_delivery sd on sd.slot_id = s.id
        join cabinet c on c.id = s.cabinet_id
        join teaching_assignment ta on ta.id = c.teaching_assignment_id
        join subject on subject.id = ta.subject_id
        join term t on t.id = ta.term_id;
      insert into cabinet_week (cabinet_id, week, kind, required, due, delivered, on_time, settled)
        select f.cabinet_id, w, f.kind, count(*),
               count(*) filter (where f.due_week <= w),
               count(*) filter (where f.delivered_week <= w),
               count(*) filter (where f.delivered_week <= w and f.on_time),
               count(*) filter (where f.delivered_week is not null and greatest(f.due_week, f.delivered_week) <= w)
        from slot_fact f cross join lateral generate_series(1, f.weeks) as w
        group by f.cabinet_id, w, f.kind;
      insert into department_week (department_id, term_id, week, kind, required, due, delivered, on_time, settled)
        select c.department_id, c.term_id, c.week, c.kind, sum(c.required), sum(c.due), sum(c.delivered), sum(c.on_time), sum(c.settled)
        from (select distinct on (cabinet_id) cabinet_id, department_id, term_id from slot_fact) f
        join lateral (select f.department_id, f.term_id, w.week, w.kind, w.required, w.due, w.delivered, w.on_time, w.settled from cabinet_week w where w.cabinet_id = f.cabinet_id) c on true
        group by c.department_id, c.term_id, c.week, c.kind;
    end $$;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop function report_rebuild`.execute(db);
}
