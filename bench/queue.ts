// `npm run bench:queue`: does a new lecture wait behind other lectures' ladders, and does fairness
// cost throughput? One web process and one worker (its default concurrency), real uploads:
// 1. idle: the HEVC clip alone, from the end of its upload to a playable master playlist;
// 2. serial: ten clips, each uploaded once the one before is complete;
// 3. busy: nine clips of mixed kinds uploaded a second apart; once all nine play and their
//    ladders are still being made, the HEVC clip is uploaded; then everything completes.
// Prints a JSON line last. The clips are made once and kept in .cache/bench-queue.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { findBinaries } from '../server/media/probe.ts';
import { tusUploadWhole } from '../tests/helpers/tus-requests.ts';
import {
  benchDir,
  embeddedDatabaseUrl,
  memoryOf,
  openDemoCabinet,
  startChild,
  startKabinetProcess,
  stopChild,
} from './processes.ts';

const SECONDS = Number(process.env.BENCH_QUEUE_SECONDS ?? 60);
const binaries = findBinaries(loadConfig(process.env).media);
const clipsDir = path.join(benchDir, '../.cache/bench-queue');
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-bench-queue-'));

type Kind = 'h264' | 'hevc' | 'vp9' | 'mpeg2';
const codecs: Record<Kind, { file: string; args: string[] }> = {
  h264: { file: 'mp4', args: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-g', '60', '-c:a', 'aac'] },
  hevc: {
    file: 'mp4',
    args: [
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-x265-params',
      'log-level=error',
      '-tag:v',
      'hvc1',
      '-c:a',
      'aac',
    ],
  },
  vp9: {
    file: 'webm',
    args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1M', '-c:a', 'libopus'],
  },
  mpeg2: { file: 'ts', args: ['-c:v', 'mpeg2video', '-q:v', '4', '-c:a', 'mp2'] },
};

/** A 720p lecture: a still slide with a small moving inset (the speaker) and a tone; made once per kind and length. */
async function clip(kind: Kind): Promise<string> {
  const file = path.join(clipsDir, `lecture-${SECONDS}s-${kind}.${codecs[kind].file}`);
  if (
    await fs.stat(file).then(
      () => true,
      () => false,
    )
  )
    return file;
  await fs.mkdir(clipsDir, { recursive: true });
  console.log(`making ${file}…`);
  execFileSync(binaries.ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=s=1280x720:r=30:d=${SECONDS}`,
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=256x144:r=30:d=${SECONDS}`,
    '-f',
    'lavfi',
    '-i',
    `sine=f=220:d=${SECONDS}`,
    '-filter_complex',
    '[0:v]trim=end_frame=1,loop=loop=-1:size=1,setpts=N/30/TB[slide];[slide][1:v]overlay=W-w-40:H-h-40:shortest=1,format=yuv420p[v]',
    '-map',
    '[v]',
    '-map',
    '2:a',
    '-t',
    String(SECONDS),
    ...codecs[kind].args,
    `${file}.part.${codecs[kind].file}`,
  ]);
  await fs.rename(`${file}.part.${codecs[kind].file}`, file);
  return file;
}

const nine: Kind[] = ['h264', 'hevc', 'vp9', 'mpeg2', 'h264', 'hevc', 'vp9', 'mpeg2', 'h264'];
const files = new Map<Kind, Buffer>();
for (const kind of new Set<Kind>([...nine, 'hevc'])) files.set(kind, await fs.readFile(await clip(kind)));

const web = await startKabinetProcess(work);
const worker = await startChild<boolean>(
  [path.join(benchDir, '../workers/main.ts')],
  (line) => (line.includes('"worker started"') ? true : undefined),
  {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: embeddedDatabaseUrl(web.dataDir, web.pgPort),
    DATA_DIR: web.dataDir,
    LOG_LEVEL: 'info',
  },
);
const { cookie, cabinetId, db } = await openDemoCabinet(web.url, web.pgPort, web.dataDir);
const slots = (
  await db.query<{ id: string }>(
    `select id from slot where cabinet_id = $1 and kind = 'lecture_video' order by week, number`,
    [cabinetId],
  )
).rows.map((row) => row.id);
const rssBefore = memoryOf(web.child.pid!).rss + memoryOf(worker.child.pid!).rss;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let uploads = 0;

/** Uploads a clip into the next lecture slot; the media file's id and when its upload ended. */
async function upload(kind: Kind): Promise<{ id: string; endedAt: number }> {
  const slotId = slots[uploads++ % slots.length]!;
  const { finish } = await tusUploadWhole(web.url, files.get(kind)!, {
    cookie,
    metadata: { cabinetId, slotId, filename: `lecture-${uploads}.${codecs[kind].file}` },
  });
  if (finish?.status !== 204) throw new Error(`upload answered ${finish?.status}`);
  return { id: finish.headers.get('kabinet-media-file')!, endedAt: performance.now() };
}

async function until(ids: string[], state: 'playable' | 'complete'): Promise<number> {
  for (;;) {
    const { rows } = await db.query<{ n: string; failed: string }>(
      `select count(*) filter (where processing_state = 'ready' ${state === 'complete' ? 'and hls_complete' : ''}) as n, count(*) filter (where processing_state = 'failed') as failed from media_file where id = any($1)`,
      [ids],
    );
    if (Number(rows[0]!.failed) > 0) throw new Error('a lecture failed to process');
    if (Number(rows[0]!.n) === ids.length) return performance.now();
    await sleep(100);
  }
}

try {
  // 1. The HEVC clip on an idle worker.
  const alone = await upload('hevc');
  const idlePlayable = ((await until([alone.id], 'playable')) - alone.endedAt) / 1000;
  await until([alone.id], 'complete');
  console.log(`idle: HEVC playable ${idlePlayable.toFixed(1)} s after its upload`);

  // 2. The ten, one after another.
  const serialStart = performance.now();
  for (const kind of [...nine, 'hevc'] as Kind[]) await until([(await upload(kind)).id], 'complete');
  const serialSeconds = (performance.now() - serialStart) / 1000;
  console.log(`serial: ten complete in ${serialSeconds.toFixed(1)} s`);

  // 3. Nine a second apart, then the tenth once they all play.
  const busyStart = performance.now();
  const first: string[] = [];
  for (const kind of nine) {
    first.push((await upload(kind)).id);
    await sleep(1000);
  }
  await until(first, 'playable');
  const { rows } = await db.query<{ n: string }>(
    `select count(*) filter (where not hls_complete) as n from media_file where id = any($1)`,
    [first],
  );
  console.log(
    `busy: nine playable after ${((performance.now() - busyStart) / 1000).toFixed(1)} s, ${rows[0]!.n} ladders still being made`,
  );
  const late = await upload('hevc');
  const latePlayable = ((await until([late.id], 'playable')) - late.endedAt) / 1000;
  await until([...first, late.id], 'complete');
  const busySeconds = (performance.now() - busyStart) / 1000;
  console.log(
    `busy: the late HEVC playable after ${latePlayable.toFixed(1)} s; all ten complete in ${busySeconds.toFixed(1)} s`,
  );

  const rssAfter = memoryOf(web.child.pid!).rss + memoryOf(worker.child.pid!).rss;
  const round = (n: number) => Number(n.toFixed(3));
  console.log(
    JSON.stringify({
      bench: 'queue',
      late_playable_s: round(latePlayable),
      late_playable_x_idle: round(latePlayable / idlePlayable),
      complete_total_x_serial: round(busySeconds / serialSeconds),
      rss_growth_mb: round((rssAfter - rssBefore) / 1024 / 1024),
      idle_playable_s: round(idlePlayable),
      busy_total_s: round(busySeconds),
      serial_total_s: round(serialSeconds),
      clip_s: SECONDS,
      cores: os.availableParallelism(),
    }),
  );
} finally {
  await db.end();
  await stopChild(worker.child);
  await stopChild(web.child);
  await fs.rm(work, { recursive: true, force: true });
}
