// Two web processes sharing one database and one upload spool (issue 17): an upload is written by
// one request at a time across both, a request on the other process stops a stalled writer instead
// of writing beside it, and a lease left by a process that died expires by itself.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { trickle } from '../../tests/helpers/trickle.ts';
import { tusCreate, tusPatch } from '../../tests/helpers/tus-requests.ts';

const KiB = 1024;
let spool: string;
let first: TestServer;
let second: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
let owner: string;

beforeAll(async () => {
  spool = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-shared-spool-'));
  first = await startTestServer({ env: { UPLOAD_SPOOL_DIR: spool } });
  second = await startTestServer({
    env: { UPLOAD_SPOOL_DIR: spool, DATABASE_URL: first.services.config.databaseUrl! },
  });
  cabinet = await demoCabinet(first.services.db, 'instructor', 'MATH-101');
  owner = await first.cookieFor('instructor');
});
afterAll(async () => {
  // The second shares the first's database: it goes first.
  await second?.close();
  await first?.close();
  if (spool) await fs.rm(spool, { recursive: true, force: true });
});

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const tusHeaders = () => ({ 'Tus-Resumable': '1.0.0', Cookie: owner });

async function createUpload(size: number, filename: string): Promise<{ id: string; path: string }> {
  const slot = cabinet.slots.filter((s) => s.kind === 'practical_material')[0]!;
  const created = await tusCreate(first.url, {
    cookie: owner,
    length: String(size),
    metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename },
  });
  expect(created.status).toBe(201);
  const location = created.headers.get('location')!;
  return { id: location.split('/').pop()!, path: location };
}

async function offsetOn(server: TestServer, location: string): Promise<{ offset: number; at: number }> {
  const head = await fetch(`${server.url}${location}`, { method: 'HEAD', headers: tusHeaders() });
  expect(head.status).toBe(200);
  return { offset: Number(head.headers.get('upload-offset')), at: Date.now() };
}

describe('one upload, two web processes, one spool', () => {
  it('lets a resuming request on the other process stop a stalled writer first, so the file is never written by both', async () => {
    const size = 256 * KiB;
    const { id, path: location } = await createUpload(size, 'shared.pdf');
    const stalled = pdf(size);
    const resumed = pdf(size);
    // The first process receives 64 KiB, then the client's connection stalls with the request open.
    const writer = trickle(
      first.url,
      {
        line: `PATCH ${location} HTTP/1.1`,
        'Tus-Resumable': '1.0.0',
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': '0',
        Cookie: owner,
      },
      stalled,
      16 * KiB,
      20,
      { after: 64 * KiB, ms: 8_000 },
    );
    const data = path.join(spool, id);
    for (let tries = 0; (await fs.stat(data)).size < 64 * KiB; tries++) {
      expect(tries).toBeLessThan(200);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    // The client gives up on that connection and resumes through the second process.
    const head = await offsetOn(second, location);
    const stopped = await writer;
    // The stalled request was answered (its bytes kept) before the second process said where to go on.
    expect(stopped.status).toBe(204);
    expect(stopped.answeredAt).not.toBeNull();
    expect(stopped.answeredAt!).toBeLessThanOrEqual(head.at);
    expect(head.offset).toBe(64 * KiB);
    const rest = await tusPatch(`${second.url}${location}`, resumed.subarray(head.offset), {
      cookie: owner,
      offset: head.offset,
    });
    expect(rest.status).toBe(204);
    const fileId = rest.headers.get('kabinet-media-file')!;
    const stored = await first.services.db
      .selectFrom('media_file')
      .select('sha256')
      .where('id', '=', fileId)
      .executeTakeFirstOrThrow();
    expect(stored.sha256).toBe(
      sha256(Buffer.concat([stalled.subarray(0, head.offset), resumed.subarray(head.offset)])),
    );
  }, 60_000);

  it('waits out a lease left by a process that died, then answers', async () => {
    const { id, path: location } = await createUpload(32 * KiB, 'orphaned.pdf');
    await first.services.db
      .updateTable('upload')
      .set({ lease_holder: '00000000-0000-4000-8000-000000000001', lease_until: new Date(Date.now() + 2_000) })
      .where('id', '=', id)
      .execute();
    const asked = Date.now();
    const head = await offsetOn(second, location);
    expect(head.offset).toBe(0);
    expect(head.at - asked).toBeGreaterThan(1_000);
    const row = await first.services.db
      .selectFrom('upload')
      .select(['lease_holder', 'lease_until'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ lease_holder: null, lease_until: null }); // released after the HEAD
  });
});
