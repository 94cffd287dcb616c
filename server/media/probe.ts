// ffmpeg and ffprobe: which binaries, and the first look at an uploaded lecture, restricted to one local file.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import ffmpeg from 'fluent-ffmpeg';
import type { MediaConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import type { Source } from './ladder.ts';

export type Binaries = { ffmpeg: string; ffprobe: string };

/** `FFMPEG_PATH`/`FFPROBE_PATH`, else ffmpeg-static when its binary was downloaded, else the system's. */
export function findBinaries(config: Pick<MediaConfig, 'ffmpegPath' | 'ffprobePath'>): Binaries {
  let bundled: string | null = null;
  try {
    bundled = createRequire(import.meta.url)('ffmpeg-static') as string | null;
  } catch {
    bundled = null; // an optional dependency: absent or without its binary
  }
  return {
    ffmpeg: config.ffmpegPath ?? (bundled && existsSync(bundled) ? bundled : 'ffmpeg'),
    ffprobe: config.ffprobePath ?? 'ffprobe',
  };
}

/** Where `setpriv` (util-linux) is, if this machine has it. */
function findSetpriv(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (existsSync(path.join(dir, 'setpriv'))) return path.join(dir, 'setpriv');
  }
  return null;
}

const bound = new Map<string, Promise<Binaries>>();

/**
 * The same binaries, with ffmpeg started so that it dies with this process, however this process
 * ends (SIGKILL and out-of-memory kills included): a small script in `dir` runs it through
 * `setpriv --pdeathsig KILL`, which asks Linux to kill it when its parent goes. Without `setpriv`
 * (not Linux), or where the script cannot run (a folder mounted noexec), ffmpeg runs as it is,
 * stopped only by our own abort.
 */
export function boundToThisProcess(binaries: Binaries, dir: string): Promise<Binaries> {
  const key = `${binaries.ffmpeg}\0${dir}`;
  let made = bound.get(key);
  if (!made) {
    made = bindFfmpeg(binaries, dir);
    bound.set(key, made);
  }
  return made;
}

async function bindFfmpeg(binaries: Binaries, dir: string): Promise<Binaries> {
  const setpriv = findSetpriv();
  if (!setpriv) return binaries;
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const text = `#!/bin/sh\nexec ${quote(setpriv)} --pdeathsig KILL -- ${quote(binaries.ffmpeg)} "$@"\n`;
  // Named by its content: every process with the same binaries shares one file, written whole.
  const script = path.join(dir, `ffmpeg-bound-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`);
  try {
    await fs.mkdir(dir, { recursive: true });
    const partial = `${script}.${process.pid}.partial`;
    await fs.writeFile(partial, text, { mode: 0o700 });
    await fs.rename(partial, script);
    await promisify(execFile)(script, ['-hide_banner', '-version'], { timeout: 10_000 });
    return { ...binaries, ffmpeg: script };
  } catch {
    return binaries;
  }
}

/**
 * Demuxers ffmpeg may use on an upload: MP4/MOV/3GP, Matroska/WebM, AVI, MPEG-TS, FLV and the
 * audio formats. Playlists (hls), concat lists, images and everything else are refused before a
 * byte is decoded, so no input can make ffmpeg open another file. With `-protocol_whitelist file`
 * it cannot open a network connection either.
 */
export const ALLOWED_DEMUXERS = ['mov', 'matroska', 'avi', 'mpegts', 'flv', 'mp3', 'aac', 'wav', 'ogg', 'flac'];
export const INPUT_GUARDS = ['-protocol_whitelist', 'file', '-format_whitelist', ALLOWED_DEMUXERS.join(',')];

export const LIMITS = { maxSeconds: 6 * 3600, maxSide: 4096, maxPixels: 4096 * 2304 };

export type Probe = Source & {
  durationSeconds: number;
  videoCodec: string | null;
  audioCodec: string | null;
  /** The allowed demuxer that read the file; the real run is forced to it. */
  demuxer: string;
  /** What decides whether the upload can be repackaged into HLS as it is (no re-encoding). */
  videoDetails: {
    profile: string | null;
    level: number | null;
    pixelFormat: string | null;
    rotated: boolean;
    interlaced: boolean;
  } | null;
  /** Bits per second of the whole file, when the container says. */
  bitRate: number | null;
};

type RawStream = {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  // ffprobe writes a profile's name and a level's number (fluent-ffmpeg's types say the opposite).
  profile?: string | number;
  level?: number | string;
  sample_aspect_ratio?: string;
  pix_fmt?: string;
  field_order?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string | number>;
  side_data_list?: { rotation?: number }[];
  /** fluent-ffmpeg flattens the display matrix's side data onto the stream. */
  rotation?: number | string;
};

const rate = (text: string | undefined) => {
  const [n, d] = (text ?? '0/1').split('/').map(Number);
  return d ? n! / d : 0;
};

/** Degrees the picture is turned for display (0, 90, 180 or 270). */
function rotationOf(stream: RawStream): number {
  const fromSideData =
    stream.side_data_list?.find((entry) => typeof entry.rotation === 'number')?.rotation ?? stream.rotation;
  const degrees = Number(fromSideData ?? stream.tags?.rotate ?? 0) || 0;
  return ((Math.round(degrees) % 360) + 360) % 360;
}

/** Refuses with a reason the instructor can read (a dictionary key under `media.refused`). */
const refuse = (reason: string, params: Record<string, string | number> = {}) =>
  new AppError('unsupported_type', `media.refused.${reason}`, params);

export async function probe(binaries: Binaries, file: string): Promise<Probe> {
  const data = await new Promise<ffmpeg.FfprobeData>((resolve, reject) => {
    ffmpeg(file)
      .setFfprobePath(binaries.ffprobe)
      .ffprobe(INPUT_GUARDS, (error: Error | null, result: ffmpeg.FfprobeData) =>
        error ? reject(refuse('not_media')) : resolve(result),
      );
  });
  const streams: RawStream[] = data.streams;
  // format_name lists the demuxer's names ("mov,mp4,m4a,…", "matroska,webm"); the first is its own.
  const demuxer = String(data.format.format_name ?? '').split(',')[0] ?? '';
  if (!ALLOWED_DEMUXERS.includes(demuxer)) throw refuse('not_media');
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video && !audio) throw refuse('no_streams');
  const durationSeconds = Number(data.format.duration);
  if (!Number.isFinite(durationSeconds) || durationSeconds <= 0) throw refuse('not_media');
  if (durationSeconds > LIMITS.maxSeconds) throw refuse('too_long', { count: LIMITS.maxSeconds / 3600 });
  let sourceVideo: Source['video'] = null;
  if (video) {
    const width = video.width ?? 0;
    const height = video.height ?? 0;
    if (!width || !height) throw refuse('not_media');
    if (Math.max(width, height) > LIMITS.maxSide || width * height > LIMITS.maxPixels)
      throw refuse('frame_too_large', { side: LIMITS.maxSide });
    const turned = rotationOf(video) % 180 === 90;
    // Non-square pixels (PAL/NTSC cameras, anamorphic): the ladder is planned on the shape people see.
    const [sarN, sarD] = (video.sample_aspect_ratio ?? '1:1').split(':').map(Number);
    const sar = sarN && sarD && sarN / sarD >= 0.25 && sarN / sarD <= 4 ? sarN / sarD : 1;
    const shownWidth = Math.round((width * sar) / 2) * 2;
    const fps = rate(video.avg_frame_rate) || rate(video.r_frame_rate);
    sourceVideo = {
      width: turned ? height : shownWidth,
      height: turned ? shownWidth : height,
      fps: fps > 0 && fps < 1000 ? fps : 30,
    };
  }
  return {
    video: sourceVideo,
    hasAudio: Boolean(audio),
    durationSeconds,
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    demuxer,
    videoDetails: video
      ? {
          profile: video.profile === undefined ? null : String(video.profile),
          level: typeof video.level === 'number' && video.level > 0 ? video.level : null,
          pixelFormat: video.pix_fmt ?? null,
          rotated: rotationOf(video) !== 0,
          interlaced: Boolean(video.field_order && !['progressive', 'unknown'].includes(video.field_order)),
        }
      : null,
    bitRate: Number(data.format.bit_rate) > 0 ? Number(data.format.bit_rate) : null,
  };
}
