// The zip of a large group's work declares exactly the bytes it sends (10,002 files used to be
// declared 76 bytes longer, and every client called the download truncated) and reads back whole.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzip } from '../../tests/helpers/unzip.ts';
import { createLocalStorage } from '../storage/local-storage.ts';
import type { MediaStorage } from '../storage/media-storage.ts';
import { planZip, zipOfFiles, type ZipEntry } from './submissions-zip.ts';
import zlib from 'node:zlib';

let dir: string;
let storage: MediaStorage;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-zip-'));
  storage = await createLocalStorage(dir);
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

async function entriesOf(count: number): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    const key = `submissions/${String(i % 100).padStart(2, '0')}/file-${i}.txt`;
    const content = `работа ${i}\n`;
    await fs.mkdir(path.dirname(storage.filePath!(key)), { recursive: true });
    await fs.writeFile(storage.filePath!(key), content);
    entries.push({
      storage_key: key,
      original_name: `эссе-${i}.txt`,
      byte_size: Buffer.byteLength(content),
      crc32: zlib.crc32(content),
      full_name: `Студент ${Math.floor(i / 2)}`,
      version: 1,
    });
  }
  return entries;
}

describe('the zip of all work', () => {
  for (const count of [3, 10_002]) {
    it(`declares exactly what it sends and reads back whole: ${count} files`, async () => {
      const entries = await entriesOf(count);
      const zip = zipOfFiles(storage, planZip(entries, new Date('2026-11-30T08:00:00Z')));
      const chunks: Buffer[] = [];
      for await (const chunk of zip.stream) {
        chunks.push(Buffer.from(chunk as Buffer));
        zip.release(chunk as Buffer);
      }
      const bytes = Buffer.concat(chunks);
      expect(zip.totalBytes).toBe(bytes.length);
      const files = new Map([...(await unzip(bytes))].map(([name, content]) => [name, content.toString()]));
      expect(files.size).toBe(count);
      expect(files.get('Студент 0/эссе-1.txt')).toBe('работа 1\n');
      expect(files.get(`Студент ${Math.floor((count - 1) / 2)}/эссе-${count - 1}.txt`)).toBe(`работа ${count - 1}\n`);
    }, 120_000);
  }

  it('gives any byte range of the zip on its own, equal to that slice of the whole', async () => {
    const entries = (await entriesOf(40)).map((entry, i) => (i === 7 ? { ...entry, byte_size: 0, crc32: 0 } : entry));
    await fs.writeFile(storage.filePath!(entries[7]!.storage_key), '');
    const plan = planZip(entries, new Date('2026-11-30T08:00:00Z'));
    const read = async (range?: { start: number; end: number }) => {
      const zip = zipOfFiles(storage, plan, range);
      const chunks: Buffer[] = [];
      for await (const chunk of zip.stream) {
        chunks.push(Buffer.from(chunk as Buffer));
        zip.release(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    };
    const whole = await read();
    expect(whole.length).toBe(plan.totalBytes);
    expect((await unzip(whole)).size).toBe(40);
    for (const [start, end] of [
      [0, 0],
      [0, 29],
      [17, 4000],
      [1000, whole.length - 1],
      [whole.length - 22, whole.length - 1],
      [whole.length - 1, whole.length - 1],
    ] as const) {
      expect((await read({ start, end })).equals(whole.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
  });
});
