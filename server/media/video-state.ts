// A lecture video's states and the only ways between them. Every change of a video's processing
// state goes through this module, each as one conditional update, so that two attempts, a retry
// click and the worker can race without a state going backwards.
//
//   queued ──▶ processing ──▶ playable ──▶ complete
//     │            │             │
//     └────────────┴─────────────┴──▶ failed ──(retry)──▶ playable, when its playable stage was
//                                                         published; queued otherwise
//
// In the table: `processing_state` awaiting | processing | ready | failed, and `hls_complete`.
// "playable" is ready with an incomplete ladder (students watch the first rendition while the rest
// is made); while `growing`, that first rendition itself is still being encoded and its playlist
// grows (decision 033). Only "complete" is final. A failed video keeps what it published under its prefix (a
// retry completes it from there) but is not shown to students and not counted as delivered.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database, MediaFile } from '../../db/schema.ts';

export type VideoState = 'queued' | 'processing' | 'playable' | 'complete' | 'failed';

/**
 * Failures of the video's own making in one stage after which it fails for good (infrastructure
 * blips do not count; a stage that succeeds starts the count again).
 */
export const OWN_FAILURE_LIMIT = 3;

/** The state of a lecture file, or null for a file that is not processed (a PDF, a copy of nothing). */
export function videoStateOf(file: Pick<MediaFile, 'processing_state' | 'hls_complete'>): VideoState | null {
  switch (file.processing_state) {
    case 'awaiting':
      return 'queued';
    case 'processing':
      return 'processing';
    case 'ready':
      return file.hls_complete ? 'complete' : 'playable';
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}

/** What a published stage adds: where it lives and what it holds. */
export type PublishedStage = {
  prefix: string;
  renditions: string[];
  complete: boolean;
  /** The first rendition is still being encoded: published as a growing playlist. */
  growing?: boolean;
  posterKey: string | null;
  thumbnailsKey: string | null;
  durationSeconds: number;
  width: number | null;
  height: number | null;
};

const fileId = (db: Db, id: string) => db.updateTable('media_file').where('id', '=', id);

/** queued → processing (an attempt starts; a playable video stays playable while its ladder completes). */
export async function beginProcessing(db: Db, id: string): Promise<void> {
  await fileId(db, id)
    .set({ processing_state: 'processing', processing_progress: 0, processing_started_at: new Date() })
    .where('processing_state', 'in', ['awaiting', 'processing'])
    .execute();
}

/**
 * queued | processing → playable, or → complete when nothing more will come. False when another
 * attempt published first (this attempt's files are then not the video's).
 */
export async function publishPlayable(db: Db, id: string, stage: PublishedStage): Promise<boolean> {
  const won = await fileId(db, id)
    .set({
      processing_state: 'ready',
      processing_progress: stage.complete ? 1 : null,
      hls_prefix: stage.prefix,
      hls_complete: stage.complete,
      growing: stage.growing ?? false,
      renditions: stage.renditions,
      poster_key: stage.posterKey,
      thumbnails_key: stage.thumbnailsKey,
      duration_seconds: stage.durationSeconds,
      width: stage.width,
      height: stage.height,
      failure_key: null,
      failure_params: null,
      // A stage that succeeded: the next one's own failures are counted afresh.
      processing_failures: 0,
      ready_at: new Date(),
      completed_at: stage.complete ? new Date() : null,
    })
    .where('processing_state', 'in', ['awaiting', 'processing'])
    .executeTakeFirst();
  return Number(won.numUpdatedRows) > 0;
}

/** A growing first rendition is encoded to its end (its playlist final); the rest of the ladder may start. */
export async function finishGrowing(db: Db, id: string, prefix: string): Promise<void> {
  await fileId(db, id)
    .set({ growing: false, processing_failures: 0 })
    .where('processing_state', '=', 'ready')
    .where('hls_prefix', '=', prefix)
    .execute();
}

/** The rest of a playable video's ladder starts being made (it stays playable meanwhile). */
export async function beginLadder(db: Db, id: string): Promise<void> {
  await fileId(db, id)
    .set({ ladder_started_at: new Date(), processing_progress: 0 })
    .where('processing_state', '=', 'ready')
    .where('hls_complete', '=', false)
    .execute();
}

/** playable → complete: the full ladder, under the prefix the playable stage was published with. */
export async function completeLadder(db: Db, id: string, stage: PublishedStage): Promise<void> {
  await fileId(db, id)
    .set({
      hls_complete: true,
      growing: false,
      processing_progress: 1,
      renditions: stage.renditions,
      width: stage.width,
      height: stage.height,
      thumbnails_key: stage.thumbnailsKey,
      completed_at: new Date(),
    })
    .where('processing_state', '=', 'ready')
    .where('hls_prefix', '=', stage.prefix)
    .execute();
}

/** The length the probe found, as soon as it is known: the cabinet's estimate of the playable stage needs it. */
export async function recordDuration(db: Db, id: string, durationSeconds: number): Promise<void> {
  await fileId(db, id)
    .set({ duration_seconds: durationSeconds })
    .where('processing_state', '=', 'processing')
    .execute();
}

/** How far the running stage got (0..1), for the cabinet page; ignored once complete. */
export async function reportProgress(db: Db, id: string, fraction: number): Promise<void> {
  await fileId(db, id)
    .set({ processing_progress: fraction })
    .where('hls_complete', '=', false)
    .where('processing_state', '!=', 'failed')
    .execute();
}

/**
 * Any state but complete → failed, with a dictionary key the instructor reads in their language.
 * A playable video that fails stops being shown and counted as delivered until a retry completes it.
 */
export async function failProcessing(
  db: Db,
  id: string,
  failureKey = 'media.refused.processing_failed',
  params: Record<string, string | number> = {},
): Promise<void> {
  await fileId(db, id)
    .set({
      processing_state: 'failed',
      failure_key: failureKey,
      failure_params: JSON.stringify(params),
      processing_progress: null,
    })
    .where((eb) =>
      eb.or([
        eb('processing_state', 'in', ['awaiting', 'processing']),
        eb.and([eb('processing_state', '=', 'ready'), eb('hls_complete', '=', false)]),
      ]),
    )
    .execute();
}

/** Counts one failure of the video's own making; returns how many there have been. */
export async function countOwnFailure(db: Db, id: string): Promise<number> {
  const row = await fileId(db, id)
    .set({ processing_failures: sql`processing_failures + 1` })
    .returning('processing_failures')
    .executeTakeFirst();
  return row?.processing_failures ?? OWN_FAILURE_LIMIT;
}

/**
 * failed → playable when its playable stage had been published (students see it again at once, and
 * the retry completes the ladder from storage; a first rendition that was still growing is encoded
 * again), queued otherwise. Null when it was not failed (a double click). The caller queues the
 * job in the same transaction.
 */
export async function retryFailed(
  trx: Transaction<Database>,
  id: string,
): Promise<{ state: VideoState; growing: boolean } | null> {
  const row = await trx
    .updateTable('media_file')
    .set({
      processing_state: sql`case when hls_prefix is null then 'awaiting' else 'ready' end`,
      failure_key: null,
      failure_params: null,
      processing_progress: null,
      processing_failures: 0,
      ladder_started_at: null,
    })
    .where('id', '=', id)
    .where('processing_state', '=', 'failed')
    .returning(['processing_state', 'hls_complete', 'growing'])
    .executeTakeFirst();
  if (!row) return null;
  return { state: videoStateOf(row)!, growing: row.growing };
}
