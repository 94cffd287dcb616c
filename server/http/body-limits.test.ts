// Request bodies outside uploads are refused from their declared length before a byte is read,
// translated; so are bodies without a length and URLs carrying a NUL.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { refuseBody } from './body-limits.ts';

const bodyLimits = { form: 1_000_000, multipart: 70 * 2 ** 20 };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** Sends a request with these headers and a body that is never written: the answer must not wait for it. */
function send(path: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        headers: { origin: server.url, cookie: 'kabinet_lang=ru', ...headers },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    request.flushHeaders();
  });
}

describe('request body limits', () => {
  it('decides from the declared length and type', () => {
    const headers = (entries: Record<string, string>) => ({ get: (name: string) => entries[name] ?? null });
    expect(refuseBody(bodyLimits, 'POST', '/login', headers({ 'content-length': String(bodyLimits.form) }))).toBeNull();
    expect(
      refuseBody(bodyLimits, 'POST', '/login', headers({ 'content-length': String(bodyLimits.form + 1) }))?.status,
    ).toBe(413);
    expect(
      refuseBody(
        bodyLimits,
        'POST',
        '/x',
        headers({ 'content-type': 'multipart/form-data; boundary=b', 'content-length': String(bodyLimits.multipart) }),
      ),
    ).toBeNull();
    expect(refuseBody(bodyLimits, 'POST', '/x', headers({ 'transfer-encoding': 'chunked' }))?.status).toBe(411);
    expect(refuseBody(bodyLimits, 'GET', '/admin/people?q=%00', headers({}))?.status).toBe(400);
    expect(refuseBody(bodyLimits, 'GET', '/admin/people?q=a', headers({}))).toBeNull();
  });

  it('answers at once, in the reader’s language, without waiting for the body', async () => {
    const big = await send('/sign-in/x', {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(300 * 2 ** 20),
    });
    expect(big).toEqual({ status: 413, text: 'Запрос слишком большой (не больше 1 МБ).' });
    // Anonymous, to the one form everyone may post: refused before a byte is read.
    expect(
      (
        await send('/language', {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(150 * 10 ** 6),
        })
      ).status,
    ).toBe(413);
    const multipart = await send('/admin/imports', {
      'content-type': 'multipart/form-data; boundary=b',
      'content-length': String(71 * 2 ** 20),
    });
    expect(multipart).toEqual({ status: 413, text: 'Запрос слишком большой (не больше 73.4 МБ).' });
    const chunked = await send('/login', {
      'content-type': 'application/x-www-form-urlencoded',
      'transfer-encoding': 'chunked',
    });
    expect(chunked.status).toBe(411);
    // The tus endpoint keeps its own rules (a PATCH declares each chunk's length).
    const tus = await send('/uploads', {
      'tus-resumable': '1.0.0',
      'upload-length': '10',
      'content-length': String(100 * 2 ** 20),
    });
    expect(tus.status).not.toBe(413);
  });
});
