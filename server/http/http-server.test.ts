// The HTTP server keeps slow senders out without cutting bodies that still move: a body trickling
// below the minimum rate is cut, an upload chunk arriving slowly but steadily is stored.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { formHead, trickle } from '../../tests/helpers/trickle.ts';
import { tusCreate } from '../../tests/helpers/tus-requests.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { SLOW_BODY_SECONDS: '1', SLOW_BODY_MIN_BYTES_PER_SECOND: '1024' } });
});
afterAll(() => server?.close());

describe('the HTTP server', () => {
  it('cuts bodies trickling below the minimum rate, and keeps serving', async () => {
    // 20 connections sending a byte every 100 ms (10 B/s) of a 100 kB form: all cut within a few seconds.
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => trickle(server.url, formHead('/language'), Buffer.alloc(100_000, 'a'), 1, 100)),
    );
    for (const outcome of outcomes) {
      expect(outcome.status).toBeNull();
      expect(outcome.cutAfterMs).toBeGreaterThanOrEqual(900);
      expect(outcome.cutAfterMs).toBeLessThan(5000);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('never cuts an upload chunk that keeps moving slowly', async () => {
    const cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
    const cookie = await server.cookieFor('instructor');
    const slot = cabinet.slots.find((candidate) => candidate.kind === 'practical_material')!;
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(12_000 - 9)]);
    const create = await tusCreate(server.url, {
      cookie,
      length: String(pdf.length),
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'slow.pdf' },
    });
    expect(create.status).toBe(201);
    const { pathname } = new URL(create.headers.get('location')!, server.url);
    // 12 kB at 4 kB/s: three seconds, three windows, always above the minimum.
    const patch = {
      line: `PATCH ${pathname} HTTP/1.1`,
      Cookie: cookie,
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
    };
    const outcome = await trickle(server.url, patch, pdf, 400, 100);
    expect(outcome).toMatchObject({ status: 204, sent: pdf.length, cutAfterMs: null });
  });
});
