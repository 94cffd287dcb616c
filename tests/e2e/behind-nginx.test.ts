// The shipped nginx site config (docs/deploy/nginx/kabinet.conf), run by Debian's nginx over TLS
// in front of two Kabinet web processes that share a database, an upload spool and media: an
// assignment's zip downloads whole with its exact length, HLS plays in Chromium through it, and a
// 96 MiB upload sent in 64 MiB chunks resumes through the other process when the first one stops
// between its chunks (as in a rolling restart).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMediaToken } from '../../server/media/media-token.ts';
import { storageKeys } from '../../server/storage/media-storage.ts';
import { guardPage, hasBrowser, launchBrowser, requireBrowserInCi } from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { demoCabinet } from '../helpers/demo-cabinet.ts';
import { freePort } from '../helpers/free-port.ts';
import { logCapture } from '../helpers/log-capture.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tusCreate, tusPatch } from '../helpers/tus-requests.ts';
import { unzip } from '../helpers/unzip.ts';

declare global {
  interface Window {
    /** hls.js, added to the page as a script tag. */
    Hls?: new () => { loadSource(url: string): void; attachMedia(video: HTMLVideoElement): void };
  }
}

// nginx's certificate is made for this test: trusted by turning the check off in this process only.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const nginxBinary = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((candidate) => existsSync(candidate));
if (!nginxBinary && process.env.CI === 'true')
  throw new Error('CI=true but nginx is not installed (apt-get install nginx)');
requireBrowserInCi();

const MiB = 2 ** 20;
const work = path.join(os.tmpdir(), `kabinet-nginx-${process.pid}`);
let nginx: ChildProcess | undefined;
let origin: string;
const servers: Array<{ server: TestServer; lines: string[] }> = [];

/** The site config with this machine's ports and certificate; every line it changes must be there. */
async function siteConfig(ports: { https: number; http: number; a: number; b: number }): Promise<string> {
  let site = await fs.readFile('docs/deploy/nginx/kabinet.conf', 'utf8');
  const swaps: Array<[RegExp, string]> = [
    [
      /server 127\.0\.0\.1:3000;\s*server 127\.0\.0\.1:3001;/,
      `server 127.0.0.1:${ports.a};\n    server 127.0.0.1:${ports.b};`,
    ],
    [/listen 80;\s*listen \[::\]:80;/, `listen 127.0.0.1:${ports.http};`],
    [/listen 443 ssl http2;\s*listen \[::\]:443 ssl http2;/, `listen 127.0.0.1:${ports.https} ssl http2;`],
    [/ssl_certificate +\S+;/, `ssl_certificate ${work}/cert.pem;`],
    [/ssl_certificate_key +\S+;/, `ssl_certificate_key ${work}/key.pem;`],
  ];
  for (const [pattern, replacement] of swaps) {
    expect(site, `kabinet.conf no longer has ${pattern}`).toMatch(pattern);
    site = site.replace(pattern, replacement);
  }
  return site;
}

async function startNginx(site: string, port: number): Promise<void> {
  const temp = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
  for (const dir of temp) await fs.mkdir(path.join(work, dir), { recursive: true });
  const conf = [
    process.getuid?.() === 0 ? 'user root;' : '',
    'worker_processes 1;',
    `error_log ${work}/error.log warn;`,
    `pid ${work}/nginx.pid;`,
    'events { worker_connections 256; }',
    'http {',
    '  include /etc/nginx/mime.types;',
    `  access_log ${work}/access.log;`,
    ...temp.map((dir) => `  ${dir === 'body' ? 'client_body' : dir}_temp_path ${work}/${dir};`),
    site,
    '}',
  ].join('\n');
  await fs.writeFile(path.join(work, 'nginx.conf'), conf);
  execFileSync(nginxBinary!, ['-t', '-p', work, '-c', `${work}/nginx.conf`], { stdio: 'pipe' });
  nginx = spawn(nginxBinary!, ['-p', work, '-c', `${work}/nginx.conf`, '-g', 'daemon off;'], { stdio: 'inherit' });
  for (let tries = 0; ; tries++) {
    if (
      await fetch(`https://127.0.0.1:${port}/healthz`).then(
        (response) => response.ok,
        () => false,
      )
    )
      return;
    if (tries > 100)
      throw new Error(`nginx did not start: ${await fs.readFile(`${work}/error.log`, 'utf8').catch(() => '')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  if (!nginxBinary || !hasBrowser) return;
  await fs.mkdir(work, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      `${work}/key.pem`,
      '-out',
      `${work}/cert.pem`,
    ],
    { stdio: 'pipe' },
  );
  const ports = { https: await freePort(), http: await freePort() };
  origin = `https://127.0.0.1:${ports.https}`;
  const buildDir = await sharedBuild();
  const shared = {
    PUBLIC_ORIGIN: origin,
    TRUST_PROXY: '1',
    UPLOAD_SPOOL_DIR: `${work}/spool`,
    MEDIA_DIR: `${work}/media`,
    MEDIA_TOKEN_SECRET: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'info',
  };
  for (let i = 0; i < 2; i++) {
    const { stream, lines } = logCapture();
    const env = i === 0 ? shared : { ...shared, DATABASE_URL: servers[0]!.server.services.config.databaseUrl! };
    servers.push({ server: await startTestServer({ remix: 'build', buildDir, env, logTo: stream }), lines });
  }
  const portOf = (server: TestServer) => Number(new URL(server.url).port);
  await startNginx(
    await siteConfig({ ...ports, a: portOf(servers[0]!.server), b: portOf(servers[1]!.server) }),
    ports.https,
  );
}, 240_000);

afterAll(async () => {
  nginx?.kill('SIGQUIT');
  // The second shares the first's database: it goes first.
  for (const { server } of [...servers].reverse()) await server.close();
  await fs.rm(work, { recursive: true, force: true });
});

const db = () => servers[0]!.server.services.db;
const cookieFor = (account: string) => servers[0]!.server.cookieFor(account);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A form posted as a browser without JavaScript posts it. */
async function post(pathname: string, account: string, fields: Record<string, string>): Promise<number> {
  const response = await fetch(`${origin}${pathname}`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: await cookieFor(account),
      origin,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html',
    },
    body: new URLSearchParams(fields),
  });
  await response.arrayBuffer();
  return response.status;
}

describe.skipIf(!nginxBinary || !hasBrowser)('behind nginx, two web processes', () => {
  it('downloads an assignment’s zip whole, with its exact length', async () => {
    const cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
    const slotId = cabinet.slots.find((slot) => slot.kind === 'interim_assessment')!.id;
    const created = await post(`/cabinets/${cabinet.cabinetId}`, 'instructor', {
      intent: 'create-assignment',
      slotId,
      title: 'Лабораториялык иш',
      instructions: '',
      opensAt: '',
      dueAt: '2099-12-01T23:59',
      latePolicy: 'refuse',
      maxScore: '10',
      allowedExtensions: 'pdf',
      maxFiles: '2',
      maxFileMib: '5',
    });
    expect(created).toBeLessThan(400);
    const row = await db()
      .selectFrom('assignment')
      .innerJoin('item', 'item.id', 'assignment.item_id')
      .select(['assignment.id', 'item.id as itemId'])
      .where('item.slot_id', '=', slotId)
      .executeTakeFirstOrThrow();
    expect(
      await post(`/cabinets/${cabinet.cabinetId}`, 'instructor', { intent: 'publish', itemId: row.itemId }),
    ).toBeLessThan(400);

    const work = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * MiB)]);
    const student = await cookieFor('student');
    const create = await tusCreate(origin, {
      cookie: student,
      length: String(work.length),
      metadata: { cabinetId: cabinet.cabinetId, assignmentId: row.id, filename: 'иш.pdf' },
    });
    expect(create.status).toBe(201);
    expect(
      (await tusPatch(new URL(create.headers.get('location')!, origin).href, work, { cookie: student })).status,
    ).toBe(204);
    expect(await post(`/assignments/${row.id}`, 'student', { intent: 'submit', text: '' })).toBeLessThan(400);

    const response = await fetch(`${origin}/assignments/${row.id}/submissions.zip`, {
      headers: { cookie: await cookieFor('instructor'), 'accept-encoding': 'gzip, br' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    const zip = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(zip.length);
    const files = [...(await unzip(zip)).values()];
    expect(files.map(sha256)).toEqual([sha256(work)]);
  });

  it('plays a lecture’s HLS in Chromium through nginx, segments byte for byte and by range', async () => {
    const hls = path.join(work, 'hls');
    await fs.mkdir(path.join(hls, 'v0'), { recursive: true });
    execFileSync(process.env.FFMPEG_PATH ?? 'ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
      '-t',
      '6',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '50',
      '-c:a',
      'aac',
      '-f',
      'hls',
      '-hls_time',
      '2',
      '-hls_playlist_type',
      'vod',
      '-hls_segment_filename',
      path.join(hls, 'v0/seg_%05d.ts'),
      path.join(hls, 'v0/index.m3u8'),
    ]);
    await fs.writeFile(
      path.join(hls, 'master.m3u8'),
      '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=320x240,CODECS="avc1.64000d,mp4a.40.2"\nv0/index.m3u8\n',
    );
    const mediaFileId = '00000000-0000-4000-8000-0000000000a1';
    const attempt = 'abcdef012345';
    const names = [
      'master.m3u8',
      'v0/index.m3u8',
      ...(await fs.readdir(path.join(hls, 'v0'))).filter((name) => name.endsWith('.ts')).map((name) => `v0/${name}`),
    ];
    for (const name of names)
      await servers[0]!.server.services.storage.putFile(
        `${storageKeys.hls(mediaFileId, attempt)}/${name}`,
        path.join(hls, name),
        'application/octet-stream',
      );
    const userId = await servers[0]!.server.userId('student');
    const token = signMediaToken(servers[0]!.server.services.mediaTokenKey, {
      userId,
      mediaFileId,
      attempt,
      expiresAt: Date.now() + 600_000,
    });
    const base = `${origin}/media/${token}`;

    for (const name of names) {
      const response = await fetch(`${base}/${name}`);
      expect([name, response.status]).toEqual([name, 200]);
      expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(sha256(await fs.readFile(path.join(hls, name))));
    }
    const segment = names.find((name) => name.endsWith('.ts'))!;
    const range = await fetch(`${base}/${segment}`, { headers: { range: 'bytes=100-1099' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toMatch(/^bytes 100-1099\/\d+$/);
    expect((await range.arrayBuffer()).byteLength).toBe(1000);
    expect(range.headers.get('cache-control')).toContain('immutable');

    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
      const page = await context.newPage();
      const guard = guardPage(page);
      await page.goto(`${origin}/login`);
      await page.addScriptTag({ path: 'node_modules/hls.js/dist/hls.min.js' });
      const played = await page.evaluate(async (source) => {
        const Hls = window.Hls!;
        const video = document.createElement('video');
        video.muted = true;
        document.body.append(video);
        const hls = new Hls();
        hls.loadSource(source);
        hls.attachMedia(video);
        await new Promise((resolve) => video.addEventListener('canplay', resolve, { once: true }));
        await video.play();
        await new Promise<void>((resolve) => {
          const check = () => (video.currentTime > 2 ? resolve() : setTimeout(check, 100));
          check();
        });
        return video.currentTime;
      }, `${base}/master.m3u8`);
      expect(played).toBeGreaterThan(2);
      expect(guard.problems()).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('resumes a 64 MiB-chunk upload through the other process when the first one stops', async () => {
    const cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
    const slot = cabinet.slots.filter((candidate) => candidate.kind === 'practical_material')[1]!;
    const cookie = await cookieFor('instructor');
    const data = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(96 * MiB - 9)]);
    const create = await tusCreate(origin, {
      cookie,
      length: String(data.length),
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'лекция.pdf' },
    });
    expect(create.status).toBe(201);
    const url = new URL(create.headers.get('location')!, origin).href;
    const patches = (lines: string[]) =>
      lines.filter((line) => line.includes('"method":"PATCH"') && line.includes('"status":204')).length;
    const before = servers.map(({ lines }) => patches(lines));

    expect((await tusPatch(url, data.subarray(0, 64 * MiB), { cookie })).status).toBe(204);
    const first = servers.findIndex(({ lines }, i) => patches(lines) > before[i]!);
    expect(first).toBeGreaterThanOrEqual(0);
    // The process that took the first chunk stops (a rolling restart); nginx sends the rest to the other.
    await servers[first]!.server.drain();
    const head = await fetch(url, { method: 'HEAD', headers: { cookie, 'tus-resumable': '1.0.0' } });
    expect(head.headers.get('upload-offset')).toBe(String(64 * MiB));
    const last = await tusPatch(url, data.subarray(64 * MiB), { cookie, offset: 64 * MiB });
    expect(last.status).toBe(204);
    const other = servers[1 - first]!;
    expect(patches(other.lines)).toBe(before[1 - first]! + 1);

    const mediaFileId = last.headers.get('kabinet-media-file')!;
    const stored = await db()
      .selectFrom('media_file')
      .select(['storage_key', 'sha256'])
      .where('id', '=', mediaFileId)
      .executeTakeFirstOrThrow();
    expect(stored.sha256).toBe(sha256(data));
    const copy = createHash('sha256');
    for await (const chunk of await other.server.services.storage.read(stored.storage_key))
      copy.update(chunk as Buffer);
    expect(copy.digest('hex')).toBe(sha256(data));
  }, 120_000);
});
