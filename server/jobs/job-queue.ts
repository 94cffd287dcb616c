// The job queue: pg-boss on the same Postgres, so a job can be enqueued in the transaction that needs it.
import { CompiledQuery, type Kysely } from 'kysely';
import { PgBoss } from 'pg-boss';
import type { Database } from '../../db/schema.ts';
import { metrics } from '../metrics.ts';
import { jobNames, type JobName, type JobPayloads } from './job-types.ts';

export type JobHandler<N extends JobName> = (
  payload: JobPayloads[N],
  job: { id: string; retryCount: number; retryLimit: number; signal: AbortSignal },
) => Promise<void>;

export type JobQueue = {
  /** Enqueues inside the caller's transaction (or plain connection): no job without its row. */
  enqueue<N extends JobName>(db: Kysely<Database>, name: N, payload: JobPayloads[N]): Promise<string | null>;
  /** The same for many jobs of one kind, a thousand rows a statement (an import's 40,000 invitations). */
  enqueueMany<N extends JobName>(db: Kysely<Database>, name: N, payloads: Array<JobPayloads[N]>): Promise<void>;
  schedule<N extends JobName>(name: N, cron: string, payload: JobPayloads[N]): Promise<void>;
  work<N extends JobName>(name: N, options: { concurrency: number }, handler: JobHandler<N>): Promise<void>;
  /** Jobs per queue waiting (ready or deferred) and running, as pg-boss last counted them (every 10 s). */
  depths(): Promise<Array<{ queue: JobName; queued: number; active: number }>>;
  stop(): Promise<void>;
};

/** How often a running job's worker says it is alive. */
const HEARTBEAT_REFRESH_SECONDS = 5;

/**
 * A 10 s first retry keeps a killed worker's short job within a minute of its death (decision 010).
 * A transcode is long and must outlive a database outage: its worker may be silent for 90 s before
 * the job is handed out again (a minute's outage with room to spare), it may run for 12 hours, and its
 * queue retries are the infrastructure's budget (a killed worker, a long outage), spaced out up to
 * 10 minutes apart, about two hours in all; the video's own failures are counted apart (decision 030).
 */
function queueSettings(name: JobName) {
  if (name === 'transcode-video' || name === 'complete-video-ladder')
    return {
      retryLimit: 20,
      retryDelay: 2,
      retryBackoff: true,
      retryDelayMax: 600,
      heartbeatSeconds: 90,
      expireInSeconds: 12 * 3600,
    };
  return { retryLimit: 3, retryDelay: 10, retryBackoff: true, heartbeatSeconds: 20 };
}

/**
 * Queues where one job per key may wait or run at a time (pg-boss's `exclusive` policy, fixed when
 * the queue is created): a second one queued meanwhile is dropped. A lecture's ladder is made by
 * one attempt at a time, however many times it is queued (decision 032).
 */
const exclusiveKeys: { [N in JobName]?: (payload: JobPayloads[N]) => string } = {
  'complete-video-ladder': (payload) => payload.mediaFileId,
};
const keyOf = <N extends JobName>(name: N, payload: JobPayloads[N]): string | undefined =>
  (exclusiveKeys[name] as ((payload: JobPayloads[N]) => string) | undefined)?.(payload);

/** pg-boss with its queues made (or brought to today's settings). */
async function startBoss(connectionString: string, options: { schedule: boolean }): Promise<PgBoss> {
  // Supervision every 10 s; a job's worker proves it is alive every 5 s (the heartbeat), and a job
  // whose worker has not for the queue's heartbeatSeconds is handed out again (decisions 010, 030).
  const boss = new PgBoss({
    connectionString,
    schema: 'pgboss',
    max: 4,
    schedule: options.schedule,
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 10,
  });
  boss.on('error', (error) => {
    // 57P01: the database is shutting down (Ctrl-C stops the embedded one alongside us).
    if ((error as { code?: string }).code === '57P01') return;
    console.warn('job queue:', error instanceof Error ? error.message : error);
  });
  await boss.start();
  // Existing queues are brought to the same settings.
  for (const name of jobNames) {
    const settings = queueSettings(name);
    if (!(await boss.getQueue(name)))
      await boss.createQueue(name, { ...settings, ...(exclusiveKeys[name] ? { policy: 'exclusive' as const } : {}) });
    else await boss.updateQueue(name, settings);
  }
  return boss;
}

/** pg-boss's statements run on the caller's connection: inside its transaction when it has one. */
const executorOf = (db: Kysely<Database>) => ({
  executeSql: async (text: string, values: unknown[] = []) => {
    const result = await db.executeQuery(CompiledQuery.raw(text, values));
    return { rows: result.rows as unknown[] };
  },
});

/** Works a queue's jobs one at a time in each of `concurrency` workers, timing each for the metrics. */
async function workQueue<N extends JobName>(
  boss: PgBoss,
  name: N,
  concurrency: number,
  handler: JobHandler<N>,
): Promise<void> {
  for (let i = 0; i < concurrency; i++) {
    await boss.work<JobPayloads[N], unknown, { batchSize: 1; includeMetadata: true; heartbeatRefreshSeconds: number }>(
      name,
      { batchSize: 1, includeMetadata: true, heartbeatRefreshSeconds: HEARTBEAT_REFRESH_SECONDS },
      async (jobs) => {
        for (const job of jobs) {
          const timer = metrics.jobSeconds.startTimer({ queue: name });
          try {
            await handler(job.data, {
              id: job.id,
              retryCount: job.retryCount,
              retryLimit: job.retryLimit,
              signal: job.signal,
            });
            timer({ outcome: 'completed' });
          } catch (error) {
            timer({ outcome: 'failed' });
            throw error;
          }
        }
      },
    );
  }
}

export async function startJobQueue(connectionString: string, options: { schedule: boolean }): Promise<JobQueue> {
  const boss = await startBoss(connectionString, options);
  return {
    enqueue: (db, name, payload) => {
      const singletonKey = keyOf(name, payload);
      return boss.send(name, payload, { db: executorOf(db), ...(singletonKey ? { singletonKey } : {}) });
    },
    async enqueueMany(db, name, payloads) {
      for (let i = 0; i < payloads.length; i += 1000) {
        await boss.insert(
          name,
          payloads.slice(i, i + 1000).map((data) => ({ data })),
          { db: executorOf(db) },
        );
      }
    },
    async schedule(name, cron, payload) {
      await boss.schedule(name, cron, payload, { tz: 'UTC' });
    },
    work: (name, { concurrency }, handler) => workQueue(boss, name, concurrency, handler),
    async depths() {
      const queues = await boss.getQueues([...jobNames]);
      return queues.map((queue) => ({
        queue: queue.name as JobName,
        queued: queue.queuedCount,
        active: queue.activeCount,
      }));
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}
