// A full disk (a 4 MiB tmpfs as the upload spool) is said, not crashed on: a running upload is
// answered 507 in the uploader's language and keeps what arrived, a new upload is refused the
// same way at its first bytes, /healthz names storage as the failing part, and once there is room the upload resumes
// from where it stopped.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusCreate, tusPatch } from '../../tests/helpers/tus-requests.ts';
import { ky } from '../common/dictionaries/ky.ts';

const MiB = 2 ** 20;
let mount: string;
let server: TestServer;

beforeAll(async () => {
  mount = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-full-'));
  // Needs root (CI runs as root); anywhere else the test says why it cannot run.
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'tmpfs', mount]);
  server = await startTestServer({ env: { UPLOAD_SPOOL_DIR: mount } });
});
afterAll(async () => {
  await server?.close();
  if (mount) {
    // A spool file may still be closing (its last flush) just after the server stopped.
    for (let tries = 0; ; tries++) {
      try {
        execFileSync('umount', [mount], { stdio: 'pipe' });
        break;
      } catch (error) {
        if (tries >= 40) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    await fs.rm(mount, { recursive: true, force: true });
  }
});

async function fillDisk(leaveBytes: number): Promise<string> {
  const filler = path.join(mount, 'filler');
  const { bavail, bsize } = await fs.statfs(mount);
  await fs.writeFile(filler, Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
  return filler;
}

describe('a full disk', () => {
  it('answers uploads 507 in the uploader’s language, says so in /healthz, and resumes once there is room', async () => {
    const cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
    const cookie = await server.cookieFor('instructor');
    const slot = cabinet.slots.find((candidate) => candidate.kind === 'practical_material')!;
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * MiB)]);
    const create = await tusCreate(server.url, {
      cookie,
      length: String(pdf.length),
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'full.pdf' },
    });
    expect(create.status).toBe(201);
    const url = new URL(create.headers.get('location')!, server.url).href;

    const filler = await fillDisk(MiB);
    const refused = await tusPatch(url, pdf, { cookie });
    expect(refused.status).toBe(507);
    expect(await refused.text()).toBe(`${ky.errors.storage_full}\n`);
    const head = await fetch(url, { method: 'HEAD', headers: { cookie, 'tus-resumable': '1.0.0' } });
    const kept = Number(head.headers.get('upload-offset'));
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(pdf.length);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      ok: false,
      checks: { database: 'ok', storage: 'failed: ENOSPC', queue: 'ok' },
    });

    // A new upload is told the same: when it is created if its record finds no room, else at its first bytes.
    const another = await tusCreate(server.url, {
      cookie,
      length: String(pdf.length),
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'more.pdf' },
    });
    const location = another.headers.get('location');
    const refusal = location ? await tusPatch(new URL(location, server.url).href, pdf, { cookie }) : another;
    expect([refusal.status, await refusal.text()]).toEqual([507, `${ky.errors.storage_full}\n`]);

    await fs.rm(filler);
    const resumed = await tusPatch(url, pdf.subarray(kept), { cookie, offset: kept });
    expect(resumed.status).toBe(204);
    expect(resumed.headers.get('kabinet-media-file')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
