// A large university for the reports' benchmark and for trying the reports at scale, generated
// deterministically in set-based SQL (ids from md5 of a name, choices from hashes of ids):
// 20 faculties and colleges, 150 departments, 2,500 instructors, 12,000 cabinets in the running
// term with their plan slots, delivered items and extra items (about 1,000,000 rows), 40,000
// students (a quarter of the cabinets teach two groups) and about 5,000,000 watch-progress rows.
// `part` 2 adds the same again in the same departments (twice the data, the same number of
// departments). The summaries' triggers are off during the load and the summaries are rebuilt at
// the end (`report_rebuild`). Scale accounts are disabled: nobody logs in as them.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './client.ts';

export const SCALE = {
  faculties: 20,
  departments: 150,
  instructors: 2500,
  cabinets: 12_000,
  students: 40_000,
  groupSize: 25,
};
/** The tables this load writes that carry the summaries' dirty triggers (db/sql/report-refresh.sql). */
const summaryTriggerTables = [
  'group_student',
  'teaching_assignment_group',
  'slot',
  'item',
  'media_file',
  'watch_progress',
];
/** Our own numbers and names, written into the SQL as literals (typed by Postgres, never user input). */
const lit = (value: number | string) => sql.lit(value);
const id = (kind: string, n: unknown) => sql`md5(${lit(`scale-${kind}-`)} || (${n})::text)::uuid`;

/** Whether part `part` of the scale university is in the database already. */
async function present(db: Db, part: number): Promise<boolean> {
  const row = await sql<{
    found: boolean;
  }>`select exists (select 1 from cabinet where id = ${id('cabinet', (part - 1) * SCALE.cabinets + 1)}) as found`.execute(
    db,
  );
  return row.rows[0]!.found;
}

/** One part's load: its statements, which part, and where its numbers start. */
type Load = {
  run: (query: RawBuilder<unknown>) => Promise<unknown>;
  part: number;
  termId: string;
  offset: (count: number) => number;
};
const cabinetsOf = ({ offset }: Load) =>
  sql`select ${id('cabinet', sql`k`)} from generate_series(${lit(offset(SCALE.cabinets) + 1)}, ${lit(offset(SCALE.cabinets) + SCALE.cabinets)}) as k`;

/** Faculties, departments and their subjects (once: the second part adds to the same departments). */
async function loadStructure({ run }: Load): Promise<void> {
  await run(sql`
      insert into faculty (id, code, name, kind)
      select ${id('faculty', sql`f`)}, 'SC-F-' || f, 'Масштаб ' || f || (case when f % 5 = 0 then ' колледжи' else ' факультети' end), case when f % 5 = 0 then 'college' else 'faculty' end
      from generate_series(1, ${lit(SCALE.faculties)}) as f`);
  await run(sql`
      insert into department (id, code, faculty_id, name, kind)
      select ${id('department', sql`d`)}, 'SC-D-' || d, ${id('faculty', sql`(d - 1) % ${lit(SCALE.faculties)} + 1`)}, 'Масштаб кафедрасы ' || d, 'department'
      from generate_series(1, ${lit(SCALE.departments)}) as d`);
  // Sixteen subjects per department, 32–64 lecture and 16–32 practical hours.
  await run(sql`
      insert into subject (id, department_id, code, name, credits, lecture_hours, practical_hours)
      select ${id('subject', sql`s`)}, ${id('department', sql`(s - 1) / 16 + 1`)}, 'SC-' || s, 'Масштаб сабагы ' || s, 4, 32 + (s * 7) % 33, 16 + (s * 5) % 17
      from generate_series(1, ${lit(SCALE.departments * 16)}) as s`);
}

/** Instructors with their roles, groups and their students. */
async function loadPeople({ run, offset }: Load): Promise<void> {
  const instructors = SCALE.instructors;
  await run(sql`
    insert into app_user (id, email, password_hash, full_name, disabled_at)
    select ${id('instructor', sql`i`)}, 'scale-instructor-' || i || '@scale.kabinet.kg', 'disabled', 'Масштаб Окутуучу ' || i, now()
    from generate_series(${lit(offset(instructors) + 1)}, ${lit(offset(instructors) + instructors)}) as i`);
  await run(sql`
    insert into role_assignment (user_id, role, department_id)
    select ${id('instructor', sql`i`)}, 'instructor', ${id('department', sql`(i - 1) % ${lit(SCALE.departments)} + 1`)}
    from generate_series(${lit(offset(instructors) + 1)}, ${lit(offset(instructors) + instructors)}) as i`);
  const groups = SCALE.students / SCALE.groupSize;
  await run(sql`
    insert into study_group (id, faculty_id, name, study_form)
    select ${id('group', sql`g`)}, ${id('faculty', sql`(g - 1) % ${lit(SCALE.faculties)} + 1`)}, 'SC-G-' || g, (array['full_time', 'correspondence', 'distance'])[g % 3 + 1]
    from generate_series(${lit(offset(groups) + 1)}, ${lit(offset(groups) + groups)}) as g`);
  await run(sql`
    insert into app_user (id, email, password_hash, full_name, disabled_at)
    select ${id('student', sql`n`)}, 'scale-student-' || n || '@scale.kabinet.kg', 'disabled', 'Масштаб Студент ' || n, now()
    from generate_series(${lit(offset(SCALE.students) + 1)}, ${lit(offset(SCALE.students) + SCALE.students)}) as n`);
  await run(sql`
    insert into group_student (group_id, student_id)
    select ${id('group', sql`(n - 1) / ${lit(SCALE.groupSize)} + 1`)}, ${id('student', sql`n`)}
    from generate_series(${lit(offset(SCALE.students) + 1)}, ${lit(offset(SCALE.students) + SCALE.students)}) as n`);
}

/** Teaching assignments, their groups, cabinets and their plans. */
async function loadCabinets(load: Load): Promise<void> {
  const { run, offset, termId, part } = load;
  const instructors = SCALE.instructors;
  const groups = SCALE.students / SCALE.groupSize;
  // Cabinet k: instructor (k − 1) mod 2,500 (of this part), one of the sixteen subjects of the
  // instructor's department, taught to one group.
  const cabinets = SCALE.cabinets;
  await run(sql`
    insert into teaching_assignment (id, term_id, instructor_id, subject_id)
    select ${id('ta', sql`k`)}, ${termId},
      ${id('instructor', sql`${lit(offset(instructors))} + (k - 1) % ${lit(instructors)} + 1`)},
      ${id('subject', sql`((${lit(offset(instructors))} + (k - 1) % ${lit(instructors)}) % ${lit(SCALE.departments)}) * 16 + ((k - 1 - ${lit(offset(cabinets))}) / ${lit(instructors)}) + ${lit((part - 1) * 8)} + 1`)}
    from generate_series(${lit(offset(cabinets) + 1)}, ${lit(offset(cabinets) + cabinets)}) as k`);
  // A quarter of the cabinets teach a second group of the same form alongside (a combined stream).
  await run(sql`
    insert into teaching_assignment_group (teaching_assignment_id, group_id)
    select ${id('ta', sql`k`)}, ${id('group', sql`${lit(offset(groups))} + (k - 1 + g * 3) % ${lit(groups)} + 1`)}
    from generate_series(${lit(offset(cabinets) + 1)}, ${lit(offset(cabinets) + cabinets)}) as k, generate_series(0, 1) as g
    where g = 0 or k % 4 = 0`);
  await run(sql`
    insert into cabinet (id, teaching_assignment_id)
    select ${id('cabinet', sql`k`)}, ${id('ta', sql`k`)} from generate_series(${lit(offset(cabinets) + 1)}, ${lit(offset(cabinets) + cabinets)}) as k`);
  // The plan: one video per two lecture hours, one practical per two practical hours, two
  // assessments (weeks 8 and 15), spread over the weeks and due at each week's end.
  await run(sql`
    insert into slot (cabinet_id, kind, number, week, due_at)
    select c.id, p.kind, p.number, p.week, ((t.starts_on + (p.week * 7 - 1)) + time '23:59:59') at time zone t.time_zone
    from cabinet c
    join teaching_assignment ta on ta.id = c.teaching_assignment_id
    join subject s on s.id = ta.subject_id
    join term t on t.id = ta.term_id
    cross join lateral (
      select 'lecture_video' as kind, n as number, least(t.weeks, ((n - 1) * t.weeks) / ceil(s.lecture_hours / 2.0)::int + 1) as week from generate_series(1, ceil(s.lecture_hours / 2.0)::int) n
      union all
      select 'practical_material', n, least(t.weeks, ((n - 1) * t.weeks) / ceil(s.practical_hours / 2.0)::int + 1) from generate_series(1, ceil(s.practical_hours / 2.0)::int) n
      union all
      select 'interim_assessment', n, (array[8, 15])[n] from generate_series(1, 2) n
    ) p
    where c.id in (${cabinetsOf(load)})`);
}

/** Delivered and extra items, lecture recordings, and students' watching. */
async function loadContent(load: Load): Promise<void> {
  const { run } = load;
  // Items: of the slots due by now, 70 % published by their due time, 15 % late, the rest
  // missing; a fifth of the slots not yet due published early.
  await run(sql`
    insert into item (id, cabinet_id, slot_id, title, status, published_at, created_by)
    select ${id('item', sql`s.id`)}, s.cabinet_id, s.id, 'Материал ' || s.number, 'published',
      case when h < 70 then s.due_at - interval '2 days' else least(now(), s.due_at + interval '3 days') end,
      ta.instructor_id
    from slot s
    join cabinet c on c.id = s.cabinet_id
    join teaching_assignment ta on ta.id = c.teaching_assignment_id
    cross join lateral (select abs(hashtext(s.id::text)) % 100 as h) r
    where c.id in (${cabinetsOf(load)})
      and ((s.due_at <= now() and h < 85) or (s.due_at > now() and h < 20 and s.due_at - interval '2 days' <= now()))`);
  // Extra items outside the plan (readings, announcements), 10–30 per cabinet, a tenth still drafts.
  await run(sql`
    insert into item (id, cabinet_id, title, status, published_at, created_by)
    select ${id('extra', sql`c.id::text || '-' || n`)}, c.id, 'Кошумча материал ' || n,
      case when n % 10 = 0 then 'draft' else 'published' end,
      case when n % 10 = 0 then null else now() - make_interval(days => n) end,
      ta.instructor_id
    from cabinet c
    join teaching_assignment ta on ta.id = c.teaching_assignment_id
    cross join lateral generate_series(1, 10 + abs(hashtext(c.id::text)) % 21) as n
    where c.id in (${cabinetsOf(load)})`);
  // Each published lecture has a recording, ready right after publishing.
  await run(sql`
    insert into media_file (id, item_id, upload_id, storage_key, original_name, byte_size, sha256, content_type, file_kind, processing_state, ready_at, duration_seconds, hls_complete, created_by)
    select ${id('file', sql`i.id`)}, i.id, md5('scale-upload-' || i.id), 'originals/sc/' || i.id || '/original.mp4', 'lecture.mp4', 100000000, md5(i.id::text) || md5(i.id::text),
      'video/mp4', 'video', 'ready', i.published_at, 1800 + abs(hashtext(i.id::text)) % 3600, true, i.created_by
    from item i join slot s on s.id = i.slot_id
    where s.kind = 'lecture_video' and i.cabinet_id in (${cabinetsOf(load)})`);
  // Watching: most students of the group watched most lectures, about two in five to the end.
  await run(sql`
    insert into watch_progress (user_id, media_file_id, watched, watched_seconds, furthest_seconds, last_position_seconds, completed_at)
    select gs.student_id, f.id, nummultirange(numrange(0, f.duration_seconds::numeric * w.share)), f.duration_seconds * w.share, f.duration_seconds * w.share, f.duration_seconds * w.share,
      case when w.share >= 0.9 then f.ready_at + interval '1 day' end
    from media_file f
    join item i on i.id = f.item_id
    join cabinet c on c.id = i.cabinet_id
    join teaching_assignment_group tag on tag.teaching_assignment_id = c.teaching_assignment_id
    join group_student gs on gs.group_id = tag.group_id
    cross join lateral (select least(1, (abs(hashtext(gs.student_id::text || f.id::text)) % 100) / 66.0) as share) w
    where w.share > 0.1 and c.id in (${cabinetsOf(load)})`);
}

export async function seedScale(
  db: Db,
  options: { part?: 1 | 2; termId: string },
): Promise<{ seconds: number; skipped: boolean }> {
  const part = options.part ?? 1;
  const started = performance.now();
  if (await present(db, part)) return { seconds: 0, skipped: true };
  await db.transaction().execute(async (trx) => {
    const run = (query: RawBuilder<unknown>) => query.execute(trx);
    const load: Load = { run, part, termId: options.termId, offset: (count) => (part - 1) * count };
    // The summaries are rebuilt at the end in one pass; marking every row dirty on the way would only slow the load.
    for (const table of summaryTriggerTables) await run(sql`alter table ${sql.table(table)} disable trigger user`);
    if (part === 1) await loadStructure(load);
    await loadPeople(load);
    await loadCabinets(load);
    await loadContent(load);
    for (const table of summaryTriggerTables) await run(sql`alter table ${sql.table(table)} enable trigger user`);
    // The planner needs the new rows' statistics for the rebuild's joins (without them it takes minutes).
    await run(sql`analyze`);
    await run(sql`select report_rebuild()`);
  });
  await sql`analyze`.execute(db);
  return { seconds: (performance.now() - started) / 1000, skipped: false };
}
