// What the benches on the `seed:scale` university share: the running term it is seeded into, and
// timing a fast database call as the median of several runs.
import type { Db } from '../db/client.ts';
import { demoTermCode, demoTermFor } from '../db/demo.ts';
import { median } from './processes.ts';

const runs = Number(process.env.BENCH_RUNS ?? 7);

/** The term running today (16 weeks, Bishkek time), for `seedScale` to fill; its id. */
export async function insertRunningTerm(db: Db): Promise<string> {
  const termInfo = demoTermFor(new Date());
  const term = await db
    .insertInto('term')
    .values({
      code: demoTermCode(termInfo),
      academic_year: termInfo.academicYear,
      semester: termInfo.semester,
      starts_on: termInfo.startsOn,
      weeks: 16,
      time_zone: 'Asia/Bishkek',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return term.id;
}

/** The median of at least BENCH_RUNS runs (7), and of as many as fit in a second (fast work is noisy). */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  await work(); // warm the caches and plans
  const times: number[] = [];
  const started = performance.now();
  while (times.length < runs || (performance.now() - started < 1000 && times.length < 1000)) {
    const begun = performance.now();
    await work();
    times.push(performance.now() - begun);
  }
  return median(times);
}
