import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpoolHasher, type SpoolHasher } from './spool-hasher.ts';
import { procStat } from '../../tests/helpers/proc-stat.ts';
import zlib from 'node:zlib';

let dir: string;
let hasher: SpoolHasher;
const id = () => randomBytes(16).toString('hex');
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-hasher-'));
  hasher = createSpoolHasher(dir);
});
afterAll(async () => {
  await hasher.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('spool hasher', () => {
  it('follows a file while it grows and gives the digest of the whole', async () => {
    const upload = id();
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(3), randomBytes(9 * 1024 * 1024)];
    hasher.follow(upload);
    const file = await fs.open(path.join(dir, upload), 'w');
    for (const part of parts) {
      await file.write(part);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await file.close();
    const whole = Buffer.concat(parts);
    expect(await hasher.digest(upload, whole.length)).toEqual({ sha256: sha(whole), crc32: zlib.crc32(whole) });
  });

  it('hashes from scratch a file it did not follow (a resume handled by another process)', async () => {
    const upload = id();
    const data = randomBytes(1_000_001);
    await fs.writeFile(path.join(dir, upload), data);
    expect(await hasher.digest(upload, data.length)).toEqual({ sha256: sha(data), crc32: zlib.crc32(data) });
  });

  it('refuses to answer for a file shorter or longer than the upload', async () => {
    const short = id();
    await fs.writeFile(path.join(dir, short), randomBytes(100));
    await expect(hasher.digest(short, 200)).rejects.toThrow(/100 of 200/);
    const long = id();
    await fs.writeFile(path.join(dir, long), randomBytes(300));
    await expect(hasher.digest(long, 200)).rejects.toThrow(/longer/);
  });

  // Meaningless in a process already at the lowest priority.
  it.runIf(process.platform === 'linux' && os.getPriority() < 19)(
    'hashes on a thread of the lowest priority (nice 19), and leaves the rest of the process alone',
    async () => {
      const upload = id();
      const data = randomBytes(1000);
      await fs.writeFile(path.join(dir, upload), data);
      await hasher.digest(upload, data.length); // the worker is running
      const nices = (await fs.readdir('/proc/self/task')).map((task) => procStat(`self/task/${task}`).nice);
      expect(nices.filter((nice) => nice === 19)).toHaveLength(1);
      expect(os.getPriority()).toBeLessThan(19);
    },
  );
});
