// Real ffmpeg on short generated clips, real tus upload, real storage, the worker's handler, the player's URLs.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loader as cabinetLoader } from '../../app/routes/cabinets.$cabinetId.tsx';
import { loader as watchLoader } from '../../app/routes/watch.$fileId.tsx';
import { processLecture } from '../../tests/helpers/process-lecture.ts';
import { findBinaries, probe } from './probe.ts';
import { transcodeToHls } from './transcode.ts';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { procStat } from '../../tests/helpers/proc-stat.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
let owner: string;
let clips: string;

const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

async function uploadAndProcess(file: string, slotIndex: number): Promise<string> {
  const slot = cabinet.slots.filter((s) => s.kind === 'lecture_video')[slotIndex]!;
  const { finish } = await tusUploadWhole(server.url, await fs.readFile(file), {
    cookie: owner,
    metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: path.basename(file) },
  });
  expect(finish?.status).toBe(204);
  const mediaFileId = finish!.headers.get('kabinet-media-file')!;
  await processLecture(server.services, mediaFileId);
  return mediaFileId;
}

const context = () => ({ services: server.services, clientIp: '10.0.0.1' });
const fileRow = (id: string) =>
  server.services.db.selectFrom('media_file').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
  owner = await server.cookieFor('instructor');
  clips = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-clips-'));
  // A 1280x720 lecture-like clip (H.264/AAC), a portrait phone clip without sound, an audio lecture.
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=1280x720:r=30:d=4',
    '-f',
    'lavfi',
    '-i',
    'sine=d=4',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:a',
    'aac',
    '-shortest',
    path.join(clips, 'lecture.mp4'),
  );
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=360x640:r=60:d=3',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    path.join(clips, 'portrait.mov'),
  );
  ffmpeg('-f', 'lavfi', '-i', 'sine=d=3', '-c:a', 'libmp3lame', path.join(clips, 'talk.mp3'));
});
afterAll(async () => {
  await server?.close();
  if (clips) await fs.rm(clips, { recursive: true, force: true });
});

describe('transcoding a lecture into HLS', () => {
  it('publishes a ladder that never upscales, with a master playlist every variant of which decodes, and a poster', async () => {
    const id = await uploadAndProcess(path.join(clips, 'lecture.mp4'), 0);
    const row = await fileRow(id);
    expect(row.processing_state).toBe('ready');
    expect(row.duration_seconds).toBeCloseTo(4, 0);
    expect([row.width, row.height]).toEqual([1280, 720]);
    const master = path.join(server.services.config.mediaDir, row.hls_prefix!, 'master.m3u8');
    const text = await fs.readFile(master, 'utf8');
    expect(text.match(/RESOLUTION=\d+x\d+/g)).toEqual([
      'RESOLUTION=1280x720',
      'RESOLUTION=854x480',
      'RESOLUTION=640x360',
      'RESOLUTION=426x240',
    ]);
    const probe = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-print_format',
        'json',
        '-show_programs',
        '-show_format',
        master,
      ]).toString(),
    );
    expect(probe.programs).toHaveLength(5); // four video variants and audio only
    expect(Number(probe.format.duration)).toBeCloseTo(4, 0);
    await expect(fs.stat(path.join(server.services.config.mediaDir, row.poster_key!))).resolves.toBeTruthy();
    expect(row.hls_complete).toBe(true);
    // H.264/AAC: the upload itself was published first, repackaged; it stays for whoever is watching it.
    const copied = await fs.readFile(
      path.join(server.services.config.mediaDir, row.hls_prefix!, 'source', 'index.m3u8'),
      'utf8',
    );
    expect(copied).toContain('#EXT-X-ENDLIST');
    // Scrubbing thumbnails: a cue every 2 s, each pointing into a sheet that exists.
    const vtt = await fs.readFile(path.join(server.services.config.mediaDir, row.thumbnails_key!), 'utf8');
    const tiles = vtt.split('\n').filter((line) => line.includes('#xywh='));
    expect(tiles).toHaveLength(2);
    for (const sheet of new Set(tiles.map((line) => line.split('#')[0]!))) {
      await expect(
        fs.stat(path.join(server.services.config.mediaDir, row.hls_prefix!, 'thumbs', sheet)),
      ).resolves.toBeTruthy();
    }
    // Idempotent: a second run for a ready video changes nothing.
    await processLecture(server.services, id);
    expect((await fileRow(id)).hls_prefix).toBe(row.hls_prefix);
    // No attempt's folder is left (the work folder keeps only the script that binds ffmpeg to its process).
    const workLeft = await fs.readdir(server.services.config.media.workDir).catch(() => []);
    expect(workLeft.filter((name) => !name.startsWith('ffmpeg-bound-'))).toEqual([]);
  });

  it('keeps a portrait phone video portrait at 30 fps and makes audio lectures audio only', async () => {
    const portrait = await fileRow(await uploadAndProcess(path.join(clips, 'portrait.mov'), 1));
    expect(portrait.processing_state).toBe('ready');
    const text = await fs.readFile(
      path.join(server.services.config.mediaDir, portrait.hls_prefix!, 'master.m3u8'),
      'utf8',
    );
    expect(text).toContain('RESOLUTION=360x640,FRAME-RATE=30.000,CODECS="avc1.640028"');
    expect(text).not.toContain('mp4a');
    const audio = await fileRow(await uploadAndProcess(path.join(clips, 'talk.mp3'), 2));
    expect(audio.processing_state).toBe('ready');
    const audioText = await fs.readFile(
      path.join(server.services.config.mediaDir, audio.hls_prefix!, 'master.m3u8'),
      'utf8',
    );
    expect(audioText).not.toContain('RESOLUTION');
    expect(audioText).toContain('audio/index.m3u8');
  });

  it("refuses a truncated recording with a reason in the instructor's language, and publishes nothing", async () => {
    const whole = await fs.readFile(path.join(clips, 'lecture.mp4'));
    const cut = path.join(clips, 'cut.mp4');
    await fs.writeFile(cut, whole.subarray(0, 4000));
    const row = await fileRow(await uploadAndProcess(cut, 3));
    expect(row.processing_state).toBe('failed');
    expect(row.failure_key).toBe('media.refused.not_media');
    expect(row.hls_prefix).toBeNull();
    const page = await cabinetLoader({
      request: new Request(`http://kabinet.test/cabinets/${cabinet.cabinetId}`, { headers: { cookie: owner } }),
      params: { cabinetId: cabinet.cabinetId },
      context: context(),
    });
    const shown = JSON.stringify(page).includes('media.refused.not_media');
    expect(shown).toBe(true);
  });
});

describe('progress while transcoding', () => {
  it('reports progress through the playable stage and the ladder, not only at the end', async () => {
    const clip = path.join(clips, 'progress.mp4');
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=1280x720:r=30:d=20', '-c:v', 'libx264', '-preset', 'ultrafast', clip);
    const binaries = findBinaries(server.services.config.media);
    const found = await probe(binaries, clip);
    const seen: { fraction: number; published: number }[] = [];
    const nices = [new Set<number>(), new Set<number>()];
    let published = 0;
    await transcodeToHls(binaries, clip, found, path.join(clips, 'progress-out'), {
      processes: 2,
      onProgress: (fraction) => {
        seen.push({ fraction, published });
        for (const nice of niceOfChildren()) nices[published]?.add(nice);
      },
      publish: async () => void published++,
    });
    expect(published).toBe(2);
    // Background work: ffmpeg yields the cores to pages and uploads; the ladder yields them to
    // another lecture's playable stage as well.
    expect([...nices[0]!].filter((nice) => nice !== 10)).toEqual([]);
    expect([...nices[1]!]).toEqual([19]);
    // During the ladder (after the playable stage, before the full ladder is published) the bar moves.
    const duringLadder = seen.filter(
      (entry) => entry.published === 1 && entry.fraction > 0.15 && entry.fraction < 0.95,
    );
    expect(duringLadder.length).toBeGreaterThan(1);
    expect(seen.map((entry) => entry.fraction)).toEqual([...seen.map((entry) => entry.fraction)].sort((a, b) => a - b));
  });
});

describe('who may watch, and the media tokens', () => {
  it('gives the students of the groups a token that opens this video only; others get 404 and forged tokens 403', async () => {
    const row = await server.services.db
      .selectFrom('media_file')
      .selectAll()
      .where('processing_state', '=', 'ready')
      .where('original_name', '=', 'lecture.mp4')
      .executeTakeFirstOrThrow();
    await server.services.db
      .updateTable('item')
      .set({ status: 'published', published_at: new Date() })
      .where('id', '=', row.item_id)
      .execute();
    const watch = async (account: string | null) => {
      const headers: Record<string, string> = account ? { cookie: await server.cookieFor(account) } : {};
      try {
        return await watchLoader({
          request: new Request(`http://kabinet.test/watch/${row.id}`, { headers }),
          params: { fileId: row.id },
          context: context(),
        });
      } catch (thrown) {
        return thrown as Response;
      }
    };
    const page = await watch('student');
    const master = `${(page as { media: string }).media}/master.m3u8`;
    expect(master).toMatch(/^\/media\/[^/]+\/master\.m3u8$/);
    const playlist = await fetch(`${server.url}${master}`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const variant = (await playlist.text()).split('\n').find((line) => line.endsWith('.m3u8'))!;
    const base = master.replace('master.m3u8', '');
    const segment = (await (await fetch(`${server.url}${base}${variant}`)).text())
      .split('\n')
      .find((line) => line.endsWith('.ts'))!;
    const part = await fetch(`${server.url}${base}${variant.replace('index.m3u8', segment)}`, {
      headers: { Range: 'bytes=0-187' },
    });
    expect(part.status).toBe(206);
    expect((await part.arrayBuffer()).byteLength).toBe(188);

    expect(((await watch('student46')) as Response).status).toBe(404); // another group
    expect(((await watch(null)) as Response).status).toBe(302); // no session: to the login
    const token = master.split('/')[2]!;
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await fetch(`${server.url}/media/${forged}/master.m3u8`)).status).toBe(403);
    const other = await server.services.db
      .selectFrom('media_file')
      .select('id')
      .where('processing_state', '=', 'ready')
      .where('id', '!=', row.id)
      .executeTakeFirstOrThrow();
    expect((await fetch(`${server.url}/media/${token.replace(row.id, other.id)}/master.m3u8`)).status).toBe(403);
    expect((await fetch(`${server.url}${base}..%2F..%2Foriginals/x.ts`)).status).toBe(404);
  });
});

/** The nice values of the ffmpeg processes this process runs. */
function niceOfChildren(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = procStat(pid);
        return stat.name === 'ffmpeg' && stat.ppid === process.pid ? [stat.nice] : [];
      } catch {
        return []; // ended meanwhile
      }
    });
}
