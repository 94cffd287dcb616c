// The measures read from the summaries the triggers keep (decision 014): cumulative counts at the
// end of the week before the moment asked for, plus that week's slot facts up to the moment. Always
// equal to the recount (`measures.ts`); `checkSummaries` proves it.
import { sql, type Kysely } from 'kysely';
import type { Database, SlotKind } from '../../db/schema.ts';
import { dueAtEndOfWeek } from '../cabinets/slot-plan.ts';
import { addCounts, countCabinets, emptyCounts, measuresOf, slotKinds, type CabinetMeasures, type Counts } from './measures.ts';

type Tally = Counts & { settled: number };
const zero = (): Tally => ({ required: 0, due: 0, delivered: 0, onTime: 0, overdue: 0, settled: 0 });

/** The term week `asOf` falls in, by the same function the triggers use. */
async function weekOf(db: Kysely<Database>, termId: string, asOf: Date): Promise<{ week: number; weeks: number }> {
  const row = await sql<{ week: number; weeks: number }>`
    select report_week(${asOf}::timestamptz, starts_on, time_zone, weeks) as week, weeks from term where id = ${termId}`.execute(db);
  return row.rows[0]!;
}

type Level = 'cabinet' | 'department';
export type Measures = Omit<CabinetMeasures, 'cabinetId'> & { id: string };

/**
 * The measures of some cabinets, or some departments, of one term as they stood at `asOf`: the
 * cumulative row at the end of the week before, plus the slot facts that start to count in that
 * week, up to the moment.
 */
async function summarize(db: Kysely<Database>, level: Level, termId: string, ids: string[], asOf: Date): Promise<Measures[]> {
  if (ids.length === 0) return [];
  const { week } = await weekOf(db, termId, asOf);
  const weekly = (at: number) =>
    level === 'cabinet'
      ? db.selectFrom('cabinet_week').select(['cabinet_id as id', 'kind', 'required', 'due', 'delivered', 'on_time', 'settled']).where('cabinet_id', 'in', ids).where('week', '=', at).execute()
      : db.selectFrom('department_week').select(['department_id as id', 'kind', 'required', 'due', 'delivered', 'on_time', 'settled']).where('department_id', 'in', ids).where('term_id', '=', termId).where('week', '=', at).execute();
  const [cumulative, requiredRows, facts] = await Promise.all([
    // Everything that counted by the end of the week before.
    week > 1 ? weekly(week - 1) : Promise.resolve([]),
    weekly(1),
    // What starts to count in this week, up to the moment, counted in the database (a university's
    // week is tens of thousands of facts; the answer is a few hundred rows).
    db
      .selectFrom('slot_fact')
      .select([
        level === 'cabinet' ? 'cabinet_id as id' : 'department_id as id',
        'kind',
        sql<string>`count(*) filter (where due_week = ${week} and due_at <= ${asOf})`.as('due'),
        sql<string>`count(*) filter (where delivered_week = ${week} and delivered_at <= ${asOf})`.as('delivered'),
        sql<string>`count(*) filter (where delivered_week = ${week} and delivered_at <= ${asOf} and on_time)`.as('on_time'),
        sql<string>`count(*) filter (where greatest(due_week, delivered_week) = ${week} and due_at <= ${asOf} and delivered_at <= ${asOf})`.as('settled'),
      ])
      .where(level === 'cabinet' ? 'cabinet_id' : 'department_id', 'in', ids)
      .where('term_id', '=', termId)
      .where((eb) => eb.or([eb('due_week', '=', week), eb('delivered_week', '=', week)]))
      .groupBy(['id', 'kind'])
      .execute(),
  ]);
  const tallies = new Map<string, Record<SlotKind, Tally>>(ids.map((id) => [id, Object.fromEntries(slotKinds.map((k) => [k, zero()])) as Record<SlotKind, Tally>]));
  for (const row of requiredRows) tallies.get(row.id)![row.kind].required = row.required;
  for (const row of cumulative) Object.assign(tallies.get(row.id)![row.kind], { due: row.due, delivered: row.delivered, onTime: row.on_time, settled: row.settled });
  for (const row of facts) {
    const tally = tallies.get(row.id)![row.kind];
    tally.due += Number(row.due);
    tally.delivered += Number(row.delivered);
    tally.onTime += Number(row.on_time);
    tally.settled += Number(row.settled);
  }
  return ids.map((id) => {
    const byKind = Object.fromEntries(
      slotKinds.map((kind) => {
        const { settled, ...t } = tallies.get(id)![kind];
        return [kind, { ...t, overdue: t.due - settled }];
      }),
    ) as Record<SlotKind, Counts>;
    return { id, ...measuresOf(byKind) };
  });
}

/** The measures of some cabinets of one term as they stood at `asOf`, from the summaries. */
export async function summaryCounts(db: Kysely<Database>, termId: string, cabinetIds: readonly string[], asOf: Date): Promise<CabinetMeasures[]> {
  return (await summarize(db, 'cabinet', termId, [...cabinetIds], asOf)).map(({ id, ...measures }) => ({ cabinetId: id, ...measures }));
}

/** The same for whole departments, from their own weekly summary (a university in a few hundred rows). */
export function departmentCounts(db: Kysely<Database>, termId: string, departmentIds: readonly string[], asOf: Date): Promise<Measures[]> {
  return summarize(db, 'department', termId, [...departmentIds], asOf);
}

/** The end of each week of a term, as the plan's due dates are (`dueAtEndOfWeek`). */
export async function weekEnds(db: Kysely<Database>, term: { startsOn: string; weeks: number; timeZone: string }): Promise<Date[]> {
  const ends = Array.from({ length: term.weeks }, (_, i) => dueAtEndOfWeek(term.startsOn, i + 1, term.timeZone));
  const row = await sql<{ ends: Date[] }>`select array[${sql.join(ends)}]::timestamptz[] as ends`.execute(db);
  return row.rows[0]!.ends;
}

/**
 * The consistency check: for every cabinet and department of a term, the summaries against a
 * recount from the raw rows at the end of every week and at `now`. Returns what differs, and when.
 */
export async function checkSummaries(db: Kysely<Database>, termId: string, now = new Date()): Promise<{ id: string; asOf: string }[]> {
  const cabinets = await db
    .selectFrom('cabinet')
    .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .select(['cabinet.id', 'subject.department_id'])
    .where('ta.term_id', '=', termId)
    .execute();
  const term = await db.selectFrom('term').select(['starts_on as startsOn', 'weeks', 'time_zone as timeZone']).where('id', '=', termId).executeTakeFirstOrThrow();
  const moments = [...(await weekEnds(db, term)), now];
  const departments = [...new Set(cabinets.map((c) => c.department_id))];
  const mismatches: { id: string; asOf: string }[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const asOf of moments) {
    // Each cabinet against its recount, and each department against the sum of its cabinets' recounts.
    const byDepartment = new Map<string, Counts[]>();
    for (let i = 0; i < cabinets.length; i += 500) {
      const batch = cabinets.slice(i, i + 500);
      const ids = batch.map((c) => c.id);
      const [kept, recounted] = await Promise.all([summaryCounts(db, termId, ids, asOf), countCabinets(db, ids, asOf)]);
      kept.forEach((measures, j) => {
        if (!same(measures, recounted[j])) mismatches.push({ id: measures.cabinetId, asOf: asOf.toISOString() });
        const department = batch[j]!.department_id;
        byDepartment.set(department, [...(byDepartment.get(department) ?? []), ...slotKinds.map((kind) => recounted[j]!.byKind[kind])]);
      });
    }
    for (const department of await departmentCounts(db, termId, departments, asOf)) {
      const recounted = (byDepartment.get(department.id) ?? []).reduce(addCounts, emptyCounts());
      if (!same(department.total, recounted)) mismatches.push({ id: department.id, asOf: asOf.toISOString() });
    }
  }
  return mismatches;
}
