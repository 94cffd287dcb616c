// `npm run bench:transcode`: the lecture ladder on this machine's ffmpeg, against one ffmpeg run
// per rendition in the same run, and how soon something plays. Prints a JSON line last.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../server/config.ts';
import { planLadder } from '../server/media/ladder.ts';
import { findBinaries, probe } from '../server/media/probe.ts';
import { runGroup, transcodeToHls } from '../server/media/transcode.ts';

const seconds = Number(process.env.BENCH_TRANSCODE_SECONDS ?? 60);
const media = loadConfig(process.env).media;
const binaries = findBinaries(media);
const work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-bench-transcode-'));
const ffmpeg = (...args: string[]) => execFileSync(binaries.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

/** A lecture: a still 1080p slide with a small moving inset (the speaker) and a voice-like tone. */
function makeLecture(file: string, codec: string[]): void {
  ffmpeg(
    '-f', 'lavfi', '-i', `testsrc=s=1920x1080:r=30:d=${seconds}`,
    '-f', 'lavfi', '-i', `testsrc2=s=384x216:r=30:d=${seconds}`,
    '-f', 'lavfi', '-i', `sine=f=220:d=${seconds}`,
    '-filter_complex', '[0:v]trim=end_frame=1,loop=loop=-1:size=1,setpts=N/30/TB[slide];[slide][1:v]overlay=W-w-40:H-h-40:shortest=1[v]',
    '-map', '[v]', '-map', '2:a', '-t', String(seconds), ...codec, '-pix_fmt', 'yuv420p', '-c:a', 'aac', file,
  );
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
  console.log(`kabinet ladder: ${ladderSeconds.toFixed(1)} s (playable after ${playableH264.toFixed(1)} s), ${media.transcodeProcesses} processes`);

  // Baseline: the same renditions, one ffmpeg run each (each decodes the source), one after another.
  const ladder = planLadder(source);
  const baseDir = path.join(work, 'per-rendition');
  for (const name of [...ladder.video.map((rung) => rung.name), 'audio']) await fs.mkdir(path.join(baseDir, name), { recursive: true });
  const run = { input: h264, demuxer: source.demuxer, outDir: baseDir, signal: new AbortController().signal, onSeconds: () => undefined };
  const perRenditionSeconds = await time(async () => {
    for (const rung of ladder.video) await runGroup(binaries, run, [rung], ladder.audioBitrate, { audioOnly: false });
    await runGroup(binaries, run, [], ladder.audioBitrate, { audioOnly: true });
  });
  console.log(`one run per rendition: ${perRenditionSeconds.toFixed(1)} s`);

  // A source that must be re-encoded: time until the lowest rung and audio are published.
  const other = await probe(binaries, hevc);
  const stop = new AbortController();
  const otherStarted = performance.now();
  let playableOther = 0;
  await transcodeToHls(binaries, hevc, other, path.join(work, 'hevc'), {
    processes: media.transcodeProcesses,
    signal: stop.signal,
    publish: async () => {
      playableOther = (performance.now() - otherStarted) / 1000;
      stop.abort();
      throw new Error('measured');
    },
  }).catch((error: Error) => {
    if (error.message !== 'measured') throw error;
  });
  console.log(`HEVC upload playable after ${playableOther.toFixed(1)} s`);

  const round = (n: number) => Number(n.toFixed(3));
  console.log(
    JSON.stringify({
      bench: 'transcode',
      ladder_x_duration: round(ladderSeconds / duration),
      speedup_vs_per_rendition: round(perRenditionSeconds / ladderSeconds),
      playable_h264_x_duration: round(playableH264 / duration),
      playable_other_x_duration: round(playableOther / duration),
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
