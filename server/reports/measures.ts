// Completeness and timeliness of cabinets, counted from the raw rows through the `slot_delivery`
// view (the one delivery rule), "as of" any moment. Reports read maintained summaries
// (summaries.ts); this recount is what those summaries must always equal.
import { sql, type Kysely } from 'kysely';
import type { Database, SlotKind } from '../../db/schema.ts';

export type Counts = { required: number; due: number; delivered: number; onTime: number; overdue: number };
export type CabinetMeasures = { cabinetId: string; byKind: Record<SlotKind, Counts>; total: Counts; completeness: number | null; timeliness: number | null };

/** The three kinds of plan slot, in the order reports show them. */
export const slotKinds: readonly SlotKind[] = ['lecture_video', 'practical_material', 'interim_assessment'];
export const emptyCounts = (): Counts => ({ required: 0, due: 0, delivered: 0, onTime: 0, overdue: 0 });
export const addCounts = (a: Counts, b: Counts): Counts => ({ required: a.required + b.required, due: a.due + b.due, delivered: a.delivered + b.delivered, onTime: a.onTime + b.onTime, overdue: a.overdue + b.overdue });
/** Counts by kind, with their total and its ratios (a cabinet's, a department's). */
export function measuresOf(byKind: Record<SlotKind, Counts>) {
  const total = slotKinds.reduce((sum, kind) => addCounts(sum, byKind[kind]), emptyCounts());
  return { byKind, total, ...ratios(total) };
}

/** How a share is judged on pages and in exports: good from 90 %, fair from 60 %, poor below. */
export const levelOf = (share: number | null): 'good' | 'fair' | 'poor' | 'none' => (share === null ? 'none' : share >= 0.9 ? 'good' : share >= 0.6 ? 'fair' : 'poor');

/** delivered ÷ required, and on time ÷ due so far; null when there is nothing to divide by. */
export const ratios = (counts: Counts) => ({
  completeness: counts.required ? counts.delivered / counts.required : null,
  timeliness: counts.due ? counts.onTime / counts.due : null,
});

/**
 * The measures of some cabinets as they stood at `asOf`: a slot is due once its due time has
 * passed, delivered once its delivery moment has, on time when delivered by its due time, overdue
 * when due and not delivered.
 */
export async function countCabinets(db: Kysely<Database>, cabinetIds: readonly string[], asOf: Date): Promise<CabinetMeasures[]> {
  if (cabinetIds.length === 0) return [];
  const rows = await db
    .selectFrom('slot_delivery')
    .select((eb) => [
      'cabinet_id',
      'kind',
      eb.fn.countAll<string>().as('required'),
      sql<string>`count(*) filter (where due_at <= ${asOf})`.as('due'),
      sql<string>`count(*) filter (where delivered_at <= ${asOf})`.as('delivered'),
      sql<string>`count(*) filter (where delivered_at <= ${asOf} and delivered_at <= due_at)`.as('on_time'),
      sql<string>`count(*) filter (where due_at <= ${asOf} and (delivered_at is null or delivered_at > ${asOf}))`.as('overdue'),
    ])
    .where('cabinet_id', 'in', [...cabinetIds])
    .groupBy(['cabinet_id', 'kind'])
    .execute();
  return cabinetIds.map((cabinetId) => {
    const byKind = Object.fromEntries(slotKinds.map((kind) => [kind, emptyCounts()])) as Record<SlotKind, Counts>;
    for (const row of rows.filter((r) => r.cabinet_id === cabinetId)) {
      byKind[row.kind] = { required: Number(row.required), due: Number(row.due), delivered: Number(row.delivered), onTime: Number(row.on_time), overdue: Number(row.overdue) };
    }
    return { cabinetId, ...measuresOf(byKind) };
  });
}
