// The measures read from the summaries the triggers keep (decision 014): cumulative counts at the
// end of the week before the moment asked for, plus that week's slot facts up to the moment. Always
// equal to the recount (`measures.ts`); `checkSummaries` proves it.
import { sql, type Kysely } from 'kysely';
import type { Database, SlotKind } from '../../db/schema.ts';
import { countCabinets, ratios, type CabinetMeasures, type Counts } from './measures.ts';

const kinds: SlotKind[] = ['lecture_video', 'practical_material', 'interim_assessment'];
type Tally = Counts & { settled: number };
const zero = (): Tally => ({ required: 0, due: 0, delivered: 0, onTime: 0, overdue: 0, settled: 0 });

/** The term week `asOf` falls in, by the same function the triggers use. */
async function weekOf(db: Kysely<Database>, termId: string, asOf: Date): Promise<{ week: number; weeks: number }> {
  const row = await sql<{ week: number; weeks: number }>`
    select report_week(${asOf}::timestamptz, starts_on, time_zone, weeks) as week, weeks from term where id = ${termId}`.execute(db);
  return row.rows[0]!;
}

/** The measures of some cabinets of one term as they stood at `asOf`, from the summaries. */
export async function summaryCounts(db: Kysely<Database>, termId: string, cabinetIds: readonly string[], asOf: Date): Promise<CabinetMeasures[]> {
  if (cabinetIds.length === 0) return [];
  const { week } = await weekOf(db, termId, asOf);
  const ids = [...cabinetIds];
  const [cumulative, requiredRows, facts] = await Promise.all([
    // Everything that counted by the end of the week before.
    week > 1 ? db.selectFrom('cabinet_week').selectAll().where('cabinet_id', 'in', ids).where('week', '=', week - 1).execute() : Promise.resolve([]),
    db.selectFrom('cabinet_week').select(['cabinet_id', 'kind', 'required']).where('cabinet_id', 'in', ids).where('week', '=', 1).execute(),
    // What starts to count in this week, up to the moment.
    db
      .selectFrom('slot_fact')
      .select(['cabinet_id', 'kind', 'due_at', 'due_week', 'delivered_at', 'delivered_week', 'on_time'])
      .where('cabinet_id', 'in', ids)
      .where((eb) => eb.or([eb('due_week', '=', week), eb('delivered_week', '=', week)]))
      .execute(),
  ]);
  const tallies = new Map<string, Record<SlotKind, Tally>>(ids.map((id) => [id, Object.fromEntries(kinds.map((k) => [k, zero()])) as Record<SlotKind, Tally>]));
  for (const row of requiredRows) tallies.get(row.cabinet_id)![row.kind].required = row.required;
  for (const row of cumulative) Object.assign(tallies.get(row.cabinet_id)![row.kind], { due: row.due, delivered: row.delivered, onTime: row.on_time, settled: row.settled });
  for (const fact of facts) {
    const tally = tallies.get(fact.cabinet_id)![fact.kind];
    const due = fact.due_at <= asOf;
    const delivered = fact.delivered_at !== null && fact.delivered_at <= asOf;
    if (fact.due_week === week && due) tally.due += 1;
    if (fact.delivered_week === week && delivered) {
      tally.delivered += 1;
      if (fact.on_time) tally.onTime += 1;
    }
    if (Math.max(fact.due_week, fact.delivered_week ?? 0) === week && due && delivered) tally.settled += 1;
  }
  return ids.map((cabinetId) => {
    const byKind = Object.fromEntries(
      kinds.map((kind) => {
        const { settled, ...t } = tallies.get(cabinetId)![kind];
        return [kind, { ...t, overdue: t.due - settled }];
      }),
    ) as Record<SlotKind, Counts>;
    const total = kinds.reduce<Counts>(
      (sum, kind) => ({
        required: sum.required + byKind[kind].required,
        due: sum.due + byKind[kind].due,
        delivered: sum.delivered + byKind[kind].delivered,
        onTime: sum.onTime + byKind[kind].onTime,
        overdue: sum.overdue + byKind[kind].overdue,
      }),
      { required: 0, due: 0, delivered: 0, onTime: 0, overdue: 0 },
    );
    return { cabinetId, byKind, total, ...ratios(total) };
  });
}

/**
 * The consistency check: for every cabinet of a term, the summaries against a recount from the raw
 * rows at the end of every week and at `now`. Returns the cabinets and moments that differ.
 */
export async function checkSummaries(db: Kysely<Database>, termId: string, now = new Date()): Promise<{ cabinetId: string; asOf: string }[]> {
  const cabinets = (
    await db.selectFrom('cabinet').innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id').select('cabinet.id').where('ta.term_id', '=', termId).execute()
  ).map((row) => row.id);
  const ends = await sql<{ at: Date }>`
    select ((starts_on + (w * 7 - 1)) + time '23:59:59') at time zone time_zone as at
    from term, generate_series(1, weeks) as w where id = ${termId} order by w`.execute(db);
  const moments = [...ends.rows.map((row) => row.at), now];
  const mismatches: { cabinetId: string; asOf: string }[] = [];
  for (let i = 0; i < cabinets.length; i += 500) {
    const batch = cabinets.slice(i, i + 500);
    for (const asOf of moments) {
      const [kept, recounted] = await Promise.all([summaryCounts(db, termId, batch, asOf), countCabinets(db, batch, asOf)]);
      kept.forEach((measures, j) => {
        if (JSON.stringify(measures) !== JSON.stringify(recounted[j])) mismatches.push({ cabinetId: measures.cabinetId, asOf: asOf.toISOString() });
      });
    }
  }
  return mismatches;
}
