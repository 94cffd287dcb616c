// With S3 storage, a lecture goes the whole way (upload, worker, /media) and the player's URLs work the same.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loader as watchLoader } from '../../app/routes/watch.$fileId.tsx';
import { processLecture } from '../../tests/helpers/process-lecture.ts';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startS3Server } from '../../tests/helpers/s3-server.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';

let s3: Awaited<ReturnType<typeof startS3Server>>;
let server: TestServer;

beforeAll(async () => {
  s3 = await startS3Server('kabinet-media');
  const { config } = s3;
  server = await startTestServer({
    env: {
      S3_BUCKET: config.bucket,
      S3_ENDPOINT: config.endpoint!,
      S3_REGION: config.region,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
  });
});
afterAll(async () => {
  await server?.close();
  await s3?.stop();
});

describe('/media with S3 storage', () => {
  it('serves the published playlists and segments from the bucket through the same token URLs, with ranges', async () => {
    expect(server.services.storage.kind).toBe('s3');
    const cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-s3-clip-'));
    const clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=426x240:r=25:d=3',
      '-f',
      'lavfi',
      '-i',
      'sine=d=3',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      '-shortest',
      clip,
    ]);
    const slot = cabinet.slots.find((s) => s.kind === 'lecture_video')!;
    const { finish } = await tusUploadWhole(server.url, await fs.readFile(clip), {
      cookie: await server.cookieFor('instructor'),
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'clip.mp4' },
    });
    await fs.rm(dir, { recursive: true, force: true });
    const fileId = finish!.headers.get('kabinet-media-file')!;
    await processLecture(server.services, fileId);
    const row = await server.services.db
      .selectFrom('media_file')
      .selectAll()
      .where('id', '=', fileId)
      .executeTakeFirstOrThrow();
    expect([row.processing_state, row.hls_complete]).toEqual(['ready', true]);
    // Nothing of the output is on local disk: it is all in the bucket.
    expect(await fs.readdir(server.services.config.mediaDir).catch(() => [])).not.toContain('hls');
    expect((await server.services.storage.list(`${row.hls_prefix}/`)).length).toBeGreaterThan(3);

    const page = (await watchLoader({
      request: new Request(`http://kabinet.test/watch/${fileId}`, {
        headers: { cookie: await server.cookieFor('instructor') },
      }),
      params: { fileId },
      context: { services: server.services, clientIp: null },
    })) as { media: string };
    const master = await fetch(`${server.url}${page.media}/master.m3u8`);
    expect(master.status).toBe(200);
    expect(master.headers.get('cache-control')).toBe('private, no-cache');
    const variant = (await master.text()).split('\n').find((line) => line.endsWith('.m3u8'))!;
    const playlist = await fetch(`${server.url}${page.media}/${variant}`);
    // A playlist may grow (decision 033): revalidated. Segments never change: cached.
    expect(playlist.headers.get('cache-control')).toBe('private, no-cache');
    const segment = (await playlist.text()).split('\n').find((line) => line.endsWith('.ts'))!;
    const url = `${server.url}${page.media}/${path.posix.join(path.posix.dirname(variant), segment)}`;
    const first = await fetch(url);
    expect(first.headers.get('cache-control')).toMatch(/immutable/);
    const whole = Buffer.from(await first.arrayBuffer());
    expect(whole[0]).toBe(0x47); // an MPEG-TS sync byte
    const part = await fetch(url, { headers: { Range: 'bytes=188-375' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(188, 376));
    const token = page.media.split('/')[2]!;
    const forged = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await fetch(url.replace(token, forged))).status).toBe(403);
  });
});
