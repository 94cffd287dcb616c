// A lecture's way from stored original to published HLS: fetch, probe, transcode, publish, record.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../db/client.ts';
import type { MediaConfig } from '../config.ts';
import { isAppError } from '../errors.ts';
import { contentTypeOfKey, storageKeys, type MediaStorage } from '../storage/media-storage.ts';
import { boundToThisProcess, findBinaries, probe } from './probe.ts';
import { transcodeToHls } from './transcode.ts';

export type ProcessDeps = { db: Db; storage: MediaStorage; media: MediaConfig };
export type ProcessOutcome = 'ready' | 'already-ready' | 'refused' | 'gone';

const thumbnailsFile = 'thumbs/thumbs.vtt';
const progressEveryMs = 2000;

/**
 * Idempotent, in two published stages. The first finishing attempt publishes something playable
 * (state `ready`, with its own storage prefix) in one conditional update; a later attempt for a
 * ready but incomplete video adds the rest of the ladder under that same prefix, overwriting what a
 * killed attempt may have left there, and a complete video is left alone. The master playlist is
 * stored after every file it names, so no playlist ever names a missing segment.
 * A source ffmpeg must not take (not media, too long, …) ends `failed` with the reason; anything
 * else throws, for the queue to retry.
 */
export async function processVideo(deps: ProcessDeps, mediaFileId: string, options: { signal?: AbortSignal } = {}): Promise<ProcessOutcome> {
  const { db, storage, media } = deps;
  const file = await db.selectFrom('media_file').selectAll().where('id', '=', mediaFileId).executeTakeFirst();
  if (!file || file.deleted_at) return 'gone';
  if (file.processing_state === 'ready' && file.hls_complete) return 'already-ready';
  const playableDone = file.processing_state === 'ready' && file.hls_prefix !== null;
  if (!playableDone) {
    await db.updateTable('media_file').set({ processing_state: 'processing', processing_progress: 0, processing_started_at: new Date() }).where('id', '=', mediaFileId).where('processing_state', '!=', 'ready').execute();
  }

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
    await pipeline(await storage.read(file.storage_key), createWriteStream(source));
    // ffmpeg dies with this process, even killed (no transcode left running for nobody).
    const binaries = await boundToThisProcess(findBinaries(media), media.workDir);
    let found;
    try {
      found = await probe(binaries, source);
    } catch (error) {
      if (!isAppError(error)) throw error;
      await markProcessingFailed(db, mediaFileId, error.messageKey, error.params);
      return 'refused';
    }
    let lastReport = 0;
    const out = path.join(work, 'out');
    const store = async (files: string[]) => {
      for (const name of files) {
        const key = `${prefix}/${name.split(path.sep).join('/')}`;
        await storage.putFile(key, path.join(out, name), contentTypeOfKey(name));
        if (!published) stored.push(key);
      }
    };
    await transcodeToHls(binaries, source, found, out, {
      processes: media.transcodeProcesses,
      signal: options.signal,
      playableDone,
      async restorePublished(folder) {
        for (const key of await storage.list(`${prefix}/${folder}/`)) {
          const into = path.join(out, folder, key.slice(prefix.length + folder.length + 2));
          await fs.mkdir(path.dirname(into), { recursive: true });
          await pipeline(await storage.read(key), createWriteStream(into));
        }
      },
      onProgress(fraction) {
        if (Date.now() - lastReport < progressEveryMs) return;
        lastReport = Date.now();
        void db.updateTable('media_file').set({ processing_progress: fraction }).where('id', '=', mediaFileId).where('hls_complete', '=', false).execute().catch(() => undefined);
      },
      async publish(stage) {
        await store(stage.files);
        const picture = stage.variants.find((variant) => variant.resolution)?.resolution;
        if (!published) {
          const won = await db
            .updateTable('media_file')
            .set({
              processing_state: 'ready',
              processing_progress: stage.complete ? 1 : null,
              hls_prefix: prefix,
              hls_complete: stage.complete,
              poster_key: found.video ? `${prefix}/poster.jpg` : null,
              thumbnails_key: stage.files.includes(thumbnailsFile) ? `${prefix}/${thumbnailsFile}` : null,
              duration_seconds: found.durationSeconds,
              width: picture?.width ?? null,
              height: picture?.height ?? null,
              failure_key: null,
              failure_params: null,
              ready_at: new Date(),
            })
            .where('id', '=', mediaFileId)
            .where('processing_state', '!=', 'ready')
            .executeTakeFirst();
          if (Number(won.numUpdatedRows) === 0) {
            lost = true;
            throw new Error('another attempt published this video first');
          }
          published = true;
          stored.length = 0; // published: these files are the video's now
          return;
        }
        await db
          .updateTable('media_file')
          .set({ hls_complete: true, processing_progress: 1, width: picture?.width ?? null, height: picture?.height ?? null, thumbnails_key: stage.files.includes(thumbnailsFile) ? `${prefix}/${thumbnailsFile}` : null })
          .where('id', '=', mediaFileId)
          .where('hls_prefix', '=', prefix)
          .execute();
      },
    });
    return 'ready';
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

/**
 * The instructor sees that processing failed and why: a refused source, or (the default) the last
 * retry used up.
 */
export async function markProcessingFailed(
  db: Db,
  mediaFileId: string,
  failureKey = 'media.refused.processing_failed',
  params: Record<string, string | number> = {},
): Promise<void> {
  await db
    .updateTable('media_file')
    .set({ processing_state: 'failed', failure_key: failureKey, failure_params: JSON.stringify(params), processing_progress: null })
    .where('id', '=', mediaFileId)
    .where('processing_state', '!=', 'ready')
    .execute();
}
