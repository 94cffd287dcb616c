// Runs the ladder in two stages: something playable first (the upload repackaged as it is, or the
// lowest rung plus audio), then the rest of the ladder in balanced processes, each decoding the
// source once; the scrubbing thumbnails come from the lowest rung.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Binaries, Probe } from './probe.ts';
import {
  audioVariant,
  copyVariant,
  ladderVariants,
  masterPlaylist,
  planLadder,
  splitIntoProcesses,
  type Ladder,
  type Variant,
  type VideoRung,
} from './ladder.ts';
import { publishWhileGrowing } from './growing-playlist.ts';
import { thumbnailPlan, thumbnailsVtt, type ThumbnailPlan } from './thumbnails.ts';
import { makePoster, makeThumbnails, repackage, runGroup, type Run } from './ffmpeg-commands.ts';

/**
 * Files made so far, relative to the output folder, `master.m3u8` last. `growing`: the first
 * rendition is still being encoded (published as a growing playlist).
 */
export type Stage = { files: string[]; complete: boolean; variants: Variant[]; growing?: boolean };
export type TranscodeResult = { ladder: Ladder; poster: string | null; thumbnails: string | null };

async function listFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)));
}

export type TranscodeOptions = {
  processes: number;
  /** 0..1 of the stages asked for (the slowest process counts). */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** Stores a stage and makes it visible; throws to stop. `complete` when nothing more will come. */
  publish: (stage: Stage) => Promise<void>;
  /**
   * Which stages to make: the playable one (then `complete` says whether the rest follows), the
   * rest of the ladder (the playable stage was published earlier), or both in a row.
   */
  stages?: 'playable' | 'rest' | 'both';
  /**
   * Brings a rendition folder an earlier attempt published back from media storage into the
   * output folder (the thumbnails are made from the lowest rung, which that attempt encoded).
   */
  restorePublished?: (folder: string) => Promise<void>;
  /**
   * An encoded first stage is published while it grows (decision 033): its segments and playlists
   * stored as they are made, and `publish` called with `growing` once the first are out, then
   * again when it is whole. `publishedSegments`: how many of a folder's segments an earlier
   * attempt published (its playlist is not replaced by a shorter one).
   */
  growing?: {
    store: (name: string, localPath: string) => Promise<void>;
    publishedSegments: (folder: string) => Promise<number>;
  };
};

/** The share of the progress bar the playable stage takes when both stages run in a row. */
const PLAYABLE_SHARE = 0.15;

/**
 * The playable stage runs before every other lecture's ladder (its own queue) and, at a lower
 * niceness than the ladder's encoders, gets the cores first when both run (decision 032).
 */
const FOREGROUND = { niceness: 10 };

/** One transcode's plan and what every stage of it needs. */
type Job = {
  binaries: Binaries;
  probe: Probe;
  outDir: string;
  options: TranscodeOptions;
  ladder: Ladder;
  /** The upload as it is, when it can play as it is. */
  copy: Variant | null;
  /** The rung made in the first stage (none when the upload is repackaged), and the rest. */
  first: VideoRung[];
  rest: VideoRung[];
  thumbnails: ThumbnailPlan | null;
  poster: string | null;
  signal: AbortSignal;
  base: Pick<Run, 'input' | 'demuxer' | 'outDir' | 'signal'>;
  /** Both stages in this run: the first counts for PLAYABLE_SHARE of the progress. */
  both: boolean;
  report: (from: number, share: number) => (seconds: number) => void;
};

/**
 * Transcodes `input` into `outDir` in two published stages (see the file's head). Variant folders
 * never change once published, so a student watching the first stage is not interrupted when the
 * master playlist is replaced by the full ladder's.
 */
export async function transcodeToHls(
  binaries: Binaries,
  input: string,
  probe: Probe,
  outDir: string,
  options: TranscodeOptions,
): Promise<TranscodeResult> {
  const stages = options.stages ?? 'both';
  const ladder = planLadder(probe);
  const copy = copyVariant(probe);
  const rest = copy ? ladder.video : ladder.video.slice(0, -1);
  const signal = options.signal ?? new AbortController().signal;
  const job: Job = {
    binaries,
    probe,
    outDir,
    options,
    ladder,
    copy,
    first: copy ? [] : ladder.video.slice(-1),
    rest,
    thumbnails: probe.video ? thumbnailPlan(probe.durationSeconds, probe.video) : null,
    poster: probe.video ? 'poster.jpg' : null,
    signal,
    base: { input, demuxer: probe.demuxer, outDir, signal },
    both: stages === 'both' && rest.length > 0,
    report: (from, share) => (seconds) =>
      options.onProgress?.(from + share * Math.min(1, seconds / probe.durationSeconds)),
  };
  for (const name of [...ladder.video.map((rung) => rung.name), 'audio', 'source', 'thumbs'])
    await fs.mkdir(path.join(outDir, name), { recursive: true });
  if (stages !== 'rest') await playableStage(job);
  if (rest.length && stages !== 'playable') await restOfLadder(job, stages);
  return { ladder, poster: job.poster, thumbnails: job.thumbnails ? 'thumbs/thumbs.vtt' : null };
}

/** Something playable: the upload repackaged, or the lowest rung and the audio (growing, when asked). */
async function playableStage(job: Job): Promise<void> {
  const { binaries, probe, outDir, options, ladder, copy, first, rest, thumbnails, poster, signal } = job;
  const run = { ...job.base, onSeconds: job.report(0, job.both ? PLAYABLE_SHARE : 1), priority: FOREGROUND };
  const audio = ladder.audioBitrate ? [audioVariant(ladder.audioBitrate)] : [];
  const variants = copy ? [copy, ...audio] : ladderVariants({ video: first, audioBitrate: ladder.audioBitrate });
  if (poster)
    await makePoster(
      binaries,
      job.base.input,
      probe.demuxer,
      path.join(outDir, poster),
      Math.min(10, probe.durationSeconds * 0.1),
    );
  await writeMaster(outDir, variants);
  if (copy || !options.growing) {
    if (copy) await repackage(binaries, run, ladder.audioBitrate);
    else await runGroup(binaries, run, first, ladder.audioBitrate, { audioOnly: true });
    if (!rest.length && thumbnails) await writeThumbnails(binaries, outDir, ladder, thumbnails, signal);
    await options.publish({ files: masterLast(await listFiles(outDir)), complete: !rest.length, variants });
    return;
  }
  const folders = [...first.map((rung) => rung.name), ...(ladder.audioBitrate ? ['audio'] : [])];
  await encodeGrowing(binaries, { ...run, outDir }, first, ladder.audioBitrate, folders, options.growing, async () => {
    await options.publish({
      files: [...(poster ? [poster] : []), 'master.m3u8'],
      complete: false,
      variants,
      growing: true,
    });
  });
  if (!rest.length && thumbnails) await writeThumbnails(binaries, outDir, ladder, thumbnails, signal);
  const sheets =
    !rest.length && thumbnails ? (await listFiles(path.join(outDir, 'thumbs'))).map((name) => `thumbs/${name}`) : [];
  await options.publish({ files: masterLast([...sheets, 'master.m3u8']), complete: !rest.length, variants });
}

/** The rest of the ladder in balanced processes, then the thumbnails and the full master playlist. */
async function restOfLadder(job: Job, stages: NonNullable<TranscodeOptions['stages']>): Promise<void> {
  const { binaries, outDir, options, ladder, first, rest, thumbnails, signal } = job;
  // The thumbnails come from the lowest rung: when an earlier attempt made it (the playable
  // stage), it comes back from media storage, not from that attempt's folder (gone with it).
  if (stages === 'rest' && first.length && thumbnails) {
    if (!options.restorePublished)
      throw new Error('the playable stage was published earlier: its lowest rung must be restored for the thumbnails');
    await options.restorePublished(first[0]!.name);
  }
  // What is in the folder now is published already; only what the rest adds is stored.
  const before = new Set(await listFiles(outDir));
  const groups = splitIntoProcesses(rest, options.processes);
  const done = groups.map(() => 0);
  const from = job.both ? PLAYABLE_SHARE : 0;
  const onSeconds = (i: number) => (seconds: number) => {
    done[i] = seconds;
    job.report(from, 1 - from)(Math.min(...done));
  };
  await Promise.all(
    groups.map((group, i) =>
      runGroup(binaries, { ...job.base, onSeconds: onSeconds(i) }, group, ladder.audioBitrate, { audioOnly: false }),
    ),
  );
  if (thumbnails) await writeThumbnails(binaries, outDir, ladder, thumbnails, signal);
  const variants = ladderVariants(ladder);
  await writeMaster(outDir, variants);
  const added = (await listFiles(outDir)).filter((name) => !before.has(name));
  await options.publish({ files: masterLast([...added, 'master.m3u8']), complete: true, variants });
}

/**
 * The first rung and the audio encoded with their segments published as ffmpeg finishes them
 * (growing-playlist.ts); `announce` makes the video playable once the first are stored. A failure
 * to publish stops the encoder.
 */
async function encodeGrowing(
  binaries: Binaries,
  run: Run,
  first: VideoRung[],
  audioBitrate: number | null,
  folders: string[],
  growing: NonNullable<TranscodeOptions['growing']>,
  announce: () => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const signal = AbortSignal.any([run.signal, stop.signal]);
  const encoded = runGroup(binaries, { ...run, signal }, first, audioBitrate, { audioOnly: true, growing: true });
  encoded.catch(() => undefined); // awaited below; not unhandled while storage is asked first
  try {
    const publishedSegments = await Promise.all(folders.map((folder) => growing.publishedSegments(folder)));
    await publishWhileGrowing(run.outDir, path.join(run.outDir, '.playlists'), folders, encoded, {
      store: growing.store,
      announce,
      publishedSegments,
    });
  } catch (error) {
    stop.abort();
    await encoded.catch(() => undefined);
    throw error;
  }
}

/**
 * A new file each time (written beside, then renamed): local storage may hard-link the published
 * master, and rewriting that file in place would publish the full ladder before its renditions.
 */
async function writeMaster(outDir: string, variants: Variant[]): Promise<void> {
  const next = path.join(outDir, 'master.m3u8.next');
  await fs.writeFile(
    next,
    masterPlaylist(variants, (name) => `${name}/index.m3u8`),
  );
  await fs.rename(next, path.join(outDir, 'master.m3u8'));
}

const masterLast = (files: string[]) => [...new Set(files.filter((name) => name !== 'master.m3u8')), 'master.m3u8'];

async function writeThumbnails(
  binaries: Binaries,
  outDir: string,
  ladder: Ladder,
  plan: ThumbnailPlan,
  signal: AbortSignal,
): Promise<void> {
  await makeThumbnails(binaries, outDir, ladder.video.at(-1)!.name, plan, signal);
  await fs.writeFile(
    path.join(outDir, 'thumbs', 'thumbs.vtt'),
    thumbnailsVtt(plan, (sheet) => `sheet_${String(sheet).padStart(3, '0')}.jpg`),
  );
}
