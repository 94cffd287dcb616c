// A first rendition published while ffmpeg is still encoding it (decision 033): its segments are
// stored as they are finished, with a playlist of our own that grows (EVENT, played from its
// beginning) and turns VOD when the encoder is done. A 45-minute phone recording that must be
// re-encoded plays after its first segments, not after half an hour.
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SEGMENT_SECONDS } from './ladder.ts';

export type Segment = { name: string; seconds: number };

/** How often what ffmpeg finished is published. */
const GROW_EVERY_MS = 1000;

/** The segments an ffmpeg media playlist lists, in order, with their lengths. */
export function segmentsOf(playlist: string): Segment[] {
  const lines = playlist.split('\n').map((line) => line.trim());
  const segments: Segment[] = [];
  for (let i = 0; i < lines.length - 1; i++) {
    const length = /^#EXTINF:([\d.]+)/.exec(lines[i]!);
    const name = lines[i + 1]!;
    if (length && name && !name.startsWith('#')) segments.push({ name, seconds: Number(length[1]) });
  }
  return segments;
}

/** Our media playlist of these segments: growing (EVENT, to be played from its beginning) or final (VOD). */
export function mediaPlaylist(segments: Segment[], final: boolean): string {
  // The same target from the first version to the last (a player may not see it change): one
  // second over the segment length leaves room for a segment ending just past its keyframe.
  const target = Math.max(SEGMENT_SECONDS + 1, ...segments.map((segment) => Math.round(segment.seconds)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${target}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    `#EXT-X-PLAYLIST-TYPE:${final ? 'VOD' : 'EVENT'}`,
    // Players join a growing playlist at its newest segment unless told: a lecture starts at its beginning.
    ...(final ? [] : ['#EXT-X-START:TIME-OFFSET=0,PRECISE=YES']),
    '#EXT-X-INDEPENDENT-SEGMENTS',
    ...segments.flatMap((segment) => [`#EXTINF:${segment.seconds.toFixed(6)},`, segment.name]),
    ...(final ? ['#EXT-X-ENDLIST'] : []),
  ];
  return `${lines.join('\n')}\n`;
}

export type GrowingOptions = {
  /** Stores one file (`name` relative to the video's prefix) from `localPath`. */
  store(name: string, localPath: string): Promise<void>;
  /** Once every rendition has a segment stored and a playlist naming it: store the master and make the video playable. */
  announce(): Promise<void>;
  /**
   * Segments of each folder an earlier attempt published: this attempt's playlists are not stored
   * until each has as many, so that no published playlist ever shrinks.
   */
  publishedSegments: number[];
};

/**
 * Publishes `folders` (renditions in `outDir`) as ffmpeg writes them,
 * every second until `encoded` settles, then their final playlists. Segments go before the
 * playlists that name them, so no stored playlist names a missing segment. `playlistsDir` is where
 * our playlists are written before they are stored.
 */
export async function publishWhileGrowing(
  outDir: string,
  playlistsDir: string,
  folders: string[],
  encoded: Promise<void>,
  options: GrowingOptions,
): Promise<void> {
  const sent = new Set<string>();
  let announced = false;
  let done = false;
  const settled = encoded.then(
    () => void (done = true),
    () => void (done = true),
  );
  const step = async (final: boolean) => {
    const lists = await Promise.all(
      folders.map((folder) =>
        fs.readFile(path.join(outDir, folder, 'index.m3u8'), 'utf8').then(segmentsOf, () => [] as Segment[]),
      ),
    );
    if (!final && lists.some((list) => list.length === 0)) return;
    for (const [i, folder] of folders.entries()) {
      for (const segment of lists[i]!) {
        const name = `${folder}/${segment.name}`;
        if (sent.has(name)) continue;
        await options.store(name, path.join(outDir, folder, segment.name));
        sent.add(name);
      }
    }
    if (!final && lists.some((list, i) => list.length < (options.publishedSegments[i] ?? 0))) return;
    for (const [i, folder] of folders.entries()) {
      // A new file each time, renamed into place: local storage hard-links what it stores, and
      // rewriting that file would change the published playlist under a reader.
      const file = path.join(playlistsDir, folder, 'index.m3u8');
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(`${file}.next`, mediaPlaylist(lists[i]!, final));
      await fs.rename(`${file}.next`, file);
      await options.store(`${folder}/index.m3u8`, file);
    }
    if (!announced) {
      announced = true;
      await options.announce();
    }
  };
  while (!done) {
    await step(false);
    await Promise.race([settled, sleep(GROW_EVERY_MS)]);
  }
  await encoded; // an encoder that failed publishes nothing more
  await step(true);
}
