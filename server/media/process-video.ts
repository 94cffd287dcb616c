// A lecture's way from stored original to published HLS: fetch, probe, transcode, publish, record.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../../db/client.ts';
import type { MediaConfig } from '../config.ts';
import { isAppError } from '../errors.ts';
import { storageKeys, type MediaStorage } from '../storage/media-storage.ts';
import { findBinaries, probe } from './probe.ts';
import { transcodeToHls } from './transcode.ts';

export type ProcessDeps = { db: Db; storage: MediaStorage; media: MediaConfig };
export type ProcessOutcome = 'ready' | 'already-ready' | 'refused' | 'gone';

const contentTypes: Record<string, string> = { '.m3u8': 'application/vnd.apple.mpegurl', '.ts': 'video/mp2t', '.jpg': 'image/jpeg' };
const progressEveryMs = 2000;

/**
 * Idempotent: a file already ready is left alone. Output goes to a folder of this attempt and to a
 * storage prefix of this attempt; the row points at the prefix only when every file is stored, in
 * one update that only the first finishing attempt wins. So no playlist ever names a missing
 * segment, and a second attempt (after a killed worker) removes its own copy.
 * A source ffmpeg must not take (not media, too long, …) ends `failed` with the reason; anything
 * else throws, for the queue to retry.
 */
export async function processVideo(deps: ProcessDeps, mediaFileId: string, options: { signal?: AbortSignal } = {}): Promise<ProcessOutcome> {
  const { db, storage, media } = deps;
  const file = await db.selectFrom('media_file').selectAll().where('id', '=', mediaFileId).executeTakeFirst();
  if (!file || file.deleted_at) return 'gone';
  if (file.processing_state === 'ready') return 'already-ready';
  await db.updateTable('media_file').set({ processing_state: 'processing', processing_progress: 0 }).where('id', '=', mediaFileId).where('processing_state', '!=', 'ready').execute();

  const attempt = randomBytes(6).toString('hex');
  const work = path.join(media.workDir, `${mediaFileId}-${attempt}`);
  const prefix = storageKeys.hls(mediaFileId, attempt);
  const stored: string[] = [];
  await fs.mkdir(work, { recursive: true });
  try {
    const source = path.join(work, 'source');
    await pipeline(await storage.read(file.storage_key), createWriteStream(source));
    const binaries = findBinaries(media);
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
    const result = await transcodeToHls(binaries, source, found, out, {
      processes: media.transcodeProcesses,
      signal: options.signal,
      onProgress(fraction) {
        if (Date.now() - lastReport < progressEveryMs) return;
        lastReport = Date.now();
        void db.updateTable('media_file').set({ processing_progress: fraction }).where('id', '=', mediaFileId).where('processing_state', '=', 'processing').execute().catch(() => undefined);
      },
    });
    // The master playlist last: until it is stored nothing names the renditions.
    const ordered = [...result.files.filter((name) => name !== 'master.m3u8'), 'master.m3u8'];
    for (const name of ordered) {
      const key = `${prefix}/${name.split(path.sep).join('/')}`;
      await storage.putFile(key, path.join(out, name), contentTypes[path.extname(name)] ?? 'application/octet-stream');
      stored.push(key);
    }
    const biggest = result.ladder.video[0];
    const won = await db
      .updateTable('media_file')
      .set({
        processing_state: 'ready',
        processing_progress: 1,
        hls_prefix: prefix,
        poster_key: result.poster ? `${prefix}/${result.poster}` : null,
        duration_seconds: found.durationSeconds,
        width: biggest?.width ?? null,
        height: biggest?.height ?? null,
        failure_key: null,
        failure_params: null,
        ready_at: new Date(),
      })
      .where('id', '=', mediaFileId)
      .where('processing_state', '!=', 'ready')
      .executeTakeFirst();
    if (Number(won.numUpdatedRows) === 0) {
      await Promise.all(stored.map((key) => storage.remove(key)));
      return 'already-ready';
    }
    return 'ready';
  } catch (error) {
    await Promise.all(stored.map((key) => storage.remove(key).catch(() => undefined)));
    throw error;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
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
