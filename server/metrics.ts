// What a process measures, in Prometheus's format (prom-client), served at `GET /metrics` behind
// METRICS_TOKEN: requests by route, uploads, the job queue, transcodes, the database pool, and
// Node's own figures (event-loop lag, memory, garbage collection). One registry per process; each
// web process and each standalone worker is scraped on its own (docs/operations.md lists what to
// alert on).
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import client from 'prom-client';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export const metrics = {
  requestSeconds: new client.Histogram({
    name: 'kabinet_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status class, until the last byte was sent',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: seconds,
    registers: [registry],
  }),
  uploadsInFlight: new client.Gauge({
    name: 'kabinet_uploads_in_flight',
    help: 'Upload chunks (tus PATCH) being received',
    registers: [registry],
  }),
  uploadBytes: new client.Counter({
    name: 'kabinet_upload_bytes_received_total',
    help: 'Bytes of upload chunks received and stored in the spool',
    registers: [registry],
  }),
  jobSeconds: new client.Histogram({
    name: 'kabinet_job_duration_seconds',
    help: 'Jobs run by this process, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: [...seconds, 900, 1800, 3600, 7200],
    registers: [registry],
  }),
  transcodes: new client.Counter({
    name: 'kabinet_transcodes_total',
    help: 'Video processing stages by outcome (playable, ready, retried, failed)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  unhandledRejections: new client.Counter({
    name: 'kabinet_unhandled_rejections_total',
    help: 'Promises rejected with nobody listening (logged, serving went on)',
    registers: [registry],
  }),
};

type Gauged = { labels: Record<string, string>; value: number };

/** A gauge whose values are read when scraped (the queue's depths, the pool's connections). */
export function gaugeOnScrape(
  name: string,
  help: string,
  labelNames: string[],
  read: () => Promise<Gauged[]> | Gauged[],
): void {
  registry.removeSingleMetric(name);
  new client.Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const { labels, value } of await read()) this.set(labels, value);
      } catch {
        // The database may be away: the metric is left empty and /healthz says why.
      }
    },
  });
}

export type MetricsAnswer = { status: 200 | 401 | 404; headers: Record<string, string>; body: string };

/** What `GET /metrics` answers to this Authorization header: only `Bearer <METRICS_TOKEN>` opens it; without a token it does not exist. */
export async function metricsAnswer(
  authorization: string | undefined,
  token: string | undefined,
): Promise<MetricsAnswer> {
  const text = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (!token) return { status: 404, headers: text, body: 'Not found\n' };
  const given = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { status: 401, headers: { ...text, 'WWW-Authenticate': 'Bearer' }, body: 'Unauthorized\n' };
  return {
    status: 200,
    headers: { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' },
    body: await registry.metrics(),
  };
}

/** A standalone worker's own `/metrics` (METRICS_PORT): it serves nothing else. */
export async function serveMetrics(
  port: number,
  host: string,
  token: string | undefined,
): Promise<() => Promise<void>> {
  const server = http.createServer((req, res) => {
    const answer =
      req.method === 'GET' && req.url?.split('?')[0] === '/metrics'
        ? metricsAnswer(req.headers.authorization, token)
        : Promise.resolve<MetricsAnswer>({ status: 404, headers: {}, body: '' });
    void answer.then(
      ({ status, headers, body }) => res.writeHead(status, headers).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return () => new Promise((resolve) => server.close(() => resolve()));
}
