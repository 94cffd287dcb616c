// The HLS ladder for one source: which renditions, their sizes, rates and bitrates. Pure functions.

/** What the probe found that the ladder depends on. Width and height are as displayed (rotation applied). */
export type SourceVideo = { width: number; height: number; fps: number } | null;
export type Source = { video: SourceVideo; hasAudio: boolean };

export type VideoRung = {
  name: string;
  width: number;
  height: number;
  fps: number;
  /** Peak video bitrate (capped CRF), bits per second. */
  maxBitrate: number;
};
export type Ladder = { video: VideoRung[]; audioBitrate: number | null };

/** Segment length; every rung gets a keyframe exactly on each boundary so players switch cleanly. */
export const SEGMENT_SECONDS = 6;
export const AUDIO_BITRATE = 96_000;

/**
 * Rungs by the short side of the picture (a portrait phone video's "720p" is 720 wide). Bitrates
 * suit lectures: slides and a talking head need far less than film at the same size.
 */
const rungs = [
  { short: 1080, maxBitrate: 3_000_000 },
  { short: 720, maxBitrate: 1_600_000 },
  { short: 480, maxBitrate: 800_000 },
  { short: 360, maxBitrate: 500_000 },
  { short: 240, maxBitrate: 280_000 },
] as const;

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/**
 * Never upscales: every rung at or below the source's short side, and at least one (the source's
 * own size when it is smaller than the lowest rung). Frame rate at most 30 unless `keepHighFrameRate`.
 */
export function planLadder(source: Source, options: { keepHighFrameRate?: boolean } = {}): Ladder {
  const audioBitrate = source.hasAudio ? AUDIO_BITRATE : null;
  if (!source.video) return { video: [], audioBitrate };
  const { width, height } = source.video;
  const portrait = height > width;
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const fpsCap = options.keepHighFrameRate ? 60 : 30;
  const fps = Math.min(fpsCap, source.video.fps > 0 ? source.video.fps : 30);
  const fitting = rungs.filter((rung) => rung.short <= short);
  const chosen = fitting.length ? fitting : [{ short: even(short), maxBitrate: rungs.at(-1)!.maxBitrate }];
  const video = chosen.map((rung) => {
    const scaledLong = even((long * rung.short) / short);
    const [w, h] = portrait ? [rung.short, scaledLong] : [scaledLong, rung.short];
    return {
      name: `${rung.short}p`,
      width: even(w),
      height: even(h),
      fps: Number(fps.toFixed(3)),
      maxBitrate: rung.maxBitrate,
    };
  });
  return { video, audioBitrate };
}

/**
 * Splits the rungs into `processes` groups of about equal encoding work (pixels per second), so
 * that each ffmpeg process decodes the source once and the machine's cores share the ladder.
 */
export function splitIntoProcesses(ladder: VideoRung[], processes: number): VideoRung[][] {
  const groups = Array.from({ length: Math.max(1, Math.min(processes, ladder.length)) }, () => ({
    work: 0,
    rungs: [] as VideoRung[],
  }));
  const byWork = [...ladder].sort((a, b) => b.width * b.height * b.fps - a.width * a.height * a.fps);
  for (const rung of byWork) {
    const lightest = groups.reduce((min, group) => (group.work < min.work ? group : min));
    lightest.rungs.push(rung);
    lightest.work += rung.width * rung.height * rung.fps;
  }
  return groups.filter((group) => group.rungs.length).map((group) => group.rungs);
}

const AAC_CODEC = 'mp4a.40.2';
/** H.264 High profile, level 4.0 (fits 1080p30); what the encoder is told to produce. */
const H264_CODEC = 'avc1.640028';

/** One line of the master playlist. Bitrates in bits per second. */
export type Variant = {
  name: string;
  bandwidth: number;
  averageBandwidth?: number;
  resolution?: { width: number; height: number };
  fps?: number;
  codecs: string;
};

/** The encoded ladder as variants: one per video rung (largest first), then audio only. */
export function ladderVariants(ladder: Ladder): Variant[] {
  const audio = ladder.audioBitrate ?? 0;
  const variants: Variant[] = ladder.video.map((rung) => ({
    name: rung.name,
    bandwidth: Math.round((rung.maxBitrate + audio) * 1.1),
    averageBandwidth: Math.round((rung.maxBitrate * 0.6 + audio) * 1.1),
    resolution: { width: rung.width, height: rung.height },
    fps: rung.fps,
    codecs: ladder.audioBitrate ? `${H264_CODEC},${AAC_CODEC}` : H264_CODEC,
  }));
  if (ladder.audioBitrate) variants.push(audioVariant(ladder.audioBitrate));
  return variants;
}

export const audioVariant = (bitrate: number): Variant => ({
  name: 'audio',
  bandwidth: Math.round(bitrate * 1.1),
  codecs: AAC_CODEC,
});

/** The master playlist, variants in the order given. */
export function masterPlaylist(variants: Variant[], playlistOf: (name: string) => string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    const attributes = [`BANDWIDTH=${v.bandwidth}`];
    if (v.averageBandwidth) attributes.push(`AVERAGE-BANDWIDTH=${v.averageBandwidth}`);
    if (v.resolution) attributes.push(`RESOLUTION=${v.resolution.width}x${v.resolution.height}`);
    if (v.fps) attributes.push(`FRAME-RATE=${v.fps.toFixed(3)}`);
    attributes.push(`CODECS="${v.codecs}"`);
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, playlistOf(v.name));
  }
  return `${lines.join('\n')}\n`;
}

/** What decides whether an upload can be published as it is, repackaged into HLS segments without re-encoding. */
export type CopySource = Source & {
  durationSeconds: number;
  videoCodec: string | null;
  audioCodec: string | null;
  bitRate: number | null;
  videoDetails: {
    profile: string | null;
    level: number | null;
    pixelFormat: string | null;
    rotated: boolean;
    interlaced: boolean;
  } | null;
};

const h264Profiles: Record<string, string> = {
  'Constrained Baseline': '42E0',
  Baseline: '4200',
  Main: '4D40',
  High: '6400',
};

/**
 * The variant of the upload itself when it can be repackaged (the usual phone or OBS recording:
 * 8-bit 4:2:0 H.264 of a profile every player decodes, AAC or no sound, upright, progressive, at
 * most 1080p60), else null. MPEG-TS has no rotation flag, so a turned phone video is re-encoded.
 */
export function copyVariant(source: CopySource): Variant | null {
  const details = source.videoDetails;
  if (!source.video || !details || source.videoCodec !== 'h264') return null;
  if (source.hasAudio && source.audioCodec !== 'aac') return null;
  const profile = h264Profiles[details.profile ?? ''];
  if (!profile || details.pixelFormat !== 'yuv420p' || details.rotated || details.interlaced) return null;
  if (Math.min(source.video.width, source.video.height) > 1080 || source.video.fps > 61) return null;
  const level = (details.level ?? 40).toString(16).padStart(2, '0').toUpperCase();
  const codecs = `avc1.${profile}${level}`;
  const bitRate = source.bitRate ?? 4_000_000;
  return {
    name: 'source',
    bandwidth: Math.round(bitRate * 1.5),
    averageBandwidth: Math.round(bitRate * 1.05),
    resolution: { width: source.video.width, height: source.video.height },
    fps: source.video.fps,
    codecs: source.hasAudio ? `${codecs},${AAC_CODEC}` : codecs,
  };
}
