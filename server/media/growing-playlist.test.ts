// A first rendition published while ffmpeg encodes it (decision 033), with real ffmpeg: a rotated
// phone recording plays after its first segments, every stored playlist names only stored
// segments and never shrinks, the final one is VOD; an attempt that dies while it grows is
// followed by one that catches up before it replaces the playlist.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { transcodeVideo } from '../../workers/handlers/transcode-video.ts';
import { mediaPlaylist, segmentsOf } from './growing-playlist.ts';
import { findBinaries, probe } from './probe.ts';
import { transcodeToHls } from './transcode.ts';

let server: TestServer;
let clips: string;
let phone: string;

beforeAll(async () => {
  server = await startTestServer();
  clips = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-growing-'));
  // A portrait phone recording: H.264/AAC stored landscape with a rotation flag (not repackaged).
  // (ffmpeg 5.1 writes the rotation flag only when it copies the stream.)
  const upright = path.join(clips, 'upright.mp4');
  phone = path.join(clips, 'phone.mp4');
  const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=1280x720:r=30:d=60',
    '-f',
    'lavfi',
    '-i',
    'sine=d=60',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:a',
    'aac',
    '-shortest',
    upright,
  );
  ffmpeg('-i', upright, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', phone);
});
afterAll(async () => {
  await server?.close();
  if (clips) await fs.rm(clips, { recursive: true, force: true });
});

describe('our media playlists', () => {
  it('read ffmpeg’s segments and write a growing EVENT playlist played from its start, then a VOD one', () => {
    const segments = segmentsOf(
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6.000000,\nseg_00000.ts\n#EXTINF:4.5,\nseg_00001.ts\n',
    );
    expect(segments).toEqual([
      { name: 'seg_00000.ts', seconds: 6 },
      { name: 'seg_00001.ts', seconds: 4.5 },
    ]);
    const growing = mediaPlaylist(segments, false);
    expect(growing).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(growing).toContain('#EXT-X-START:TIME-OFFSET=0');
    expect(growing).not.toContain('#EXT-X-ENDLIST');
    const final = mediaPlaylist(segments, true);
    expect(final).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(final.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(segmentsOf(final)).toEqual(segments);
  });
});

describe('a rotated phone recording', () => {
  it('is playable after its first segments while its first rendition is still encoded, each playlist naming only what was stored', async () => {
    const binaries = findBinaries(server.services.config.media);
    const found = await probe(binaries, phone);
    const out = path.join(clips, 'out');
    const stored = new Map<string, string>();
    const problems: string[] = [];
    let playableAt = -1;
    let lastCount = 0;
    const stages: Array<{ growing: boolean; complete: boolean; files: string[] }> = [];
    await transcodeToHls(binaries, phone, found, out, {
      processes: 2,
      stages: 'playable',
      growing: {
        async store(name, localPath) {
          const body = await fs.readFile(localPath, 'utf8').catch(() => '');
          if (name.endsWith('.m3u8')) {
            for (const segment of segmentsOf(body))
              if (!stored.has(`${path.posix.dirname(name)}/${segment.name}`))
                problems.push(`${name} names ${segment.name} before it was stored`);
            if (name.startsWith('240p/')) {
              const count = segmentsOf(body).length;
              if (count < lastCount) problems.push(`${name} shrank`);
              lastCount = count;
            }
          }
          stored.set(name, body);
        },
        publishedSegments: async () => 0,
      },
      async publish(stage) {
        stages.push({ growing: stage.growing ?? false, complete: stage.complete, files: stage.files });
        if (stage.growing) playableAt = segmentsOf(stored.get('240p/index.m3u8') ?? '').length;
      },
    });
    expect(problems).toEqual([]);
    // Portrait: the rotation is applied, the first rung is 240 wide.
    expect(found.video).toMatchObject({ width: 720, height: 1280 });
    // Playable with a few of its ten segments out, then whole: VOD, all 60 s, with the audio.
    expect(stages.map((stage) => [stage.growing, stage.complete])).toEqual([
      [true, false],
      [false, false],
    ]);
    expect(playableAt).toBeGreaterThan(0);
    expect(playableAt).toBeLessThan(8);
    const final = stored.get('240p/index.m3u8')!;
    expect(final).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    const seconds = (playlist: string) =>
      Math.round(segmentsOf(playlist).reduce((sum, segment) => sum + segment.seconds, 0));
    expect([seconds(final), seconds(stored.get('audio/index.m3u8')!)]).toEqual([60, 60]);
    expect(stages[0]!.files).toEqual(['poster.jpg', 'master.m3u8']);
  }, 120_000);
});

describe('an attempt that died while its first rendition grew', () => {
  it('is followed by one that replaces the published playlist only once it is as long, then queues the ladder', async () => {
    const cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
    const slot = cabinet.slots.filter((s) => s.kind === 'lecture_video')[0]!;
    const { finish } = await tusUploadWhole(server.url, await fs.readFile(phone), {
      cookie: await server.cookieFor('instructor'),
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'phone.mp4' },
    });
    const id = finish!.headers.get('kabinet-media-file')!;
    const row = () =>
      server.services.db.selectFrom('media_file').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const handler = transcodeVideo(server.services);
    const job = (signal: AbortSignal) => ({ id: 'job', retryCount: 0, retryLimit: 20, signal });

    // The first attempt is stopped once it is playable and has published at least three segments.
    const stop = new AbortController();
    const first = handler({ mediaFileId: id }, job(stop.signal));
    const playlistOf = async (prefix: string) =>
      segmentsOf(
        await fs
          .readFile(path.join(server.services.config.mediaDir, prefix, '240p/index.m3u8'), 'utf8')
          .catch(() => ''),
      );
    let published = 0;
    for (let tries = 0; ; tries++) {
      const current = await row();
      if (current.hls_prefix) published = (await playlistOf(current.hls_prefix)).length;
      if (current.processing_state === 'ready' && current.growing && published >= 3) break;
      expect(tries).toBeLessThan(600);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    stop.abort();
    await expect(first).rejects.toThrow();
    const dead = await row();
    expect([dead.processing_state, dead.growing]).toEqual(['ready', true]);
    const before = (await playlistOf(dead.hls_prefix!)).length;
    expect(before).toBeGreaterThanOrEqual(3);

    // The next attempt: the published playlist never gets shorter, and ends whole.
    let shortest = before;
    const watching = setInterval(
      () => void playlistOf(dead.hls_prefix!).then((list) => (shortest = Math.min(shortest, list.length))),
      20,
    );
    try {
      await handler({ mediaFileId: id }, job(new AbortController().signal));
    } finally {
      clearInterval(watching);
    }
    expect(shortest).toBe(before);
    const done = await row();
    expect([done.processing_state, done.growing, done.hls_prefix, done.hls_complete]).toEqual([
      'ready',
      false,
      dead.hls_prefix,
      false,
    ]);
    const final = await fs.readFile(
      path.join(server.services.config.mediaDir, dead.hls_prefix!, '240p/index.m3u8'),
      'utf8',
    );
    expect(final).toContain('#EXT-X-ENDLIST');
    expect(Math.round(segmentsOf(final).reduce((sum, segment) => sum + segment.seconds, 0))).toBe(60);
    // Each version of a playlist was a file of its own: local storage links what it stores, and a
    // playlist rewritten in place would have changed under a reader (and left `.partial` files).
    const left = await fs.readdir(path.join(server.services.config.mediaDir, dead.hls_prefix!), { recursive: true });
    expect(left.filter((name) => String(name).endsWith('.partial'))).toEqual([]);
    // The rest of the ladder is queued once the first rendition is whole, not before.
    const ladder = await sql<{
      n: string;
    }>`select count(*) as n from pgboss.job where name = 'complete-video-ladder' and data->>'mediaFileId' = ${id}`.execute(
      server.services.db,
    );
    expect(Number(ladder.rows[0]!.n)).toBe(1);
  }, 120_000);
});
