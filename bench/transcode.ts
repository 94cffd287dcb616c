// `npm run bench:transcode`: the lecture ladder on this machine's ffmpeg, against one ffmpeg run
// per rendition in the same run, and how soon something plays, ten-minute recordings that must be
// re-encoded included. Prints a JSON line last.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { planLadder } from '../server/media/ladder.ts';
import { findBinaries, probe } from '../server/media/probe.ts';
import { runGroup } from '../server/media/ffmpeg-commands.ts';
import { transcodeToHls } from '../server/media/transcode.ts';

const seconds = Number(process.env.BENCH_TRANSCODE_SECONDS ?? 60);
const media = loadConfig(process.env).media;
const binaries = findBinaries(media);
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-bench-transcode-'));
const ffmpeg = (...args: string[]) =>
  execFileSync(binaries.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

/** A lecture: a still 1080p slide with a small moving inset (the speaker) and a voice-like tone. */
function makeLecture(file: string, codec: string[], length = seconds): void {
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    `testsrc=s=1920x1080:r=30:d=${length}`,
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=384x216:r=30:d=${length}`,
    '-f',
    'lavfi',
    '-i',
    `sine=f=220:d=${length}`,
    '-filter_complex',
    '[0:v]trim=end_frame=1,loop=loop=-1:size=1,setpts=N/30/TB[slide];[slide][1:v]overlay=W-w-40:H-h-40:shortest=1[v]',
    '-map',
    '[v]',
    '-map',
    '2:a',
    '-t',
    String(length),
    ...codec,
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    file,
  );
}

/** A clip made once and kept between runs in .cache/bench-transcode (long ones take minutes to make). */
async function keptClip(name: string, make: (file: string) => unknown): Promise<string> {
  const dir = path.join(import.meta.dirname, '../.cache/bench-transcode');
  const file = path.join(dir, name);
  if (
    await fs.stat(file).then(
      () => true,
      () => false,
    )
  )
    return file;
  await fs.mkdir(dir, { recursive: true });
  console.log(`making ${file} (once)…`);
  const part = path.join(dir, `part-${name}`);
  await make(part);
  await fs.rename(part, file);
  return file;
}

/** Probe, then the first stage with its first rendition growing, until the video would be playable. */
async function secondsToGrowingPlayable(file: string): Promise<{ seconds: number; duration: number }> {
  const out = path.join(work, `growing-${path.basename(file)}`);
  const stored = path.join(out, 'stored');
  const stop = new AbortController();
  const started = performance.now();
  const found = await probe(binaries, file);
  let playable = 0;
  await transcodeToHls(binaries, file, found, path.join(out, 'work'), {
    processes: media.transcodeProcesses,
    signal: stop.signal,
    stages: 'playable',
    growing: {
      // What local media storage does: a copy into its folder.
      async store(name, localPath) {
        await fs.mkdir(path.dirname(path.join(stored, name)), { recursive: true });
        await fs.copyFile(localPath, path.join(stored, name));
      },
      publishedSegments: async () => 0,
    },
    async publish() {
      playable = (performance.now() - started) / 1000;
      stop.abort();
      throw new Error('measured');
    },
  }).catch((error: Error) => {
    if (error.message !== 'measured') throw error;
  });
  if (!playable) throw new Error(`${file} never became playable`);
  return { seconds: playable, duration: found.durationSeconds };
}

const time = async (run: () => Promise<unknown>) => {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
};

try {
  const h264 = path.join(work, 'lecture-h264.mp4');
  const hevc = path.join(work, 'lecture-hevc.mp4');
  console.log(`making ${seconds} s test lectures (H.264 and HEVC)…`);
  makeLecture(h264, ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-g', '60']);
  makeLecture(hevc, ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1']);
  const source = await probe(binaries, h264);
  const duration = source.durationSeconds;

  // Kabinet: playable stage, then the ladder in balanced processes.
  let playableH264 = 0;
  const started = performance.now();
  const ladderSeconds = await time(() =>
    transcodeToHls(binaries, h264, source, path.join(work, 'kabinet'), {
      processes: media.transcodeProcesses,
      publish: async () => {
        playableH264 ||= (performance.now() - started) / 1000;
      },
    }),
  );
  console.log(
    `kabinet ladder: ${ladderSeconds.toFixed(1)} s (playable after ${playableH264.toFixed(1)} s), ${media.transcodeProcesses} processes`,
  );

  // Baseline: the same renditions, one ffmpeg run each (each decodes the source), one after another.
  const ladder = planLadder(source);
  const baseDir = path.join(work, 'per-rendition');
  for (const name of [...ladder.video.map((rung) => rung.name), 'audio'])
    await fs.mkdir(path.join(baseDir, name), { recursive: true });
  const run = {
    input: h264,
    demuxer: source.demuxer,
    outDir: baseDir,
    signal: new AbortController().signal,
    onSeconds: () => undefined,
  };
  const perRenditionSeconds = await time(async () => {
    for (const rung of ladder.video) await runGroup(binaries, run, [rung], ladder.audioBitrate, { audioOnly: false });
    await runGroup(binaries, run, [], ladder.audioBitrate, { audioOnly: true });
  });
  console.log(`one run per rendition: ${perRenditionSeconds.toFixed(1)} s`);

  // A source that must be re-encoded: time until its first rendition, still growing, is published.
  const playableOther = (await secondsToGrowingPlayable(hevc)).seconds;
  console.log(`HEVC upload playable after ${playableOther.toFixed(1)} s`);

  // Ten-minute recordings that must be encoded: a portrait phone video (H.264 with a rotation flag)
  // and an HEVC one (the iPhone's default). Time from the start of processing (probe included) to a
  // playable master playlist, its first rendition still growing (decision 033). Made once, kept.
  const phone = await keptClip('phone-600s.mp4', (file) => {
    const upright = `${file}.upright.mp4`;
    makeLecture(upright, ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '22', '-g', '60'], 600);
    ffmpeg('-i', upright, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file);
    return fs.rm(upright);
  });
  const longHevc = await keptClip('hevc-600s.mp4', (file) =>
    makeLecture(
      file,
      ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1'],
      600,
    ),
  );
  const playablePhone = await secondsToGrowingPlayable(phone);
  const playableLongHevc = await secondsToGrowingPlayable(longHevc);
  console.log(
    `10-minute phone recording playable after ${playablePhone.seconds.toFixed(1)} s; 10-minute HEVC after ${playableLongHevc.seconds.toFixed(1)} s`,
  );

  const round = (n: number) => Number(n.toFixed(3));
  console.log(
    JSON.stringify({
      bench: 'transcode',
      ladder_x_duration: round(ladderSeconds / duration),
      speedup_vs_per_rendition: round(perRenditionSeconds / ladderSeconds),
      playable_h264_x_duration: round(playableH264 / duration),
      playable_other_x_duration: round(playableOther / duration),
      playable_phone_x_duration: round(playablePhone.seconds / playablePhone.duration),
      playable_10min_hevc_x_duration: round(playableLongHevc.seconds / playableLongHevc.duration),
      duration_s: round(duration),
      ladder_s: round(ladderSeconds),
      per_rendition_s: round(perRenditionSeconds),
      processes: media.transcodeProcesses,
      cores: os.availableParallelism(),
    }),
  );
} finally {
  await fs.rm(work, { recursive: true, force: true });
}
