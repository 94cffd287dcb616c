// One contract every media storage passes: local disk, and S3 against an S3-compatible server on loopback.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3Server } from '../../tests/helpers/s3-server.ts';
import { createLocalStorage } from './local-storage.ts';
import { contentDisposition, storageKeys, type MediaStorage } from './media-storage.ts';
import { createS3Storage } from './s3-storage.ts';

const collect = async (stream: AsyncIterable<Buffer>) => Buffer.concat(await Array.fromAsync(stream));
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

type Backend = { storage: MediaStorage; stop: () => Promise<void> };
const backends: Record<string, () => Promise<Backend>> = {
  local: async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-media-'));
    return { storage: createLocalStorage(root), stop: () => fs.rm(root, { recursive: true, force: true }) };
  },
  s3: async () => {
    const server = await startS3Server();
    return { storage: createS3Storage(server.config), stop: server.stop };
  },
};

describe.each(Object.keys(backends))('%s media storage', (name) => {
  let backend: Backend;
  let work: string;
  beforeAll(async () => {
    backend = await backends[name]!();
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-work-'));
  });
  afterAll(async () => {
    await backend?.stop();
    await fs.rm(work, { recursive: true, force: true });
  });

  const localFile = async (data: Buffer) => {
    const file = path.join(work, randomBytes(6).toString('hex'));
    await fs.writeFile(file, data);
    return file;
  };

  it('stores a copy of a local file, which stays until the caller removes it', async () => {
    const data = randomBytes(300_000);
    const file = await localFile(data);
    await backend.storage.putFile('originals/aa/one/original.pdf', file, 'application/pdf');
    expect(await fs.readFile(file)).toEqual(data);
    expect(await backend.storage.size('originals/aa/one/original.pdf')).toBe(data.length);
    expect(sha(await collect(await backend.storage.read('originals/aa/one/original.pdf')))).toBe(sha(data));
  });

  it('stores a file larger than one multipart part intact', async () => {
    const data = randomBytes(40 * 1024 * 1024);
    await backend.storage.putFile('originals/bb/big/original.mp4', await localFile(data), 'video/mp4');
    expect(await backend.storage.size('originals/bb/big/original.mp4')).toBe(data.length);
    expect(sha(await collect(await backend.storage.read('originals/bb/big/original.mp4')))).toBe(sha(data));
  });

  it('reads an inclusive byte range', async () => {
    const data = Buffer.from('0123456789abcdef');
    await backend.storage.putFile('originals/cc/range/original.txt', await localFile(data), 'text/plain');
    expect(
      (await collect(await backend.storage.read('originals/cc/range/original.txt', { start: 3, end: 7 }))).toString(),
    ).toBe('34567');
  });

  it('lists by prefix in key order, and removes', async () => {
    const file = await localFile(Buffer.from('x'));
    const keys = Array.from({ length: 5 }, (_, i) => `hls/list/part-${i}.ts`);
    for (const key of keys) await backend.storage.putFile(key, file, 'video/mp2t');
    expect(await backend.storage.list('hls/list/')).toEqual(keys);
    await backend.storage.remove(keys[0]!);
    expect(await backend.storage.size(keys[0]!)).toBeNull();
    expect(await backend.storage.list('hls/list/')).toEqual(keys.slice(1));
    await backend.storage.remove('hls/list/never-existed.ts');
  });

  it('answers null for the size of a missing object and refuses keys that could escape', async () => {
    expect(await backend.storage.size('originals/zz/none/original.pdf')).toBeNull();
    for (const key of ['../etc/passwd', 'originals/../../x', '/abs', 'Upper/Case', 'a//b', '']) {
      await expect(backend.storage.size(key)).rejects.toThrow(/Invalid storage key/);
    }
  });

  it('gives a direct URL only where the store can serve it, with our name and type', async () => {
    const data = Buffer.from('%PDF-1.4 body');
    await backend.storage.putFile('originals/dd/url/original.pdf', await localFile(data), 'application/pdf');
    const url = await backend.storage.directUrl('originals/dd/url/original.pdf', {
      fileName: 'Лекция 1.pdf',
      contentType: 'application/pdf',
      disposition: 'attachment',
      expiresInSeconds: 60,
    });
    if (backend.storage.kind === 'local') {
      expect(url).toBeNull();
      return;
    }
    const response = await fetch(url!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(contentDisposition('attachment', 'Лекция 1.pdf'));
    expect(Buffer.from(await response.arrayBuffer())).toEqual(data);
  });
});

describe('storage keys and names', () => {
  it('builds keys only from our ids', () => {
    expect(storageKeys.original('0f3c5d9e-1111-4222-8333-444455556666', 'pdf')).toBe(
      'originals/0f/0f3c5d9e-1111-4222-8333-444455556666/original.pdf',
    );
  });

  it('writes Content-Disposition with an ASCII fallback and the UTF-8 name', () => {
    expect(contentDisposition('attachment', 'Лекция "1" (a).pdf')).toBe(
      `attachment; filename="______ _1_ (a).pdf"; filename*=UTF-8''%D0%9B%D0%B5%D0%BA%D1%86%D0%B8%D1%8F%20%221%22%20%28a%29.pdf`,
    );
  });
});
