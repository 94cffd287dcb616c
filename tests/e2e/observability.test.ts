// What an operator sees (issue 16): one access-log line per request with its route, status,
// duration, bytes, person and request id, secrets cut out of paths, no stack traces for refusals,
// probes quiet while they pass; Prometheus metrics only with the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMetrics } from '../../server/metrics.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { freePort } from '../helpers/free-port.ts';
import { logCapture } from '../helpers/log-capture.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const token = 'metrics-token-for-the-test-0123';
const { stream: capture, lines } = logCapture();
const events = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const accessLines = () => events().filter((event) => event.message === 'request' || event.message === 'request failed');

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    remix: 'build',
    buildDir: await sharedBuild(),
    env: { LOG_LEVEL: 'info', METRICS_TOKEN: token },
    logTo: capture,
  });
}, 240_000);
afterAll(() => server?.close());

describe('logs and metrics', () => {
  it('writes one line per request: route, status, time, bytes, person, request id', async () => {
    const cookie = await server.cookieFor('student');
    const response = await fetch(`${server.url}/?tab=1`, {
      headers: { cookie, 'x-request-id': 'req-from-nginx-0001', 'accept-encoding': 'identity' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-from-nginx-0001');
    const body = await response.arrayBuffer();
    const line = accessLines().find((event) => event.requestId === 'req-from-nginx-0001');
    expect(line).toMatchObject({
      level: 'info',
      method: 'GET',
      route: 'routes/_index',
      path: '/',
      status: 200,
      userId: await server.userId('student'),
    });
    expect(line!.ms).toEqual(expect.any(Number));
    expect(line!.bytes).toBeGreaterThan(body.byteLength);
    // A request id the proxy did not send (or sent mangled) is made here.
    const own = await fetch(`${server.url}/login`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(own.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps secrets out of the log and refusals free of stack traces; passing probes are quiet', async () => {
    const before = lines.length;
    await fetch(`${server.url}/sign-in/SECRET-sign-in-token-123456`);
    // However the address is spelled: the router ignores case and decodes it, so does the log.
    await fetch(`${server.url}/SIGN-IN/SECRET-sign-in-token-123456`);
    await fetch(`${server.url}/%73ign-in/SECRET-sign-in-token-123456`);
    await fetch(`${server.url}/nope?token=SECRET-query-123456`);
    expect((await fetch(`${server.url}/no-such-page`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const written = lines.slice(before).join('\n');
    expect(written).not.toContain('SECRET-sign-in-token');
    expect(written).toContain('"path":"/sign-in/…"');
    expect(written).toMatch(/"route":"unmatched","path":"\/no-such-page","status":404/);
    expect(written).not.toMatch(/\bat [\w.<>]+ \(|node_modules/);
    expect(written).not.toContain('/healthz');
  });

  it('serves Prometheus metrics only with the token', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token-0' } })).status,
    ).toBe(401);
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(
      /kabinet_http_request_duration_seconds_count\{method="GET",route="routes\/_index",status="2xx"\} [1-9]/,
    );
    expect(text).toMatch(/kabinet_jobs\{queue="transcode-video",state="queued"\} \d+/);
    expect(text).toMatch(/kabinet_db_pool_connections\{state="total"\} [1-9]/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds \d/);
    expect(text).toContain('kabinet_uploads_in_flight 0');
  });

  it('serves a standalone worker’s metrics on its own port', async () => {
    const port = await freePort();
    const stop = await serveMetrics(port, '127.0.0.1', token);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(await response.text()).toMatch(/kabinet_job_duration_seconds|kabinet_transcodes_total/);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    } finally {
      await stop();
    }
  });

  it('has no metrics over HTTP when no token is configured', async () => {
    const plain = await startTestServer();
    try {
      expect((await fetch(`${plain.url}/metrics`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
