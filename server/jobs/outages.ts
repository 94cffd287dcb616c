// Background work waits out a database or media store that is briefly away instead of failing: a
// job's retries are for its own errors, not for the minute a database restarts (issue 17).
import { setTimeout as sleep } from 'node:timers/promises';
import { infrastructureError } from '../errors.ts';

/**
 * How long a step waits for the database or storage to come back before giving up: a minute, less
 * than the transcode queue's heartbeat (90 s), so that a job is never handed to another worker
 * while this one still waits to finish it.
 */
export const OUTAGE_PATIENCE_MS = 60_000;

/**
 * Runs `step`, and again with a growing pause (0.5 s up to 5 s) while it fails because the
 * database or storage cannot be reached, for at most `patienceMs`. Any other error is thrown at
 * once, as is the outage's error once patience or the signal runs out. `step` must be safe to repeat.
 */
export async function throughOutages<T>(
  step: () => Promise<T>,
  options: { patienceMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  const until = Date.now() + (options.patienceMs ?? OUTAGE_PATIENCE_MS);
  for (let pause = 500; ; pause = Math.min(pause * 2, 5_000)) {
    try {
      return await step();
    } catch (error) {
      if (!infrastructureError(error) || Date.now() + pause > until || options.signal?.aborted) throw error;
      await sleep(pause, undefined, options.signal ? { signal: options.signal } : undefined).catch(() => {
        throw error;
      });
    }
  }
}
