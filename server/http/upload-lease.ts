// The tus locker for web processes that share one upload spool: a request writes (or reads the
// offset of) an upload only while it holds the upload's lease in the database, so two processes
// never write one upload at once (decision 031). Within a process a MemoryLocker comes first, so a
// resuming request stops a stalled one at once; across processes the waiting request marks the
// lease wanted and the holder lets go at its next renewal, within LEASE_RENEW_MS.
import { randomUUID } from 'node:crypto';
import { MemoryLocker, type Lock, type Locker, type RequestRelease } from '@tus/server';
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import { AppError } from '../errors.ts';

export type LeaseTimings = {
  /** How long a lease lasts unless renewed; a process that dies holding one blocks its upload this long. */
  leaseMs: number;
  /** How often a holder renews and looks whether someone waits. */
  renewMs: number;
  /** How long a request waits for the lease before it is told to try again (423). */
  acquireMs: number;
};

export const defaultLeaseTimings: LeaseTimings = { leaseMs: 20_000, renewMs: 1_000, acquireMs: 30_000 };

/** Waits `ms`, or less if the request goes away (its listener removed either way). */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal.addEventListener('abort', stop, { once: true });
  });

/**
 * Takes the lease when it is free, expired or this holder's; true when held. An upload without a
 * row (being created, or gone) has nothing to share: held, and the request finds out the rest.
 */
async function take(db: Db, uploadId: string, holder: string, leaseMs: number): Promise<boolean> {
  const { rows } = await sql<{ present: boolean; taken: boolean }>`
    with taken as (
      update upload set lease_holder = ${holder}, lease_until = now() + ${leaseMs} * interval '1 millisecond', lease_wanted_at = null
      where id = ${uploadId} and (lease_holder is null or lease_until < now() or lease_holder = ${holder})
      returning 1
    )
    select exists (select 1 from upload where id = ${uploadId}) as present, exists (select 1 from taken) as taken
  `.execute(db);
  const row = rows[0];
  return !row?.present || row.taken;
}

/** Which lease: the upload, who holds it (one request), and the timings. */
type Lease = { db: Db; uploadId: string; holder: string; timings: LeaseTimings };

/** Takes the lease, asking its holder to let go meanwhile; refused (423) after `acquireMs`. */
async function acquire({ db, uploadId, holder, timings }: Lease, signal: AbortSignal): Promise<void> {
  const until = Date.now() + timings.acquireMs;
  while (!(await take(db, uploadId, holder, timings.leaseMs))) {
    if (signal.aborted || Date.now() > until) throw new AppError('locked', 'upload.busy_elsewhere');
    // Ask the holder to let go, then look again shortly.
    await db
      .updateTable('upload')
      .set({ lease_wanted_at: sql`now()` })
      .where('id', '=', uploadId)
      .where('lease_holder', '!=', holder)
      .execute();
    await sleep(Math.min(250, timings.renewMs), signal);
  }
}

/**
 * Renews while held. The holder lets go when someone waits, when the lease is no longer its own,
 * and when it cannot be sure (the database does not answer, or has not for half a lease): writing
 * on without the lease could interleave with the next holder. Returns the renewal's timer.
 */
function keepRenewing({ db, uploadId, holder, timings }: Lease, requestRelease: RequestRelease): NodeJS.Timeout {
  let confirmedAt = Date.now();
  let renewing = false;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    void Promise.resolve(requestRelease()).catch(() => undefined);
  };
  const renewal = setInterval(() => {
    if (Date.now() - confirmedAt > timings.leaseMs / 2) release();
    if (renewing || released) return;
    renewing = true;
    const asked = Date.now();
    db.updateTable('upload')
      .set({ lease_until: sql`now() + ${timings.leaseMs} * interval '1 millisecond'` })
      .where('id', '=', uploadId)
      .where('lease_holder', '=', holder)
      .returning('lease_wanted_at')
      .executeTakeFirst()
      .then((row) => {
        // Not ours any more (it expired and was taken), or the upload is gone: stop writing.
        if (!row) return release();
        confirmedAt = asked;
        if (row.lease_wanted_at) release();
      }, release)
      .finally(() => (renewing = false));
  }, timings.renewMs);
  renewal.unref();
  return renewal;
}

/** One request's hold on one upload: this process's memory lock, then the database lease. */
function uploadLease(db: Db, uploadId: string, memory: MemoryLocker, timings: LeaseTimings): Lock {
  const lease: Lease = { db, uploadId, holder: randomUUID(), timings };
  const local = memory.newLock(uploadId);
  let renewal: NodeJS.Timeout | null = null;
  return {
    async lock(signal, requestRelease) {
      await local.lock(signal, requestRelease);
      try {
        await acquire(lease, signal);
      } catch (error) {
        await local.unlock();
        throw error;
      }
      renewal = keepRenewing(lease, requestRelease);
    },
    async unlock() {
      if (renewal) clearInterval(renewal);
      renewal = null;
      try {
        // Best effort: a lease left behind (the database away) expires by itself.
        await db
          .updateTable('upload')
          .set({ lease_holder: null, lease_until: null })
          .where('id', '=', uploadId)
          .where('lease_holder', '=', lease.holder)
          .execute();
      } catch {
        // expires after leaseMs
      } finally {
        await local.unlock();
      }
    },
  };
}

/** The locker for @tus/server and the PATCH receiver, shared by every request of this process. */
export function createUploadLocker(db: Db, timings: LeaseTimings = defaultLeaseTimings): Locker {
  const memory = new MemoryLocker({ acquireLockTimeout: timings.acquireMs });
  return { newLock: (uploadId: string) => uploadLease(db, uploadId, memory, timings) };
}
