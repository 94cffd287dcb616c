// Completeness and timeliness of cabinets, counted from the raw rows through the `slot_delivery`
// view (the one delivery rule), "as of" any moment. Reports read maintained summaries
// (summaries.ts); this recount is what those summaries must always equal.
import { sql, type Kysely } from 'kysely';
import type { Database, SlotKind } from '../../db/schema.ts';
import { emptyCounts, measuresOf, slotKinds, type CabinetMeasures, type Counts } from '../common/report-measures.ts';


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
