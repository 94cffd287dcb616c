// What the reports read (decisions 015 and 034): the measures as they stand now per cabinet and per
// department, and each department's cumulative counts per term day, kept by the report refresher
// (workers/report-listener.ts and workers/handlers/refresh-reports.ts, through `catchUp`) from the
// cabinets that changes mark dirty, by the SQL in db/sql/. Readers only read; they wait for the
// refresher when what they read is behind (freshness.ts). `checkSummaries` (consistency.ts) proves
// the summaries equal to the recount (recount.ts).
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { countsByKind, emptyCounts, measuresOf, slotKinds, type CabinetMeasures } from '../common/report-measures.ts';

/** Departments the refresher takes in one transaction. */
const BATCH = 20;

/**
 * The refresher's step: refreshes what is behind now (dirty cabinets, counts a due moment has
 * overtaken) for one department, or everywhere; a batch of departments per transaction, each
 * department once. Returns how many departments it refreshed.
 */
export async function catchUp(db: Kysely<Database>, departmentId: string | null = null): Promise<number> {
  let total = 0;
  for (;;) {
    const row = await sql<{
      refreshed: number;
    }>`select report_catch_up(${departmentId}::uuid, ${BATCH}) as refreshed`.execute(db);
    const refreshed = row.rows[0]!.refreshed;
    total += refreshed;
    if (refreshed < BATCH) return total;
  }
}

/** Whether something one department's report reads is behind (`null`: anything anywhere). */
export async function isStale(db: Kysely<Database>, departmentId: string | null): Promise<boolean> {
  const row = await sql<{ stale: boolean }>`select report_stale(${departmentId}::uuid) as stale`.execute(db);
  return row.rows[0]!.stale;
}

/**
 * The term day a moment falls in (`report_day`, as the refresher dates the facts), within the term:
 * a date after it reads the last day (deliveries after the term's end are in no day's counts).
 */
export async function dayOf(db: Kysely<Database>, termId: string, moment: Date): Promise<number> {
  const row = await sql<{
    day: number;
  }>`select least(weeks * 7, report_day(${moment}::timestamptz, starts_on, time_zone, weeks * 7)) as day from term where id = ${termId}`.execute(
    db,
  );
  return row.rows[0]!.day;
}

/** Departments' counts at the end of term day `day` (cumulative), by kind; departments without slots are absent. */
export async function departmentsOnDay(
  db: Kysely<Database>,
  termId: string,
  day: number,
  departmentIds?: readonly string[],
): Promise<Map<string, CabinetMeasures['byKind']>> {
  const rows = await db
    .selectFrom('department_day')
    .select(['department_id', 'kind', 'required', 'due', 'delivered', 'on_time', 'settled'])
    .where('term_id', '=', termId)
    .where('day', '=', day)
    .$if(departmentIds !== undefined, (q) =>
      q.where(
        'department_id',
        'in',
        departmentIds!.length ? [...departmentIds!] : ['00000000-0000-0000-0000-000000000000'],
      ),
    )
    .execute();
  const result = new Map<string, CabinetMeasures['byKind']>();
  for (const row of rows) {
    const byKind =
      result.get(row.department_id) ??
      (Object.fromEntries(slotKinds.map((k) => [k, emptyCounts()])) as CabinetMeasures['byKind']);
    byKind[row.kind] = {
      required: row.required,
      due: row.due,
      delivered: row.delivered,
      onTime: row.on_time,
      overdue: row.due - row.settled,
    };
    result.set(row.department_id, byKind);
  }
  return result;
}

/**
 * Some cabinets' measures as they stood at any moment, counted by `report_counts` from their slot
 * facts (the refresher's dates of due and delivery): a past date in a department's report.
 */
export async function cabinetsAt(
  db: Kysely<Database>,
  cabinetIds: readonly string[],
  asOf: Date,
): Promise<CabinetMeasures[]> {
  if (cabinetIds.length === 0) return [];
  const rows = await sql<{ cabinet_id: string; counts: CabinetMeasures['byKind'] }>`
    select cabinet_id, report_counts(array_agg((f.kind, f.due_at, f.delivered_at)::report_fact), ${asOf}::timestamptz) as counts
    from slot_fact f where cabinet_id in (${sql.join(cabinetIds.map((id) => sql`${id}::uuid`))}) group by cabinet_id`.execute(
    db,
  );
  const counts = new Map(rows.rows.map((row) => [row.cabinet_id, row.counts]));
  return cabinetIds.map((cabinetId) => ({ cabinetId, ...measuresOf(countsByKind(counts.get(cabinetId))) }));
}

/** The end of each week of a term (as the plan's due dates are). */
export async function weekEnds(db: Kysely<Database>, termId: string): Promise<Date[]> {
  const rows = await sql<{ end: Date }>`
    select ((t.starts_on + w * 7 - 1) + time '23:59:59') at time zone t.time_zone as end
    from term t cross join generate_series(1, t.weeks) w where t.id = ${termId} order by w`.execute(db);
  return rows.rows.map((row) => row.end);
}
