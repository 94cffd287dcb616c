// A lecture's way from stored original to published HLS: fetch, probe, transcode, publish, record.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { text } from 'node:stream/consumers';
import type { Db } from '../../db/client.ts';
import type { MediaConfig } from '../config.ts';
import { isAppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { throughOutages } from '../jobs/outages.ts';
import { contentTypeOfKey, storageKeys, type MediaStorage } from '../storage/media-storage.ts';
import { boundToThisProcess, findBinaries, probe } from './probe.ts';
import { transcodeToHls } from './transcode.ts';
import { segmentsOf } from './growing-playlist.ts';
import { beginLadder, beginProcessing, completeLadder, failProcessing, finishGrowing, publishPlayable, recordDuration, reportProgress, videoStateOf } from './video-state.ts';

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
export async function processVideo(deps: ProcessDeps, mediaFileId: string, stage: VideoStage, options: { signal?: AbortSignal } = {}): Promise<ProcessOutcome> {
  const { db, storage, media, queue } = deps;
  const patient = <T>(step: () => Promise<T>) => throughOutages(step, { signal: options.signal });
  const file = await patient(() => db.selectFrom('media_file').selectAll().where('id', '=', mediaFileId).executeTakeFirst());
  if (!file || file.deleted_at) return 'gone';
  const state = videoStateOf(file);
  if (state === 'complete') return 'already-ready';
  if (state === 'failed' || state === null) return 'gone'; // failed for good, until someone retries
  const playableDone = state === 'playable';
  // Playable while its first rendition was still growing when that attempt ended: the first
  // stage is encoded again, its published playlist replaced only once the new one is as long.
  const regrowing = playableDone && file.growing;
  const runsRest = playableDone && !file.growing;
  // A ladder job for a video whose first stage is not done has nothing to do (that stage's job
  // queues the ladder when it is). A first stage's job for a video whose first stage is done (run
  // again after its worker died, or queued by an earlier version) makes sure the ladder is queued:
  // one ladder attempt at a time (its queue keeps one job per video).
  if (stage === 'ladder' && !runsRest) return 'already-ready';
  if (stage === 'playable' && runsRest) {
    await patient(() => queue.enqueue(db, 'complete-video-ladder', { mediaFileId }));
    return 'already-ready';
  }
  if (runsRest) await patient(() => beginLadder(db, mediaFileId));
  else if (!regrowing) await patient(() => beginProcessing(db, mediaFileId));

  await removeLeftovers(deps, file.id, playableDone);
  const attempt = randomBytes(6).toString('hex');
  const work = path.join(media.workDir, `${mediaFileId}-${attempt}`);
  const prefix = playableDone ? file.hls_prefix! : storageKeys.hls(mediaFileId, attempt);
  const stored: string[] = [];
  let lost = false;
  let published = playableDone;
  await fs.mkdir(work, { recursive: true });
  try {
    const source = path.join(work, 'source');
    await patient(async () => pipeline(await storage.read(file.storage_key), createWriteStream(source)));
    // ffmpeg dies with this process, even killed (no transcode left running for nobody).
    const binaries = await boundToThisProcess(findBinaries(media), media.workDir);
    let found;
    try {
      found = await probe(binaries, source);
    } catch (error) {
      if (!isAppError(error)) throw error;
      await patient(() => failProcessing(db, mediaFileId, error.messageKey, error.params));
      return 'refused';
    }
    if (!playableDone) await patient(() => recordDuration(db, mediaFileId, found.durationSeconds));
    let lastReport = 0;
    const out = path.join(work, 'out');
    const storeOne = async (name: string, localPath: string) => {
      const key = `${prefix}/${name.split(path.sep).join('/')}`;
      await patient(() => storage.putFile(key, localPath, contentTypeOfKey(name)));
      if (!published) stored.push(key);
    };
    const store = async (files: string[]) => {
      for (const name of files) await storeOne(name, path.join(out, name));
    };
    let outcome: ProcessOutcome = 'ready';
    await transcodeToHls(binaries, source, found, out, {
      processes: media.transcodeProcesses,
      signal: options.signal,
      stages: runsRest ? 'rest' : 'playable',
      growing: {
        store: storeOne,
        async publishedSegments(folder) {
          if (!regrowing) return 0;
          const playlist = await patient(async () => (await storage.size(`${prefix}/${folder}/index.m3u8`)) === null ? '' : text(await storage.read(`${prefix}/${folder}/index.m3u8`)));
          return segmentsOf(playlist).length;
        },
      },
      async restorePublished(folder) {
        for (const key of await patient(() => storage.list(`${prefix}/${folder}/`))) {
          const into = path.join(out, folder, key.slice(prefix.length + folder.length + 2));
          await fs.mkdir(path.dirname(into), { recursive: true });
          await patient(async () => pipeline(await storage.read(key), createWriteStream(into)));
        }
      },
      onProgress(fraction) {
        if (Date.now() - lastReport < progressEveryMs) return;
        lastReport = Date.now();
        // Progress is a hint: lost while the database is away, not waited for.
        void reportProgress(db, mediaFileId, fraction).catch(() => undefined);
      },
      async publish(stage) {
        await store(stage.files);
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
        if (published) {
          if (done.growing) return; // a first stage encoded again, caught up: playable already
          if (runsRest || done.complete) await patient(() => completeLadder(db, mediaFileId, done));
          else await patient(() => db.transaction().execute(async (trx) => {
            // A first stage that grew is whole: the rest of the ladder may start.
            await finishGrowing(trx, mediaFileId, prefix);
            await queue.enqueue(trx, 'complete-video-ladder', { mediaFileId });
          }));
          return;
        }
        const won = await patient(() =>
          db.transaction().execute(async (trx) => {
            if (!(await publishPlayable(trx, mediaFileId, done))) return false;
            if (!done.complete && !done.growing) await queue.enqueue(trx, 'complete-video-ladder', { mediaFileId });
            return true;
          }),
        );
        if (!won) {
          lost = true;
          throw new Error('another attempt published this video first');
        }
        published = true;
        stored.length = 0; // published: these files are the video's now
        if (!done.complete) outcome = 'playable';
      },
    });
    return outcome;
  } catch (error) {
    await Promise.all(stored.map((key) => storage.remove(key).catch(() => undefined)));
    if (lost) return 'already-ready';
    throw error;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/**
 * What a killed attempt left: its temp folders on this machine and, while nothing is published,
 * every HLS file stored for this video (no playlist names them). Only one attempt of a video runs
 * at a time (the queue hands a job out again only when its worker stopped beating).
 */
async function removeLeftovers(deps: ProcessDeps, mediaFileId: string, published: boolean): Promise<void> {
  const folders = await fs.readdir(deps.media.workDir).catch(() => [] as string[]);
  await Promise.all(folders.filter((name) => name.startsWith(`${mediaFileId}-`)).map((name) => fs.rm(path.join(deps.media.workDir, name), { recursive: true, force: true })));
  if (published) return;
  const stale = await deps.storage.list(`${storageKeys.hls(mediaFileId, '')}`);
  await Promise.all(stale.map((key) => deps.storage.remove(key)));
}
