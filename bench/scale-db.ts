// What the benches on the `seed:scale` university share: timing a fast database call as the median
// of several runs (the term they seed into is `insertRunningTerm`, db/seed.ts).
import { median } from './processes.ts';

const runs = Number(process.env.BENCH_RUNS ?? 7);

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
