// Runs the ladder: one ffmpeg process per group of rungs (each decodes the source once), plus a poster.
import fs from 'node:fs/promises';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { INPUT_GUARDS, type Binaries, type Probe } from './probe.ts';
import { masterPlaylist, planLadder, SEGMENT_SECONDS, splitIntoProcesses, type Ladder, type VideoRung } from './ladder.ts';

export type TranscodeResult = { ladder: Ladder; files: string[]; poster: string | null };

const hlsOutput = (dir: string, name: string) => [
  '-f', 'hls',
  '-hls_time', String(SEGMENT_SECONDS),
  '-hls_playlist_type', 'vod',
  '-hls_flags', 'independent_segments',
  '-hls_segment_filename', path.join(dir, name, 'seg_%05d.ts'),
];

const audioOptions = (bitrate: number) => ['-c:a', 'aac', '-b:a', String(bitrate), '-ac', '2', '-ar', '48000'];

function videoOptions(rung: VideoRung): string[] {
  return [
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-level:v', '4.0', '-pix_fmt', 'yuv420p',
    // Capped CRF: a still slide costs almost nothing, motion gets up to the rung's peak.
    '-crf', '23', '-maxrate', String(rung.maxBitrate), '-bufsize', String(rung.maxBitrate * 2),
    // A keyframe on every segment boundary of every rung, and nowhere that would shift them.
    '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SECONDS})`, '-sc_threshold', '0',
  ];
}

/**
 * One ffmpeg process: decode once, deinterlace when flagged, one frame rate, then split and scale
 * into each rung of the group (with the sound muxed in), and the audio-only rendition if asked.
 */
function runGroup(
  binaries: Binaries,
  input: string,
  demuxer: string,
  outDir: string,
  group: VideoRung[],
  audioBitrate: number | null,
  withAudioOnly: boolean,
  onSeconds: (seconds: number) => void,
  signal: AbortSignal,
): Promise<void> {
  const command = ffmpeg({ stdoutLines: 0 }).setFfmpegPath(binaries.ffmpeg).input(input).inputOptions([...INPUT_GUARDS, '-f', demuxer]);
  if (group.length) {
    const fps = group[0]!.fps;
    const labels = group.map((_, i) => `v${i}`);
    const filters = [`[0:v:0]yadif=deint=interlaced,fps=${fps},split=${group.length}${labels.map((l) => `[${l}]`).join('')}`];
    group.forEach((rung, i) => filters.push(`[v${i}]scale=${rung.width}:${rung.height}:flags=bicubic,setsar=1,format=yuv420p[o${i}]`));
    command.complexFilter(filters.join(';'));
    group.forEach((rung, i) => {
      command
        .output(path.join(outDir, rung.name, 'index.m3u8'))
        .outputOptions(['-map', `[o${i}]`, ...(audioBitrate ? ['-map', '0:a:0', ...audioOptions(audioBitrate)] : []), ...videoOptions(rung), ...hlsOutput(outDir, rung.name)]);
    });
  }
  if (withAudioOnly && audioBitrate) {
    command.output(path.join(outDir, 'audio', 'index.m3u8')).outputOptions(['-map', '0:a:0', '-vn', ...audioOptions(audioBitrate), ...hlsOutput(outDir, 'audio')]);
  }
  return new Promise((resolve, reject) => {
    const stop = () => command.kill('SIGKILL');
    signal.addEventListener('abort', stop, { once: true });
    command
      .on('progress', (progress: { timemark?: string }) => {
        const [h, m, s] = (progress.timemark ?? '0:0:0').split(':').map(Number);
        onSeconds((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0));
      })
      .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
        signal.removeEventListener('abort', stop);
        reject(new Error(`ffmpeg failed: ${error.message}\n${String(stderr).split('\n').slice(-8).join('\n')}`));
      })
      .on('end', () => {
        signal.removeEventListener('abort', stop);
        resolve();
      })
      .run();
  });
}

function makePoster(binaries: Binaries, input: string, demuxer: string, file: string, at: number): Promise<void> {
  return new Promise((resolve, reject) => {
    ffmpeg()
      .setFfmpegPath(binaries.ffmpeg)
      .input(input)
      .inputOptions([...INPUT_GUARDS, '-f', demuxer, '-ss', at.toFixed(2)])
      .outputOptions(['-map', '0:v:0', '-frames:v', '1', '-vf', "scale='min(1280,iw)':-2", '-q:v', '3'])
      .output(file)
      .on('error', reject)
      .on('end', () => resolve())
      .run();
  });
}

/**
 * Transcodes `input` into `outDir` (renditions in folders, `master.m3u8` written last) and returns
 * the files made, relative to `outDir`. `onProgress` gets 0..1 (the slowest process counts).
 */
export async function transcodeToHls(
  binaries: Binaries,
  input: string,
  probe: Probe,
  outDir: string,
  options: { processes: number; onProgress?: (fraction: number) => void; signal?: AbortSignal },
): Promise<TranscodeResult> {
  const ladder = planLadder(probe);
  const groups = splitIntoProcesses(ladder.video, options.processes);
  if (!groups.length) groups.push([]);
  for (const name of [...ladder.video.map((rung) => rung.name), ...(ladder.audioBitrate ? ['audio'] : [])]) {
    await fs.mkdir(path.join(outDir, name), { recursive: true });
  }
  const { demuxer } = probe;
  const done = groups.map(() => 0);
  const signal = options.signal ?? new AbortController().signal;
  // The audio-only rendition rides with the lightest group (the last one).
  await Promise.all(
    groups.map((group, i) =>
      runGroup(binaries, input, demuxer, outDir, group, ladder.audioBitrate, i === groups.length - 1, (seconds) => {
        done[i] = seconds;
        options.onProgress?.(Math.min(1, Math.min(...done) / probe.durationSeconds));
      }, signal),
    ),
  );
  let poster: string | null = null;
  if (probe.video) {
    poster = 'poster.jpg';
    await makePoster(binaries, input, demuxer, path.join(outDir, poster), Math.min(10, probe.durationSeconds * 0.1));
  }
  await fs.writeFile(path.join(outDir, 'master.m3u8'), masterPlaylist(ladder, (name) => `${name}/index.m3u8`));
  const files = (await fs.readdir(outDir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(outDir, path.join(entry.parentPath, entry.name)));
  return { ladder, files, poster };
}
