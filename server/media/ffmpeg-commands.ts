// The ffmpeg runs of a transcode: one process per group of rungs (decoding the source once), the
// upload repackaged as it is, a poster frame and the thumbnail sheets; each killable, at low priority.
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { INPUT_GUARDS, type Binaries } from './probe.ts';
import { SEGMENT_SECONDS, type VideoRung } from './ladder.ts';
import type { ThumbnailPlan } from './thumbnails.ts';

export const hlsOutput = (dir: string, name: string, type: 'vod' | 'event' = 'vod') => [
  '-f',
  'hls',
  '-hls_time',
  String(SEGMENT_SECONDS),
  '-hls_playlist_type',
  type,
  '-hls_flags',
  'independent_segments',
  '-hls_segment_filename',
  path.join(dir, name, 'seg_%05d.ts'),
];

export const audioOptions = (bitrate: number) => ['-c:a', 'aac', '-b:a', String(bitrate), '-ac', '2', '-ar', '48000'];

function videoOptions(rung: VideoRung): string[] {
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-profile:v',
    'high',
    '-level:v',
    '4.0',
    '-pix_fmt',
    'yuv420p',
    // Capped CRF: a still slide costs almost nothing, motion gets up to the rung's peak.
    '-crf',
    '23',
    '-maxrate',
    String(rung.maxBitrate),
    '-bufsize',
    String(rung.maxBitrate * 2),
    // A keyframe on every segment boundary of every rung, and nowhere that would shift them.
    '-force_key_frames',
    `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
    '-sc_threshold',
    '0',
  ];
}

/**
 * Transcoding is background work: ffmpeg runs at the lowest priority (nice 19), like the upload
 * hasher, so that on a machine that does both (`npm start` runs the worker in the web process), pages
 * and uploads come first. With nothing else wanting the cores, it gets them as before (decision 017).
 */
const BACKGROUND = { niceness: 19 };

export type Run = {
  input: string;
  demuxer: string;
  outDir: string;
  signal: AbortSignal;
  onSeconds: (seconds: number) => void;
  priority?: { niceness: number };
};

/** Runs one prepared ffmpeg command; seconds of the source done go to `onSeconds`, an abort kills it. */
export function execute(command: ffmpeg.FfmpegCommand, run: Pick<Run, 'signal' | 'onSeconds'>): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => command.kill('SIGKILL');
    run.signal.addEventListener('abort', stop, { once: true });
    command
      .on('progress', (progress: { timemark?: string }) => {
        const [h, m, s] = (progress.timemark ?? '0:0:0').split(':').map(Number);
        run.onSeconds((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0));
      })
      .on('error', (error: Error, _stdout: string | null, stderr: string | null) => {
        run.signal.removeEventListener('abort', stop);
        reject(new Error(`ffmpeg failed: ${error.message}\n${String(stderr).split('\n').slice(-8).join('\n')}`));
      })
      .on('end', () => {
        run.signal.removeEventListener('abort', stop);
        resolve();
      })
      .run();
  });
}

export const commandFor = (binaries: Binaries, run: Run) =>
  ffmpeg({ stdoutLines: 0, ...(run.priority ?? BACKGROUND) })
    .setFfmpegPath(binaries.ffmpeg)
    .input(run.input)
    .inputOptions([...INPUT_GUARDS, '-f', run.demuxer]);

/**
 * One ffmpeg process: decode once, deinterlace when flagged, one frame rate, then split and scale
 * into each rung of the group (with the sound muxed in), and the audio-only rendition if asked.
 */
export function runGroup(
  binaries: Binaries,
  run: Run,
  group: VideoRung[],
  audioBitrate: number | null,
  extras: { audioOnly: boolean; growing?: boolean },
): Promise<void> {
  const command = commandFor(binaries, run);
  // A growing first stage: playlists rewritten after every segment, as they grow (decision 033).
  const playlistType = extras.growing ? 'event' : 'vod';
  const { outDir } = run;
  if (group.length) {
    const fps = group[0]?.fps ?? 30;
    // Largest first, each rung scaled from the one above it: the filter graph runs on one thread in
    // ffmpeg 5.1, and scaling 720p→480p costs a fraction of 1080p→480p.
    const rungs = [...group].sort((a, b) => b.width * b.height - a.width * a.height);
    const filters: string[] = [];
    let from = 'src';
    filters.push(`[0:v:0]yadif=deint=interlaced,fps=${fps}[${from}]`);
    rungs.forEach((rung, i) => {
      const more = i < rungs.length - 1;
      filters.push(
        `[${from}]scale=${rung.width}:${rung.height}:flags=bicubic,setsar=1,format=yuv420p${more ? `,split=2[o${i}][c${i}]` : `[o${i}]`}`,
      );
      from = `c${i}`;
    });
    command.complexFilter(filters.join(';'));
    rungs.forEach((rung, i) => {
      command
        .output(path.join(outDir, rung.name, 'index.m3u8'))
        .outputOptions([
          '-map',
          `[o${i}]`,
          ...(audioBitrate ? ['-map', '0:a:0', ...audioOptions(audioBitrate)] : []),
          ...videoOptions(rung),
          ...hlsOutput(outDir, rung.name, playlistType),
        ]);
    });
  }
  if (extras.audioOnly && audioBitrate) {
    command
      .output(path.join(outDir, 'audio', 'index.m3u8'))
      .outputOptions([
        '-map',
        '0:a:0',
        '-vn',
        ...audioOptions(audioBitrate),
        ...hlsOutput(outDir, 'audio', playlistType),
      ]);
  }
  return execute(command, run);
}

/** The upload as it is, cut into HLS segments at its own keyframes (no re-encoding), plus the audio-only rendition. */
export function repackage(binaries: Binaries, run: Run, audioBitrate: number | null): Promise<void> {
  const command = commandFor(binaries, run)
    .output(path.join(run.outDir, 'source', 'index.m3u8'))
    .outputOptions([
      '-map',
      '0:v:0',
      ...(audioBitrate ? ['-map', '0:a:0'] : []),
      '-c',
      'copy',
      ...hlsOutput(run.outDir, 'source'),
    ]);
  if (audioBitrate)
    command
      .output(path.join(run.outDir, 'audio', 'index.m3u8'))
      .outputOptions(['-map', '0:a:0', '-vn', ...audioOptions(audioBitrate), ...hlsOutput(run.outDir, 'audio')]);
  return execute(command, run);
}

export function makePoster(
  binaries: Binaries,
  input: string,
  demuxer: string,
  file: string,
  at: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    ffmpeg(BACKGROUND)
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
 * The thumbnail sheets, from the lowest rung just made (cheap to decode). A separate run: in the
 * ladder's process the tile filter, which emits one frame per 100 thumbnails, starves ffmpeg's
 * progress report until the end.
 */
export function makeThumbnails(
  binaries: Binaries,
  outDir: string,
  rung: string,
  plan: ThumbnailPlan,
  signal: AbortSignal,
): Promise<void> {
  const command = ffmpeg({ stdoutLines: 0, ...BACKGROUND })
    .setFfmpegPath(binaries.ffmpeg)
    .input(path.join(outDir, rung, 'index.m3u8'))
    // Our own playlist of our own segments: the HLS demuxer on local files only.
    .inputOptions(['-protocol_whitelist', 'file', '-f', 'hls'])
    .complexFilter(
      `[0:v:0]fps=1/${plan.interval},scale=${plan.width}:${plan.height},tile=${plan.columns}x${plan.rows}[sheets]`,
    )
    .output(path.join(outDir, 'thumbs', 'sheet_%03d.jpg'))
    .outputOptions(['-map', '[sheets]', '-q:v', '5', '-start_number', '0']);
  return execute(command, { signal, onSeconds: () => undefined });
}
