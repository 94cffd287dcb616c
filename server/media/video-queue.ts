// Where a lecture stands in the transcode queues, and how long its stage will take: learned from
// the lectures this installation processed before, refined by the running stage's own progress.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { ProcessingState } from '../../db/schema.ts';
import type { JobName } from '../jobs/job-types.ts';

/** Seconds of work per second of lecture, for each stage, as measured here; null before enough lectures. */
export type Pace = { playable: number | null; ladder: number | null };

/** The stage a lecture is at, with what the estimate needs. */
export type InFlight = {
  id: string;
  /** Queued or making its playable stage, or playable while the rest of its ladder is made. */
  stage: 'playable' | 'ladder';
  /** Whether that stage's job has started. */
  started: boolean;
  progress: number | null;
  startedAt: Date | null;
  durationSeconds: number | null;
};

export type QueueView = {
  /** Jobs before this one's in its queue (waiting before it, and running), while it waits. */
  ahead: number | null;
  /** Seconds the running stage still needs, when it can be told. */
  secondsLeft: number | null;
};

const queueOf: Record<InFlight['stage'], JobName> = { playable: 'transcode-video', ladder: 'complete-video-ladder' };

/** The lectures the pace is learned from: the most recent this many complete ones. */
const LEARN_FROM = 50;
const MIN_SAMPLES = 3;

/** The median pace of each stage over the lectures completed most recently on this installation. */
export async function learnedPace(db: Db): Promise<Pace> {
  const { rows } = await sql<{ playable: number | null; ladder: number | null; playable_n: string; ladder_n: string }>`
    with recent as (
      select extract(epoch from ready_at - processing_started_at) / duration_seconds as playable,
             extract(epoch from completed_at - ladder_started_at) / duration_seconds as ladder
      from media_file
      where completed_at is not null and duration_seconds >= 1 and processing_started_at is not null and ready_at >= processing_started_at
      order by completed_at desc
      limit ${LEARN_FROM}
    )
    select percentile_cont(0.5) within group (order by playable) as playable,
           percentile_cont(0.5) within group (order by ladder) filter (where ladder > 0) as ladder,
           count(*) as playable_n, count(*) filter (where ladder > 0) as ladder_n
    from recent
  `.execute(db);
  const row = rows[0];
  return {
    playable: row && Number(row.playable_n) >= MIN_SAMPLES ? row.playable : null,
    ladder: row && Number(row.ladder_n) >= MIN_SAMPLES ? row.ladder : null,
  };
}

/** For each lecture whose stage's job waits: the jobs before it in that queue (waiting before it, or running). */
export async function jobsAhead(db: Db, waiting: Array<Pick<InFlight, 'id' | 'stage'>>): Promise<Map<string, number>> {
  if (!waiting.length) return new Map();
  const pairs = waiting.map((file) => sql`(${queueOf[file.stage]}::text, ${file.id}::text)`);
  const { rows } = await sql<{ media_file_id: string; ahead: string }>`
    with mine as (
      select distinct on (j.name, j.data->>'mediaFileId') j.name, j.data->>'mediaFileId' as media_file_id, j.priority, j.created_on
      from pgboss.job j
      where (j.name, j.data->>'mediaFileId') in (${sql.join(pairs)}) and j.state < 'active'
      order by j.name, j.data->>'mediaFileId', j.created_on
    )
    select mine.media_file_id,
           (select count(*) from pgboss.job o
             where o.name = mine.name
               and (o.state = 'active' or (o.state < 'active' and o.start_after <= now() and (o.priority > mine.priority or (o.priority = mine.priority and o.created_on < mine.created_on))))) as ahead
    from mine
  `.execute(db);
  return new Map(rows.map((row) => [row.media_file_id, Number(row.ahead)]));
}

/**
 * Seconds the running stage still needs. Before it has gone far, the pace learned here says how
 * long a stage takes for this length of lecture; as it goes on, its own speed counts more, and at
 * the end alone. Null when neither can tell (the first lectures, before 5 % of the stage).
 */
export function estimateSecondsLeft(
  file: Pick<InFlight, 'progress' | 'startedAt' | 'durationSeconds'>,
  pace: number | null,
  now: Date,
): number | null {
  if (!file.startedAt) return null;
  const progress = Math.min(1, Math.max(0, file.progress ?? 0));
  if (progress >= 1) return null;
  const elapsed = Math.max(0, (now.getTime() - file.startedAt.getTime()) / 1000);
  const expected = pace !== null && file.durationSeconds ? pace * file.durationSeconds : null;
  const measured = progress >= 0.05 ? elapsed / progress : null;
  const total =
    expected !== null && measured !== null ? (1 - progress) * expected + progress * measured : (expected ?? measured);
  if (total === null) return null;
  return Math.max(1, Math.round(total - elapsed));
}

/** What the cabinet shows of each lecture still being processed: its place in the queue, or its time left. */
export async function queueViews(db: Db, files: InFlight[], now: Date): Promise<Map<string, QueueView>> {
  if (!files.length) return new Map();
  const waiting = files.filter((file) => !file.started);
  const [ahead, pace] = await Promise.all([
    jobsAhead(db, waiting),
    files.some((file) => file.started) ? learnedPace(db) : null,
  ]);
  return new Map(
    files.map((file) => [
      file.id,
      file.started
        ? { ahead: null, secondsLeft: estimateSecondsLeft(file, pace?.[file.stage] ?? null, now) }
        : { ahead: ahead.get(file.id) ?? null, secondsLeft: null },
    ]),
  );
}

/** A lecture's processing columns, as the cabinet page reads them (timestamps as strings from JSON). */
export type ListedFile = {
  id: string;
  processing_state: ProcessingState;
  hls_complete: boolean;
  processing_progress: number | null;
  processing_started_at: Date | string | null;
  ladder_started_at: Date | string | null;
  ready_at: Date | string | null;
  duration_seconds: number | null;
};

/** A lecture whose processing is not over, as the queue views need it; none for the rest. */
export function inFlightOf(file: ListedFile): InFlight[] {
  const at = (value: Date | string | null) => (value === null ? null : new Date(value));
  const base = { id: file.id, progress: file.processing_progress, durationSeconds: file.duration_seconds };
  if (file.processing_state === 'awaiting' || file.processing_state === 'processing') {
    return [
      {
        ...base,
        stage: 'playable',
        started: file.processing_state === 'processing',
        startedAt: at(file.processing_started_at),
      },
    ];
  }
  if (file.processing_state === 'ready' && !file.hls_complete) {
    const ladderStarted = at(file.ladder_started_at);
    const readyAt = at(file.ready_at);
    const started = ladderStarted !== null && (readyAt === null || ladderStarted >= readyAt);
    return [{ ...base, stage: 'ladder', started, startedAt: started ? ladderStarted : null }];
  }
  return [];
}
