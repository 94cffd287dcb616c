// `npm run bench:pages`: what three pages cost a phone and the server. The real web process (built
// app, `npm start`'s command line) with the demo: a student's cabinet page and watch page and a
// head's department report, each loaded by Chromium on a cold cache, every document, script and
// style counted as sent (compressed; pictures and media aside); then 20 clients loading the
// student's cabinet page for 8 s against a bare `node:http` hello-world measured the same way in
// the same run. Last line:
// {"bench":"pages","cabinet_kb":…,"watch_kb":…,"report_kb":…,"cabinet_rps_x_node":…}
// Goals (issue 16): cabinet ≤ 150 KB, watch ≤ 250 KB, report ≤ 150 KB, cabinet_rps_x_node ≥ 0.02.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../tests/helpers/browser.ts';
import {
  benchDir,
  openDemoCabinet,
  publishInFirstSlot,
  signIn,
  startChild,
  startKabinetProcess,
  stopChild,
} from './processes.ts';

const clients = 20;
const seconds = 8;

/** What Chromium downloads for the page on a cold cache (bodies as sent, compressed), by kind, in KB. */
async function pageWeight(
  browser: Browser,
  base: string,
  pathname: string,
  cookie: string,
): Promise<{ kb: number; parts: Record<string, number> }> {
  const context = await browser.newContext();
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name: name!, value: value!, url: base }]);
  const page = await context.newPage();
  const sizes: Array<Promise<{ kind: string; bytes: number }>> = [];
  page.on('requestfinished', (request) => {
    const kind =
      request.resourceType() === 'document'
        ? 'html'
        : request.resourceType() === 'stylesheet'
          ? 'css'
          : request.resourceType() === 'script'
            ? 'js'
            : 'other';
    sizes.push(request.sizes().then((size) => ({ kind, bytes: size.responseBodySize })));
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    // The bench's lecture has no segments (its weight does not depend on them): the player's 404s for them are expected.
    const missingMedia =
      message.text().startsWith('Failed to load resource') && message.location().url.includes('/media/');
    if (message.type() === 'error' && !missingMedia) errors.push(message.text());
  });
  const response = await page.goto(`${base}${pathname}`, { waitUntil: 'networkidle' });
  if (response?.status() !== 200) throw new Error(`${pathname}: ${response?.status()}`);
  // A page that never came alive downloads less (no player, no data stream): it must not count.
  // Remix sets its router on the window once the page has hydrated.
  const hydrated = await page
    .waitForFunction(() => '__remixRouter' in window, undefined, { timeout: 10_000 })
    .then(
      () => true,
      () => false,
    );
  if (!hydrated || errors.length > 0)
    throw new Error(`${pathname} did not come alive in the browser: ${errors.join('; ') || 'no hydration'}`);
  const parts: Record<string, number> = {};
  let total = 0;
  for (const { kind, bytes } of await Promise.all(sizes)) {
    parts[kind] = (parts[kind] ?? 0) + bytes;
    if (kind !== 'other') total += bytes;
  }
  await context.close();
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  return { kb: kb(total), parts: Object.fromEntries(Object.entries(parts).map(([kind, bytes]) => [kind, kb(bytes)])) };
}

/** Requests per second from `clients` clients loading one URL for `seconds`. */
async function requestsPerSecond(url: string, cookie: string): Promise<{ rps: number; p50: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const get = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get(url, { agent, headers: { cookie, 'accept-encoding': 'br, gzip' } }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        })
        .on('error', reject);
    });
  for (let i = 0; i < 50; i++) await get(); // warm-up
  const until = performance.now() + seconds * 1000;
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        const status = await get();
        if (status !== 200) throw new Error(`${url}: ${status}`);
        times.push(performance.now() - started);
      }
    }),
  );
  agent.destroy();
  times.sort((a, b) => a - b);
  return { rps: times.length / seconds, p50: Math.round(times[Math.floor(times.length / 2)]!) };
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-pages-'));
  const kabinet = await startKabinetProcess(work);
  try {
    const { cookie: instructor, cabinetId, db } = await openDemoCabinet(kabinet.url, kabinet.pgPort, kabinet.dataDir);
    // A lecture in the cabinet, published and marked processed (the page's weight does not depend on the video).
    const mp4 = Buffer.concat([
      Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'),
      Buffer.alloc(4000, 1),
    ]);
    const fileId = await publishInFirstSlot(
      kabinet.url,
      db,
      instructor,
      cabinetId,
      'lecture_video',
      mp4,
      'lecture.mp4',
    );
    await db.query(
      `update media_file set processing_state = 'ready', hls_prefix = 'hls/' || left(id::text, 2) || '/' || id || '/0123456789ab', duration_seconds = 2700, width = 1280, height = 720, ready_at = now(), hls_complete = true where id = $1`,
      [fileId],
    );
    const department = await db.query<{ id: string }>(
      `select department_id as id from role_assignment ra join app_user u on u.id = ra.user_id where u.email = 'head@demo.kabinet.kg' and ra.role = 'head' limit 1`,
    );
    await db.end();
    const student = await signIn(kabinet.url, 'student@demo.kabinet.kg');
    const head = await signIn(kabinet.url, 'head@demo.kabinet.kg');

    const browser = await launchBrowser();
    const cabinet = await pageWeight(browser, kabinet.url, `/cabinets/${cabinetId}`, student);
    const watch = await pageWeight(browser, kabinet.url, `/watch/${fileId}`, student);
    const report = await pageWeight(browser, kabinet.url, `/reports/departments/${department.rows[0]!.id}`, head);
    await browser.close();
    process.stdout.write(
      `${JSON.stringify({ weights_kb: { cabinet: cabinet.parts, watch: watch.parts, report: report.parts } })}\n`,
    );

    const kabinetRate = await requestsPerSecond(`${kabinet.url}/cabinets/${cabinetId}`, student);
    const bare = await startChild<string>(
      [path.join(benchDir, 'hello-server.ts')],
      (line) => (JSON.parse(line) as { url?: string }).url,
    );
    let nodeRate: { rps: number; p50: number };
    try {
      nodeRate = await requestsPerSecond(bare.info, '');
    } finally {
      await stopChild(bare.child);
    }
    process.stdout.write(
      `${JSON.stringify({ cabinet_rps: Math.round(kabinetRate.rps), cabinet_p50_ms: kabinetRate.p50, node_rps: Math.round(nodeRate.rps), node_p50_ms: nodeRate.p50 })}\n`,
    );
    process.stdout.write(
      `${JSON.stringify({ bench: 'pages', cabinet_kb: cabinet.kb, watch_kb: watch.kb, report_kb: report.kb, cabinet_rps_x_node: Math.round((kabinetRate.rps / nodeRate.rps) * 10_000) / 10_000 })}\n`,
    );
  } finally {
    await stopChild(kabinet.child);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
