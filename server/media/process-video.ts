// A lecture's way from stored original to published HLS: fetch, probe, transcode, publish, record.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import type { Selectable } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import type { MediaConfig } from '../config.ts';
import { isAppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { throughOutages } from '../jobs/outages.ts';
import { contentTypeOfKey, storageKeys, type MediaStorage } from '../storage/media-storage.ts';
import { boundToThisProcess, findBinaries, probe, type Probe } from './probe.ts';
import { transcodeToHls, type Stage, type TranscodeOptions } from './transcode.ts';
import { segmentsOf } from './growing-playlist.ts';
import {
  beginLadder,
  beginProcessing,
  completeLadder,
  failProcessing,
  finishGrowing,
  publishPlayable,
  recordDuration,
  reportProgress,
  videoStateOf,
} from './video-state.ts';

export type ProcessDeps = { db: Db; storage: MediaStorage; media: MediaConfig; queue: JobQueue };
/** `playable`: published, the rest of its ladder queued. `ready`: complete. */
export type ProcessOutcome = 'playable' | 'ready' | 'already-ready' | 'refused' | 'gone';
/** The first stage (a queued video made playable, or complete when nothing more is needed), or the rest of a playable video's ladder. */
export type VideoStage = 'playable' | 'ladder';

const thumbnailsFile = 'thumbs/thumbs.vtt';
const progressEveryMs = 2000;

/**
 * Idempotent, in two published stages (the states are video-state.ts's), each a job of its own
 * queue so that new lectures' first stages never wait behind other lectures' ladders. The first
 * finishing attempt publishes something playable (with its own storage prefix) in one conditional
 * update, in the transaction that queues the rest of its ladder; the ladder's job adds the rest under that same prefix,
 * overwriting what a killed attempt may have left there, and restores what it needs of the
 * published stage from media storage, never from an earlier attempt's folder; a complete video is
 * left alone. The master playlist is stored after every file it names, so no playlist ever names a
 * missing segment. Each step that needs the database or storage waits out a short outage of
 * either (outages.ts) rather than throwing away the encoding done so far.
 * A source ffmpeg must not take (not media, too long, …) ends `failed` with the reason; anything
 * else throws, for the handler to count and the queue to retry.
 */
export async function processVideo(
  deps: ProcessDeps,
  mediaFileId: string,
  stage: VideoStage,
  options: { signal?: AbortSignal } = {},
): Promise<ProcessOutcome> {
  const { db, queue } = deps;
  const patient = <T>(step: () => Promise<T>) => throughOutages(step, { signal: options.signal });
  const file = await patient(() =>
    db.selectFrom('media_file').selectAll().where('id', '=', mediaFileId).executeTakeFirst(),
  );
  const plan = planOf(file, stage);
  if (plan === 'queue-ladder') {
    await patient(() => queue.enqueue(db, 'complete-video-ladder', { mediaFileId }));
    return 'already-ready';
  }
  if (typeof plan === 'string') return plan;
  if (plan.runsRest) await patient(() => beginLadder(db, mediaFileId));
  else if (!plan.regrowing) await patient(() => beginProcessing(db, mediaFileId));

  await removeLeftovers(deps, mediaFileId, plan.playableDone);
  const id = randomBytes(6).toString('hex');
  const work = path.join(deps.media.workDir, `${mediaFileId}-${id}`);
  const attempt: Attempt = {
    deps,
    mediaFileId,
    plan,
    patient,
    signal: options.signal,
    prefix: plan.playableDone ? file!.hls_prefix! : storageKeys.hls(mediaFileId, id),
    out: path.join(work, 'out'),
    stored: [],
    published: plan.playableDone,
    lost: false,
    outcome: 'ready',
  };
  await fs.mkdir(work, { recursive: true });
  try {
    const source = path.join(work, 'source');
    await patient(async () => pipeline(await deps.storage.read(file!.storage_key), createWriteStream(source)));
    return await encode(attempt, source);
  } catch (error) {
    await Promise.all(attempt.stored.map((key) => deps.storage.remove(key).catch(() => undefined)));
    if (attempt.lost) return 'already-ready';
    throw error;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

type MediaFileRow = Selectable<Database['media_file']>;
/** What an attempt does, from the video's state and the stage its job is for. */
type Plan = {
  /** Something playable is published already. */
  playableDone: boolean;
  /** Playable while its first rendition was still growing when that attempt ended: the first
   * stage is encoded again, its published playlist replaced only once the new one is as long. */
  regrowing: boolean;
  /** The first stage is done and whole: this attempt makes the rest of the ladder. */
  runsRest: boolean;
};

/**
 * Nothing to do (`gone`, `already-ready`), only the ladder's job to queue, or an attempt to run. A
 * ladder job for a video whose first stage is not done has nothing to do (that stage's job queues
 * the ladder when it is). A first stage's job for a video whose first stage is done (run again
 * after its worker died, or queued by an earlier version) makes sure the ladder is queued: one
 * ladder attempt at a time (its queue keeps one job per video).
 */
function planOf(file: MediaFileRow | undefined, stage: VideoStage): Plan | 'gone' | 'already-ready' | 'queue-ladder' {
  if (!file || file.deleted_at) return 'gone';
  const state = videoStateOf(file);
  if (state === 'complete') return 'already-ready';
  if (state === 'failed' || state === null) return 'gone'; // failed for good, until someone retries
  const playableDone = state === 'playable';
  const plan = { playableDone, regrowing: playableDone && file.growing, runsRest: playableDone && !file.growing };
  if (stage === 'ladder' && !plan.runsRest) return 'already-ready';
  if (stage === 'playable' && plan.runsRest) return 'queue-ladder';
  return plan;
}

/** One attempt at a stage of one video, and what it has done so far. */
type Attempt = {
  deps: ProcessDeps;
  mediaFileId: string;
  plan: Plan;
  patient: <T>(step: () => Promise<T>) => Promise<T>;
  signal: AbortSignal | undefined;
  /** Where its files go in media storage (the published video's own, once there is one). */
  prefix: string;
  /** Where ffmpeg writes. */
  out: string;
  /** Keys this attempt stored while nothing of it is published: removed if it fails. */
  stored: string[];
  published: boolean;
  /** Another attempt published first: this one's work is not needed. */
  lost: boolean;
  outcome: ProcessOutcome;
};

/** Probes the fetched source (refusing what ffmpeg must not take) and encodes the attempt's stage. */
async function encode(attempt: Attempt, source: string): Promise<ProcessOutcome> {
  const { deps, mediaFileId, patient } = attempt;
  // ffmpeg dies with this process, even killed (no transcode left running for nobody).
  const binaries = await boundToThisProcess(findBinaries(deps.media), deps.media.workDir);
  let found: Probe;
  try {
    found = await probe(binaries, source);
  } catch (error) {
    if (!isAppError(error)) throw error;
    await patient(() => failProcessing(deps.db, mediaFileId, error.messageKey, error.params));
    return 'refused';
  }
  if (!attempt.plan.playableDone) await patient(() => recordDuration(deps.db, mediaFileId, found.durationSeconds));
  await transcodeToHls(binaries, source, found, attempt.out, transcodeHooks(attempt, found));
  return attempt.outcome;
}

/** Stores one file ffmpeg wrote, under the attempt's prefix. */
async function storeOne(attempt: Attempt, name: string, localPath: string): Promise<void> {
  const key = `${attempt.prefix}/${name.split(path.sep).join('/')}`;
  await attempt.patient(() => attempt.deps.storage.putFile(key, localPath, contentTypeOfKey(name)));
  if (!attempt.published) attempt.stored.push(key);
}

/** How the transcode stores, restores, reports and publishes for this attempt. */
function transcodeHooks(attempt: Attempt, found: Probe): TranscodeOptions {
  const { deps, prefix, patient } = attempt;
  let lastReport = 0;
  return {
    processes: deps.media.transcodeProcesses,
    signal: attempt.signal,
    stages: attempt.plan.runsRest ? 'rest' : 'playable',
    growing: {
      store: (name, localPath) => storeOne(attempt, name, localPath),
      async publishedSegments(folder) {
        if (!attempt.plan.regrowing) return 0;
        const key = `${prefix}/${folder}/index.m3u8`;
        const playlist = await patient(async () =>
          (await deps.storage.size(key)) === null ? '' : text(await deps.storage.read(key)),
        );
        return segmentsOf(playlist).length;
      },
    },
    // What the ladder needs of the published stage comes from media storage, never from an earlier attempt's folder.
    async restorePublished(folder) {
      for (const key of await patient(() => deps.storage.list(`${prefix}/${folder}/`))) {
        const into = path.join(attempt.out, folder, key.slice(prefix.length + folder.length + 2));
        await fs.mkdir(path.dirname(into), { recursive: true });
        await patient(async () => pipeline(await deps.storage.read(key), createWriteStream(into)));
      }
    },
    onProgress(fraction) {
      if (Date.now() - lastReport < progressEveryMs) return;
      lastReport = Date.now();
      // Progress is a hint: lost while the database is away, not waited for.
      void reportProgress(deps.db, attempt.mediaFileId, fraction).catch(() => undefined);
    },
    publish: (stage) => publishStage(attempt, found, stage),
  };
}

/**
 * Stores a stage's files (the master playlist last) and records it: the first playable stage in
 * one conditional update, in the transaction that queues the rest of the ladder; later stages
 * complete the ladder, or finish a first rendition that grew.
 */
async function publishStage(attempt: Attempt, found: Probe, stage: Stage): Promise<void> {
  const { deps, mediaFileId, prefix, patient } = attempt;
  for (const name of stage.files) await storeOne(attempt, name, path.join(attempt.out, name));
  const picture = stage.variants.find((variant) => variant.resolution)?.resolution;
  const done = {
    prefix,
    renditions: stage.variants.map((variant) => variant.name),
    complete: stage.complete,
    posterKey: found.video ? `${prefix}/poster.jpg` : null,
    thumbnailsKey: stage.files.includes(thumbnailsFile) ? `${prefix}/${thumbnailsFile}` : null,
    durationSeconds: found.durationSeconds,
    width: picture?.width ?? null,
    height: picture?.height ?? null,
    growing: stage.growing ?? false,
  };
  if (attempt.published) {
    if (done.growing) return; // a first stage encoded again, caught up: playable already
    if (attempt.plan.runsRest || done.complete) await patient(() => completeLadder(deps.db, mediaFileId, done));
    else
      await patient(() =>
        deps.db.transaction().execute(async (trx) => {
          // A first stage that grew is whole: the rest of the ladder may start.
          await finishGrowing(trx, mediaFileId, prefix);
          await deps.queue.enqueue(trx, 'complete-video-ladder', { mediaFileId });
        }),
      );
    return;
  }
  const won = await patient(() =>
    deps.db.transaction().execute(async (trx) => {
      if (!(await publishPlayable(trx, mediaFileId, done))) return false;
      if (!done.complete && !done.growing) await deps.queue.enqueue(trx, 'complete-video-ladder', { mediaFileId });
      return true;
    }),
  );
  if (!won) {
    attempt.lost = true;
    throw new Error('another attempt published this video first');
  }
  attempt.published = true;
  attempt.stored.length = 0; // published: these files are the video's now
  if (!done.complete) attempt.outcome = 'playable';
}

/**
 * What a killed attempt left: its temp folders on this machine and, while nothing is published,
 * every HLS file stored for this video (no playlist names them). Only one attempt of a video runs
 * at a time (the queue hands a job out again only when its worker stopped beating).
 */
async function removeLeftovers(deps: ProcessDeps, mediaFileId: string, published: boolean): Promise<void> {
  const folders = await fs.readdir(deps.media.workDir).catch(() => [] as string[]);
  await Promise.all(
    folders
      .filter((name) => name.startsWith(`${mediaFileId}-`))
      .map((name) => fs.rm(path.join(deps.media.workDir, name), { recursive: true, force: true })),
  );
  if (published) return;
  const stale = await deps.storage.list(`${storageKeys.hls(mediaFileId, '')}`);
  await Promise.all(stale.map((key) => deps.storage.remove(key)));
}
