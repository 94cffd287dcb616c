// A web process that cannot be knocked over (issue 16), over real HTTP to the built app: a malformed
// address or a file name that cannot exist is answered, not thrown; while the database refuses
// connections every kind of request says 503 with a time to try again, in the asker's language, and
// the same requests work again once it is back; a 404 is an answer, not a failure in the log.
import { createHash, randomBytes } from 'node:crypto';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signMediaToken } from '../../server/media/media-token.ts';
import { ky } from '../../server/common/dictionaries/ky.ts';
import { ru } from '../../server/common/dictionaries/ru.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { databaseOutage } from '../helpers/database-outage.ts';
import { demoCabinet } from '../helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ remix: 'build', buildDir: await sharedBuild() });
}, 240_000);
afterAll(() => server?.close());

const html = { accept: 'text/html' };
const MiB = 1024 * 1024;

const refuseConnections = () => databaseOutage(server.services.config.databaseUrl!);

describe('a web process that cannot be knocked over', () => {
  it('answers a malformed address with a translated 400 and nothing of the inside', async () => {
    for (const path of ['/%E0%A4%A', '/assets/%E0%A4%A', '/cabinets/%E0%A4%A']) {
      const response = await fetch(`${server.url}${path}`, { headers: html });
      const body = await response.text();
      expect([path, response.status]).toEqual([path, 400]);
      expect(body).toContain(ky.errors.bad_url);
      expect(body).not.toMatch(/URIError|node_modules|at [\w.]+ \(/);
    }
  });

  it('answers a stale download link with a translated page, not raw JSON', async () => {
    const cookie = `${await server.cookieFor('student')}; kabinet_lang=ru`;
    const link = `${server.url}/files/00000000-0000-4000-8000-00000000dead`;
    const page = await fetch(link, { headers: { ...html, cookie } });
    const body = await page.text();
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(body).toContain(ru.errors.not_found);
    expect(body).not.toContain('messageKey');
    // A program asking gets the same in a line.
    const line = await fetch(link, { headers: { cookie, accept: '*/*' } });
    expect([line.status, await line.text()]).toEqual([404, `${ru.errors.not_found}\n`]);
  });

  it('answers a media file name that cannot exist with 404, and keeps serving', async () => {
    const mediaFileId = '00000000-0000-4000-8000-000000000001';
    const token = signMediaToken(server.services.mediaTokenKey, {
      userId: await server.userId('student'),
      mediaFileId,
      attempt: '0123456789ab',
      expiresAt: Date.now() + 60_000,
    });
    for (const name of [`${'a'.repeat(300)}.ts`, `${'b'.repeat(70)}/seg_1.ts`, 'v0/seg_00001.ts']) {
      expect((await fetch(`${server.url}/media/${token}/${name}`)).status).toBe(404);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('says 503 with Retry-After while the database refuses connections, to pages, data, downloads and health alike', async () => {
    const cookie = await server.cookieFor('instructor');
    const restore = await refuseConnections();
    try {
      const page = await fetch(`${server.url}/`, { headers: { ...html, cookie } });
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBe('5');
      expect(await page.text()).toContain(ky.errors.unavailable);
      const login = await fetch(`${server.url}/login`, { headers: html });
      expect(login.status).toBe(503);
      const data = await fetch(`${server.url}/_root.data`, { headers: { cookie } });
      expect(data.status).toBe(503);
      const zip = await fetch(`${server.url}/assignments/00000000-0000-4000-8000-000000000002/submissions.zip`, {
        headers: { cookie },
      });
      expect([zip.status, zip.headers.get('retry-after')]).toEqual([503, '5']);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
    } finally {
      await restore();
    }
    await expect
      .poll(async () => (await fetch(`${server.url}/`, { headers: { ...html, cookie } })).status, { timeout: 10_000 })
      .toBe(200);
  });

  it('does not log a 404 as a failure', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const response = await fetch(`${server.url}/no-such-page`, { headers: html });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain(ky.errors.not_found);
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });

  it('lets an upload caught by a database outage resume where it was, not start again from zero', async () => {
    const { cabinetId, slots } = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
    const slot = slots.filter((s) => s.kind === 'practical_material')[2]!;
    const cookie = await server.cookieFor('instructor');
    const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(12 * MiB - 9)]);
    let creations = 0;
    let refusedHeads = 0;
    let outage: Promise<void> | null = null;
    const fileId = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(data, {
        endpoint: `${server.url}/uploads`,
        chunkSize: MiB,
        headers: { Cookie: cookie },
        metadata: { cabinetId, slotId: slot.id, filename: 'Практика 3.pdf' },
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
        onBeforeRequest(request) {
          if (request.getMethod() === 'POST') creations++;
        },
        onAfterResponse(request, response) {
          if (request.getMethod() === 'HEAD' && response.getStatus() === 423) refusedHeads++;
        },
        onProgress(sent) {
          // A third of the way in, the database goes away for 15 s.
          if (sent >= 4 * MiB && !outage) {
            outage = refuseConnections().then(async (restore) => {
              await new Promise((wait) => setTimeout(wait, 15_000));
              await restore();
            });
          }
        },
        onSuccess: () => void outage!.then(() => resolve(new URL(upload.url!).pathname.split('/').pop()!), reject),
        onError: reject,
      });
      upload.start();
    });
    expect(creations).toBe(1);
    expect(refusedHeads).toBeGreaterThan(0);
    const file = await server.services.db
      .selectFrom('media_file')
      .innerJoin('upload', 'upload.id', 'media_file.upload_id')
      .select(['media_file.sha256', 'media_file.byte_size'])
      .where('upload.id', '=', fileId)
      .executeTakeFirstOrThrow();
    expect([file.sha256, Number(file.byte_size)]).toEqual([
      createHash('sha256').update(data).digest('hex'),
      data.length,
    ]);
  }, 120_000);
});
