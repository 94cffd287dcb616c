// How a report reader gets exact figures without writing (decision 035): when what it reads is
// behind (`report_stale`: a change waits for the refresher, or a due moment has passed), it waits,
// bounded, for the refresher, which notices changes within a second and due moments as they pass.
// If the refresher does not come in time, the reader shows what is kept and says as of when.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';

/** How long a reader waits for the refresher at most. */
export const FRESH_WAIT_MS = 3_000;
const FIRST_POLL_MS = 25;
const LONGEST_POLL_MS = 400;

const stale = async (db: Kysely<Database>, departmentId: string | null) =>
  (await sql<{ stale: boolean }>`select report_stale(${departmentId}::uuid) as stale`.execute(db)).rows[0]!.stale;

/**
 * Waits until nothing one department's report reads (`null`: anything anywhere) is behind, asking
 * again and again less often, for at most `waitMs`. Returns whether it is up to date.
 */
export async function awaitFresh(
  db: Kysely<Database>,
  departmentId: string | null,
  waitMs = FRESH_WAIT_MS,
): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  let pause = FIRST_POLL_MS;
  for (;;) {
    if (!(await stale(db, departmentId))) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
    pause = Math.min(pause * 2, LONGEST_POLL_MS);
  }
}
