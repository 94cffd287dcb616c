// The transcode worker as a real process: SIGKILL mid-job, a second worker finishes exactly once;
// and a job that keeps failing ends `failed` with a reason only after its last retry.
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseOutage } from '../../tests/helpers/database-outage.ts';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { routeRequest, settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { action as cabinetAction, loader as cabinetLoader } from '../../app/routes/cabinets.$cabinetId.tsx';
import { loader as watchLoader } from '../../app/routes/watch.$fileId.tsx';
import { OWN_FAILURE_LIMIT } from '../../server/media/video-state.ts';
import { completeVideoLadder, transcodeVideo } from './transcode-video.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
let clips: string;
const workers: ChildProcess[] = [];
/** What the workers wrote to stderr, shown when a wait times out. */
let workerLog = '';

function startWorker(databaseUrl: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, 'workers/main.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      DATA_DIR: server.dataDir,
      LOG_LEVEL: 'info',
      TRANSCODE_PROCESSES: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (workerLog += chunk));
  child.stderr!.on('data', (chunk) => (workerLog += chunk));
  workers.push(child);
  return child;
}

/** Stops the workers of earlier tests, so that the next job goes to the worker a test starts. */

/** A generated clip: H.264 with AAC sound, or VP9 with Opus (which must be encoded, not repackaged). */
function makeClip(
  file: string,
  { size = '1280x720', rate = 30, seconds = 40, codec = 'h264', bitrate = '800k', sound = true } = {},
): void {
  const video =
    codec === 'vp9'
      ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', bitrate]
      : ['-c:v', 'libx264', '-preset', 'ultrafast'];
  const audio = codec === 'vp9' ? ['-c:a', 'libopus'] : ['-c:a', 'aac'];
  execFileSync('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=s=${size}:r=${rate}:d=${seconds}`],
    ...(sound ? ['-f', 'lavfi', '-i', `sine=d=${seconds}`] : []),
    ...video,
    ...(sound ? [...audio, '-shortest'] : []),
    file,
  ]);
}

async function stopWorkers(): Promise<void> {
  await Promise.all(
    workers
      .filter((child) => child.exitCode === null && child.signalCode === null)
      .map((child) => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGKILL')))),
  );
}

const row = (id: string) =>
  server.services.db.selectFrom('media_file').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; workers said:\n${workerLog.slice(-3000)}`);
    await sleep(100);
  }
}

/** The ffmpeg processes working in `dir` (their command line names it), from /proc. */
async function ffmpegIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const pid of (await fs.readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const read = (file: string) => fs.readFile(`/proc/${pid}/${file}`, 'utf8').catch(() => '');
    const [comm, cmdline] = await Promise.all([read('comm'), read('cmdline')]);
    if (comm.trim() === 'ffmpeg' && cmdline.includes(dir)) found.push(Number(pid));
  }
  return found;
}

/** Every segment that the published master playlist's variants name exists: the player never meets a 404. */
async function missingSegments(prefix: string): Promise<string[]> {
  const base = path.join(server.services.config.mediaDir, prefix);
  const master = await fs.readFile(path.join(base, 'master.m3u8'), 'utf8').catch(() => null);
  if (master === null) return ['master.m3u8'];
  const missing: string[] = [];
  for (const variant of master.split('\n').filter((line) => line.endsWith('.m3u8'))) {
    const playlist = await fs.readFile(path.join(base, variant), 'utf8').catch(() => null);
    if (playlist === null) {
      missing.push(variant);
      continue;
    }
    for (const segment of playlist.split('\n').filter((line) => line.endsWith('.ts'))) {
      const file = path.join(base, path.dirname(variant), segment);
      if (!(await fs.stat(file).catch(() => null))) missing.push(file);
    }
  }
  return missing;
}

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
  clips = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-kill-'));
});
afterAll(async () => {
  for (const child of workers) if (child.exitCode === null) child.kill('SIGKILL');
  await server?.close();
  if (clips) await fs.rm(clips, { recursive: true, force: true });
});

async function upload(file: string, slotIndex: number): Promise<string> {
  const slot = cabinet.slots.filter((s) => s.kind === 'lecture_video')[slotIndex]!;
  const { finish } = await tusUploadWhole(server.url, await fs.readFile(file), {
    cookie: await server.cookieFor('instructor'),
    metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: path.basename(file) },
  });
  expect(finish?.status).toBe(204);
  return finish!.headers.get('kabinet-media-file')!;
}

describe('a worker killed mid-job', () => {
  it('is replaced: the job is picked up again once its heartbeat is missed (90 s), the video ends ready once, no playlist names a missing segment, temp folders go', async () => {
    const clip = path.join(clips, 'long.mp4');
    makeClip(clip);
    const id = await upload(clip, 0);
    const first = startWorker(server.services.config.databaseUrl!);
    // Playable first (the H.264 upload repackaged), then the ladder: kill the worker in the middle of it.
    const playable = await waitFor(
      'the playable stage',
      async () => {
        const current = await row(id);
        return current.processing_state === 'ready' && !current.hls_complete ? current : undefined;
      },
      90_000,
    );
    expect(await missingSegments(playable.hls_prefix!)).toEqual([]);
    // Into the ladder's ffmpeg runs (its job starts when the queue next hands it out).
    const workDir = server.services.config.media.workDir;
    await waitFor("the ladder's ffmpeg", async () => (await ffmpegIn(workDir)).length > 0, 60_000);
    expect((await row(id)).hls_complete).toBe(false);
    first.kill('SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => first.once('exit', resolve));
    // Its ffmpeg processes went with it: none keeps encoding for nobody.
    await waitFor('no ffmpeg left', async () => (await ffmpegIn(workDir)).length === 0, 5_000);
    const leftBehind = (await fs.readdir(workDir)).filter((name) => name.startsWith(id));
    expect(leftBehind).toHaveLength(1); // the killed attempt's folder

    startWorker(server.services.config.databaseUrl!);
    // While the second worker runs, whatever master is published names only stored segments.
    let checks = 0;
    await waitFor(
      'a new attempt',
      async () => {
        const folders = (await fs.readdir(workDir)).filter((name) => name.startsWith(id));
        return folders.some((name) => !leftBehind.includes(name));
      },
      120_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(120_000);
    const done = await waitFor(
      'the full ladder',
      async () => {
        expect(await missingSegments(playable.hls_prefix!)).toEqual([]);
        checks++;
        const current = await row(id);
        return current.hls_complete ? current : undefined;
      },
      120_000,
    );
    expect(checks).toBeGreaterThan(1);
    // Ready exactly once: the same published prefix and the same moment it became ready.
    expect(done.hls_prefix).toBe(playable.hls_prefix);
    expect(done.ready_at?.getTime()).toBe(playable.ready_at?.getTime());
    expect(done.processing_state).toBe('ready');
    const master = await fs.readFile(
      path.join(server.services.config.mediaDir, done.hls_prefix!, 'master.m3u8'),
      'utf8',
    );
    expect(master.match(/RESOLUTION=\d+x\d+/g)).toEqual([
      'RESOLUTION=1280x720',
      'RESOLUTION=854x480',
      'RESOLUTION=640x360',
      'RESOLUTION=426x240',
    ]);
    expect(await missingSegments(done.hls_prefix!)).toEqual([]);
    // Only one output prefix for this video in storage, and no temp folder left.
    const prefixes = new Set(
      (await server.services.storage.list(path.dirname(done.hls_prefix!) + '/')).map((key) =>
        key.split('/').slice(0, 4).join('/'),
      ),
    );
    expect([...prefixes]).toEqual([done.hls_prefix]);
    await waitFor(
      'temp folders removed',
      async () => (await fs.readdir(workDir)).filter((name) => name.startsWith(id)).length === 0,
      10_000,
    );
  }, 330_000);
});

describe('a database outage during a transcode', () => {
  it('is waited out for a minute: the same attempt finishes the ladder, with no retry used and nothing counted against the video', async () => {
    // The worker of the test above is still running, idle.
    const clip = path.join(clips, 'outage.mp4');
    makeClip(clip);
    const id = await upload(clip, 5);
    const workDir = server.services.config.media.workDir;
    const playable = await waitFor(
      'the ladder under way',
      async () => {
        const current = await row(id);
        return current.processing_state === 'ready' &&
          !current.hls_complete &&
          (current.processing_progress ?? 0) >= 0.2
          ? current
          : undefined;
      },
      120_000,
    );
    // The ladder's work folders from now on: one, if the outage costs no attempt.
    const attempts = new Set<string>();
    const look = () =>
      fs.readdir(workDir).then(
        (names) => names.filter((name) => name.startsWith(id)).forEach((name) => attempts.add(name)),
        () => undefined,
      );
    await look();
    const watch = setInterval(() => void look(), 200);
    try {
      // A minute: a database restarted, or failed over to its standby.
      const restore = await databaseOutage(server.services.config.databaseUrl!);
      await sleep(60_000);
      await restore();
      const done = await waitFor(
        'the full ladder',
        async () => {
          const current = await row(id).catch(() => undefined);
          return current?.hls_complete ? current : undefined;
        },
        150_000,
      );
      expect([done.processing_state, done.hls_prefix, done.ready_at?.getTime(), done.processing_failures]).toEqual([
        'ready',
        playable.hls_prefix,
        playable.ready_at?.getTime(),
        0,
      ]);
      expect(await missingSegments(done.hls_prefix!)).toEqual([]);
      expect(attempts.size).toBe(1);
      // The queue records the job complete just after the video is.
      const jobs = await waitFor(
        'the jobs settled',
        async () => {
          const found = await sql<{
            name: string;
            retry_count: number;
            state: string;
          }>`select name, retry_count, state from pgboss.job where data->>'mediaFileId' = ${id} order by created_on`.execute(
            server.services.db,
          );
          return found.rows.every((job) => job.state !== 'active') ? found : undefined;
        },
        10_000,
      );
      expect(jobs.rows).toEqual([
        { name: 'transcode-video', retry_count: 0, state: 'completed' },
        { name: 'complete-video-ladder', retry_count: 0, state: 'completed' },
      ]);
    } finally {
      clearInterval(watch);
    }
  }, 360_000);
});

describe('a new lecture while another’s ladder is being made', () => {
  it('becomes playable before that ladder is complete: first stages have a queue of their own', async () => {
    // The worker of the tests above is still running, idle, one job of each queue at a time.
    const long = path.join(clips, 'long-ladder.mp4');
    makeClip(long);
    const late = path.join(clips, 'late.webm');
    makeClip(late, { size: '854x480', rate: 25, seconds: 8, codec: 'vp9', bitrate: '500k' });
    const first = await upload(long, 6);
    await waitFor(
      'its ladder under way',
      async () => {
        const current = await row(first);
        return (
          current.processing_state === 'ready' &&
          current.ladder_started_at !== null &&
          (current.processing_progress ?? 0) > 0.05
        );
      },
      120_000,
    );
    const second = await upload(late, 7);
    const playable = await waitFor(
      'the new lecture playable',
      async () => {
        const current = await row(second);
        return current.processing_state === 'ready' ? current : undefined;
      },
      120_000,
    );
    const other = await row(first);
    expect(other.hls_complete).toBe(false);
    const done = await waitFor(
      'the first ladder complete',
      async () => {
        const current = await row(first);
        return current.hls_complete ? current : undefined;
      },
      180_000,
    );
    expect(playable.ready_at!.getTime()).toBeLessThan(done.completed_at!.getTime());
  }, 360_000);
});

describe('a worker killed after the playable stage of a video that had to be encoded', () => {
  it('is followed by one that completes the ladder and its thumbnails from what was published', async () => {
    // VP9: not repackaged, so the playable stage is the lowest rung the killed worker encoded.
    await stopWorkers();
    const clip = path.join(clips, 'screen.webm');
    makeClip(clip, { rate: 25, codec: 'vp9', bitrate: '800k' });
    const id = await upload(clip, 3);
    const first = startWorker(server.services.config.databaseUrl!);
    const playable = await waitFor(
      'the playable stage',
      async () => {
        const current = await row(id);
        return current.processing_state === 'ready' && !current.hls_complete ? current : undefined;
      },
      120_000,
    );
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect((await row(id)).hls_complete).toBe(false);

    startWorker(server.services.config.databaseUrl!);
    // The killed worker's job is retried once its heartbeat (90 s) has lapsed; then the ladder is made.
    const done = await waitFor(
      'the full ladder',
      async () => {
        const current = await row(id);
        return current.hls_complete ? current : undefined;
      },
      240_000,
    );
    expect(done.hls_prefix).toBe(playable.hls_prefix);
    const master = await fs.readFile(
      path.join(server.services.config.mediaDir, done.hls_prefix!, 'master.m3u8'),
      'utf8',
    );
    expect(master.match(/RESOLUTION=\d+x\d+/g)).toEqual([
      'RESOLUTION=1280x720',
      'RESOLUTION=854x480',
      'RESOLUTION=640x360',
      'RESOLUTION=426x240',
    ]);
    expect(await missingSegments(done.hls_prefix!)).toEqual([]);
    expect(done.thumbnails_key).toBe(`${done.hls_prefix}/thumbs/thumbs.vtt`);
    expect(
      await fs.stat(path.join(server.services.config.mediaDir, done.hls_prefix!, 'thumbs/sheet_000.jpg')),
    ).toBeTruthy();
  }, 400_000);
});

describe('a worker stopped with SIGTERM', () => {
  it('leaves no ffmpeg running', async () => {
    await stopWorkers();
    const clip = path.join(clips, 'stopped.mp4');
    makeClip(clip);
    await upload(clip, 2);
    const worker = startWorker(server.services.config.databaseUrl!);
    const workDir = server.services.config.media.workDir;
    await waitFor('ffmpeg at work', async () => (await ffmpegIn(workDir)).length > 0, 90_000);
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker.once('exit', resolve));
    await waitFor('no ffmpeg left', async () => (await ffmpegIn(workDir)).length === 0, 5_000);
  }, 180_000);
});

describe('a job that keeps failing', () => {
  it('stays in processing through its first own failures, then ends failed with a reason the instructor reads', async () => {
    const clip = path.join(clips, 'short.mp4');
    makeClip(clip, { size: '320x180', rate: 25, seconds: 2, sound: false });
    const id = await upload(clip, 1);
    // The stored original disappears: every attempt fails the same way, by the video's own fault.
    await server.services.storage.remove((await row(id)).storage_key);
    const handler = transcodeVideo(server.services);
    const attempt = (retryCount: number) =>
      handler({ mediaFileId: id }, { id: 'job', retryCount, retryLimit: 20, signal: new AbortController().signal });
    for (const retryCount of [0, 1]) {
      await expect(attempt(retryCount)).rejects.toThrow();
      expect((await row(id)).processing_state).toBe('processing');
    }
    // The third own failure ends it, whatever retries the queue has left (those are for blips).
    await attempt(2);
    const failed = await row(id);
    expect(failed.processing_state).toBe('failed');
    expect(failed.processing_failures).toBe(OWN_FAILURE_LIMIT);
    expect(failed.failure_key).toBe('media.refused.processing_failed');
    expect(failed.hls_prefix).toBeNull();
    expect(await server.services.storage.list(`hls/${id.slice(0, 2)}/${id}/`)).toEqual([]);
  });
});

describe('a ladder that fails after the playable stage', () => {
  it('shows the video failed, hidden from students and not delivered; a retry makes it playable at once and completes the ladder from what was published', async () => {
    await stopWorkers();
    const clip = path.join(clips, 'ladder.webm');
    makeClip(clip, { size: '854x480', rate: 25, seconds: 12, codec: 'vp9', bitrate: '500k' });
    const slot = cabinet.slots.filter((s) => s.kind === 'lecture_video')[4]!;
    const id = await upload(clip, 4);
    const job = (retryCount: number) => ({
      id: 'job',
      retryCount,
      retryLimit: 20,
      signal: new AbortController().signal,
    });
    // The playable stage is published, and the rest of the ladder queued with it.
    await transcodeVideo(server.services)({ mediaFileId: id }, job(0));
    const playable = await row(id);
    expect([playable.processing_state, playable.hls_complete, playable.renditions]).toEqual([
      'ready',
      false,
      ['240p', 'audio'],
    ]);
    const queued = await sql<{
      name: string;
    }>`select name from pgboss.job where data->>'mediaFileId' = ${id} and state = 'created'`.execute(
      server.services.db,
    );
    expect(queued.rows.map((job) => job.name).sort()).toEqual(['complete-video-ladder', 'transcode-video']); // the upload's own, and the ladder's
    // Published, it plays and counts as delivered.
    const student = await server.cookieFor('student');
    const instructor = await server.cookieFor('instructor');
    const context = { services: server.services, clientIp: '10.0.0.1' };
    const cabinetPath = `/cabinets/${cabinet.cabinetId}`;
    const post = (form: Record<string, string>) =>
      settle(() =>
        cabinetAction({
          request: routeRequest(cabinetPath, instructor, form),
          params: { cabinetId: cabinet.cabinetId },
          context,
        }),
      );
    expect(statusOf(await post({ intent: 'publish', itemId: playable.item_id }))).toBe(200);
    const watch = () =>
      settle(() => watchLoader({ request: routeRequest(`/watch/${id}`, student), params: { fileId: id }, context }));
    const delivered = async () =>
      (
        await server.services.db
          .selectFrom('slot_delivery')
          .select('delivered_at')
          .where('slot_id', '=', slot.id)
          .executeTakeFirst()
      )?.delivered_at ?? null;
    expect(statusOf(await watch())).toBe(200);
    expect(await delivered()).not.toBeNull();

    // Then the original is gone: the ladder cannot be completed, three times.
    const original = (await row(id)).storage_key;
    await server.services.storage.remove(original);
    const again = (retryCount: number) => completeVideoLadder(server.services)({ mediaFileId: id }, job(retryCount));
    await expect(again(1)).rejects.toThrow();
    await expect(again(2)).rejects.toThrow();
    expect((await row(id)).processing_state).toBe('ready'); // still playable while retries remain
    await again(3);
    const failed = await row(id);
    expect([failed.processing_state, failed.failure_key, failed.hls_prefix]).toEqual([
      'failed',
      'media.refused.processing_failed',
      playable.hls_prefix,
    ]);
    // Not shown to students, not delivered; the instructor's cabinet says failed, with a retry.
    expect(statusOf(await watch())).toBe(404);
    expect(await delivered()).toBeNull();
    const { page } = await cabinetLoader({
      request: routeRequest(cabinetPath, instructor),
      params: { cabinetId: cabinet.cabinetId },
      context,
    });
    const shown = page.items.flatMap((item) => item.files).find((file) => file.id === id);
    expect([shown?.processingState, shown?.failure?.key]).toEqual(['failed', 'media.refused.processing_failed']);

    // The original comes back; the instructor presses Retry: playable again before any work is done.
    await server.services.storage.putFile(original, clip, 'video/webm');
    expect(statusOf(await post({ intent: 'retry-processing', fileId: id }))).toBe(200);
    const retried = await row(id);
    expect([retried.processing_state, retried.hls_complete, retried.processing_failures]).toEqual(['ready', false, 0]);
    expect(statusOf(await watch())).toBe(200);
    expect(await delivered()).not.toBeNull();
    const requeued = await sql<{
      name: string;
    }>`select name from pgboss.job where data->>'mediaFileId' = ${id} and state = 'created' order by created_on desc limit 1`.execute(
      server.services.db,
    );
    expect(requeued.rows).toEqual([{ name: 'complete-video-ladder' }]);
    await completeVideoLadder(server.services)({ mediaFileId: id }, job(0));
    const done = await row(id);
    expect([done.processing_state, done.hls_complete, done.hls_prefix]).toEqual(['ready', true, playable.hls_prefix]);
    expect(done.renditions).toEqual(['480p', '360p', '240p', 'audio']);
    expect(await missingSegments(done.hls_prefix!)).toEqual([]);
  }, 240_000);
});
