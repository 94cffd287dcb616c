// Completeness and timeliness of cabinets counted from the raw rows, "as of" any moment, by the
// rules every report counts by (`report_recount` in db/sql/report-rules.sql: the `slot_delivery`
// view and `report_counts`). Reports read the refresher's summaries (summaries.ts); this recount is
// what those summaries must always equal (consistency.ts).
import { sql, type Kysely } from 'kysely';
import type { Database, SlotCountsByKind } from '../../db/schema.ts';
import { countsByKind, measuresOf, type CabinetMeasures } from '../common/report-measures.ts';

/** The measures of some cabinets as they stood at `asOf`, in the order asked for. */
export async function countCabinets(
  db: Kysely<Database>,
  cabinetIds: readonly string[],
  asOf: Date,
): Promise<CabinetMeasures[]> {
  if (cabinetIds.length === 0) return [];
  const { rows } = await sql<{ cabinet_id: string; counts: SlotCountsByKind }>`
    select cabinet_id, counts from report_recount(${[...cabinetIds]}::uuid[], ${asOf}::timestamptz)`.execute(db);
  const counts = new Map(rows.map((row) => [row.cabinet_id, row.counts]));
  return cabinetIds.map((cabinetId) => ({ cabinetId, ...measuresOf(countsByKind(counts.get(cabinetId))) }));
}
