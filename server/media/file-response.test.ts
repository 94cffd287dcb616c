import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaFile } from '../../db/schema.ts';
import { startS3Server } from '../../tests/helpers/s3-server.ts';
import { createLocalStorage } from '../storage/local-storage.ts';
import { createS3Storage } from '../storage/s3-storage.ts';
import { fileResponse } from './file-response.ts';

let root: string;
const body = Buffer.from('%PDF-1.4\n0123456789');
const file = (over: Partial<MediaFile> = {}): MediaFile => ({
  id: 'f',
  item_id: 'i',
  upload_id: 'u',
  copied_from_file_id: null,
  storage_key: 'originals/ab/f/original.pdf',
  original_name: 'Лекция.pdf',
  byte_size: String(body.length),
  sha256: 'a'.repeat(64),
  content_type: 'application/pdf',
  file_kind: 'document',
  processing_state: 'none',
  hls_prefix: null,
  poster_key: null,
  duration_seconds: null,
  width: null,
  height: null,
  processing_progress: null,
  hls_complete: false,
  thumbnails_key: null,
  processing_started_at: null,
  ladder_started_at: null,
  completed_at: null,
  growing: false,
  renditions: [],
  processing_failures: 0,
  failure_key: null,
  failure_params: null,
  ready_at: null,
  created_by: 'x',
  created_at: new Date(),
  deleted_at: null,
  deleted_by: null,
  replaced_by_file_id: null,
  objects_purged_at: null,
  ...over,
});
const get = (headers: Record<string, string> = {}, method = 'GET') =>
  new Request('http://kabinet.test/files/f', { method, headers });

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-serve-'));
  const source = path.join(root, 'source');
  await fs.writeFile(source, body);
  await createLocalStorage(root).putFile('originals/ab/f/original.pdf', source, 'application/pdf');
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describe('fileResponse from local storage', () => {
  it('serves the whole file inline for a PDF with nosniff, our type and a sandbox', async () => {
    const response = await fileResponse(createLocalStorage(root), file(), get());
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(/^inline; /);
    expect(response.headers.get('content-security-policy')).toContain('sandbox');
  });

  it('sends everything but PDFs and raster images as an attachment', async () => {
    const docx = file({
      content_type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      original_name: 'a.docx',
    });
    const response = await fileResponse(createLocalStorage(root), docx, get());
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; /);
  });

  it('answers one byte range with 206, and an unsatisfiable one with 416', async () => {
    const partial = await fileResponse(createLocalStorage(root), file(), get({ range: 'bytes=9-12' }));
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 9-12/${body.length}`);
    expect(await partial.text()).toBe('0123');
    const resume = await fileResponse(createLocalStorage(root), file(), get({ range: 'bytes=15-' }));
    expect(await resume.text()).toBe('6789');
    const bad = await fileResponse(createLocalStorage(root), file(), get({ range: 'bytes=500-600' }));
    expect(bad.status).toBe(416);
    const malformed = await fileResponse(createLocalStorage(root), file(), get({ range: 'pages=1-2' }));
    expect(malformed.status).toBe(200);
  });

  it('answers HEAD with the length and a matching ETag with 304', async () => {
    const head = await fileResponse(createLocalStorage(root), file(), get({}, 'HEAD'));
    expect(head.headers.get('content-length')).toBe(String(body.length));
    expect(head.body).toBeNull();
    const cached = await fileResponse(
      createLocalStorage(root),
      file(),
      get({ 'if-none-match': `"${'a'.repeat(64)}"` }),
    );
    expect(cached.status).toBe(304);
  });
});

describe('fileResponse from S3', () => {
  it('redirects to a short-lived presigned URL that serves our name and type', async () => {
    const s3 = await startS3Server();
    try {
      const storage = createS3Storage(s3.config);
      const source = path.join(root, 's3-source');
      await fs.writeFile(source, body);
      await storage.putFile('originals/ab/f/original.pdf', source, 'application/pdf');
      const response = await fileResponse(storage, file(), get());
      expect(response.status).toBe(302);
      const direct = await fetch(response.headers.get('location')!);
      expect(direct.status).toBe(200);
      expect(direct.headers.get('content-disposition')).toMatch(/^inline; filename=/);
      expect(Buffer.from(await direct.arrayBuffer())).toEqual(body);
    } finally {
      await s3.stop();
    }
  });
});
