// What every response says about itself (issue 16): pages carry a Content-Security-Policy whose
// nonce is on every script Remix wrote and are private and not stored; text is compressed, media
// and zips never; hashed assets are cached for a year; HSTS only when the public address is https;
// a presigned S3 link's origin is allowed for media and nothing else is.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signMediaToken } from '../../server/media/media-token.ts';
import { storageKeys } from '../../server/storage/media-storage.ts';
import { createS3Storage } from '../../server/storage/s3-storage.ts';
import { directMediaOrigin } from '../../server/http/security-headers.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ remix: 'build', buildDir: await sharedBuild() });
}, 240_000);
afterAll(() => server?.close());

const directives = (policy: string) =>
  new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );

describe('response headers', () => {
  it('gives a page a nonce-based policy that covers every script on it, and keeps it private', async () => {
    const cookie = await server.cookieFor('student');
    const first = await fetch(`${server.url}/`, { headers: { cookie, 'accept-encoding': 'gzip' } });
    const html = await first.text();
    const policy = directives(first.headers.get('content-security-policy') ?? '');
    const nonce = /'nonce-([^']+)'/.exec(policy.get('script-src')?.join(' ') ?? '')?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(policy.get('script-src')).toEqual(["'self'", `'nonce-${nonce}'`]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('media-src')).toEqual(["'self'", 'blob:']);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(2);
    for (const script of scripts)
      expect(script.includes(`nonce="${nonce}"`) || /\bsrc="\//.test(script), script).toBe(true);
    expect(first.headers.get('cache-control')).toBe('private, no-store');
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(first.headers.get('strict-transport-security')).toBeNull();
    // A fresh nonce for every response.
    const second = await fetch(`${server.url}/`, { headers: { cookie } });
    expect(second.headers.get('content-security-policy')).not.toContain(nonce);
  });

  it('serves hashed assets compressed and cached for a year', async () => {
    const html = await (await fetch(`${server.url}/login`)).text();
    const asset = /\/assets\/[\w.-]+\.js/.exec(html)![0];
    const response = await fetch(`${server.url}${asset}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-encoding')).toBe('br');
    // An encoding the client refuses (q=0) is not sent.
    const refused = await fetch(`${server.url}${asset}`, { headers: { 'accept-encoding': 'gzip;q=1, br;q=0' } });
    expect(refused.headers.get('content-encoding')).toBe('gzip');
    expect(await refused.text()).toBe(await response.text());
  });

  it('compresses pages with gzip or not at all, never brotli (it costs a page half its speed)', async () => {
    for (const [asked, sent] of [
      ['br, gzip', 'gzip'],
      ['BR', null],
      ['Br;q=1', null],
      ['*', 'gzip'],
      ['gzip;q=0, br', null],
    ] as const) {
      const page = await fetch(`${server.url}/login`, { headers: { 'accept-encoding': asked } });
      expect([asked, page.headers.get('content-encoding')]).toEqual([asked, sent]);
    }
  });

  it('never compresses media, whose ranges must stay exact', async () => {
    // A 20 kB text file (compressible by its type) published for a video.
    const mediaFileId = '00000000-0000-4000-8000-00000000abcd';
    const attempt = '0123456789ab';
    const playlist = `WEBVTT\n\n${'00:00.000 --> 00:04.000\nthumbs.jpg#xywh=0,0,160,90\n\n'.repeat(400)}`;
    const local = path.join(server.dataDir, 'thumbs.vtt');
    await fs.writeFile(local, playlist);
    await server.services.storage.putFile(`${storageKeys.hls(mediaFileId, attempt)}/thumbs.vtt`, local, 'text/vtt');
    const token = signMediaToken(server.services.mediaTokenKey, {
      userId: await server.userId('student'),
      mediaFileId,
      attempt,
      expiresAt: Date.now() + 60_000,
    });
    const response = await fetch(`${server.url}/media/${token}/thumbs.vtt`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(playlist)));
    // The same kind of text elsewhere is compressed.
    const page = await fetch(`${server.url}/login`, { headers: { 'accept-encoding': 'gzip' } });
    expect(page.headers.get('content-encoding')).toBe('gzip');
  });

  it('asks for HTTPS only when the public address is https', async () => {
    const https = await startTestServer({ env: { PUBLIC_ORIGIN: 'https://kabinet.example.edu', TRUST_PROXY: '1' } });
    try {
      const response = await fetch(`${https.url}/healthz`);
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000');
    } finally {
      await https.close();
    }
  });

  it('allows media from the S3 store that presigned links point to', async () => {
    const pathStyle = createS3Storage({
      bucket: 'media',
      endpoint: 'https://minio.example.edu:9000',
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      forcePathStyle: true,
      directDownloads: true,
    });
    expect(await directMediaOrigin(pathStyle)).toBe('https://minio.example.edu:9000');
    const aws = createS3Storage({
      bucket: 'kabinet-media',
      endpoint: undefined,
      region: 'eu-central-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      forcePathStyle: false,
      directDownloads: true,
    });
    expect(await directMediaOrigin(aws)).toBe('https://kabinet-media.s3.eu-central-1.amazonaws.com');
    expect(await directMediaOrigin(server.services.storage)).toBeNull();
    // A store browsers cannot reach (MinIO inside compose): no links to it, Kabinet streams.
    const inside = createS3Storage({
      bucket: 'media',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
      forcePathStyle: true,
      directDownloads: false,
    });
    expect(
      await inside.directUrl('originals/ab/x/original.pdf', {
        fileName: 'a.pdf',
        contentType: 'application/pdf',
        disposition: 'attachment',
        expiresInSeconds: 60,
      }),
    ).toBeNull();
    expect(await directMediaOrigin(inside)).toBeNull();
  });
});
