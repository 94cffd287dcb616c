// Quality signals beside the counts, per cabinet: minutes of lecture recordings, the share of
// lectures with captions, items reused from last term, how many students watched each lecture to
// the end (≥ 90 %), submissions received and the share graded. One query per signal for a set of
// cabinets (a department's), over the indexed rows of those cabinets only.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';

export type QualitySignals = {
  lectureMinutes: number;
  /** Lectures with captions in at least one language ÷ lectures that play; null without lectures. */
  captionShare: number | null;
  reusedItems: number;
  /** The average, over the cabinet's playable lectures, of the share of its students who completed each. */
  watchedShare: number | null;
  submissions: number;
  /** Students graded ÷ students who submitted, over the cabinet's assignments. */
  gradedShare: number | null;
};

export async function qualitySignals(db: Db, cabinetIds: readonly string[]): Promise<Map<string, QualitySignals>> {
  const ids = [...cabinetIds];
  const result = new Map<string, QualitySignals>(ids.map((id) => [id, { lectureMinutes: 0, captionShare: null, reusedItems: 0, watchedShare: null, submissions: 0, gradedShare: null }]));
  if (ids.length === 0) return result;
  const list = sql.join(ids.map((id) => sql`${id}::uuid`));
  const [lectures, reused, work] = await Promise.all([
    sql<{ cabinet_id: string; minutes: number; lectures: string; captioned: string; watched: number | null }>`
      with lecture as (
        select i.cabinet_id, f.id, f.duration_seconds,
          exists (select 1 from caption c where c.media_file_id = f.id) as captioned
        from item i join media_file f on f.item_id = i.id
        where i.cabinet_id in (${list}) and i.status = 'published' and f.deleted_at is null
          and f.file_kind in ('video', 'audio') and f.processing_state = 'ready'
      ),
      students as (
        select c.id as cabinet_id, count(distinct gs.student_id) as n
        from cabinet c
        join teaching_assignment_group tag on tag.teaching_assignment_id = c.teaching_assignment_id
        join group_student gs on gs.group_id = tag.group_id
        where c.id in (${list}) group by c.id
      )
      select l.cabinet_id, coalesce(sum(l.duration_seconds), 0) / 60 as minutes, count(*) as lectures,
        count(*) filter (where l.captioned) as captioned,
        avg((select count(*) from watch_progress w where w.media_file_id = l.id and w.completed_at is not null)::float / nullif(s.n, 0)) as watched
      from lecture l left join students s on s.cabinet_id = l.cabinet_id
      group by l.cabinet_id`.execute(db),
    db.selectFrom('item').select(['cabinet_id', (eb) => eb.fn.countAll<string>().as('n')]).where('cabinet_id', 'in', ids).where('copied_from_item_id', 'is not', null).groupBy('cabinet_id').execute(),
    sql<{ cabinet_id: string; submitted: string; graded: string }>`
      select i.cabinet_id, count(distinct (s.assignment_id, s.student_id)) as submitted,
        count(distinct (g.assignment_id, g.student_id)) filter (where g.student_id is not null) as graded
      from item i join assignment a on a.item_id = i.id
      join submission s on s.assignment_id = a.id
      left join grade g on g.assignment_id = a.id and g.student_id = s.student_id
      where i.cabinet_id in (${list}) group by i.cabinet_id`.execute(db),
  ]);
  for (const row of lectures.rows) {
    Object.assign(result.get(row.cabinet_id)!, {
      lectureMinutes: Math.round(Number(row.minutes)),
      captionShare: Number(row.lectures) ? Number(row.captioned) / Number(row.lectures) : null,
      watchedShare: row.watched === null ? null : Number(row.watched),
    });
  }
  for (const row of reused) result.get(row.cabinet_id)!.reusedItems = Number(row.n);
  for (const row of work.rows) {
    Object.assign(result.get(row.cabinet_id)!, { submissions: Number(row.submitted), gradedShare: Number(row.submitted) ? Number(row.graded) / Number(row.submitted) : null });
  }
  return result;
}
