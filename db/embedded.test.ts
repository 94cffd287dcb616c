// The embedded PostgreSQL of an installation has a password of its own: made with the cluster,
// kept owner-only beside it, and given to an installation from before (which shared `kabinet`)
// at its next start.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../tests/helpers/free-port.ts';
import { connects, passwordFileOf, startEmbeddedPostgres } from './embedded.ts';

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-embedded-'));
afterAll(() => fs.rm(work, { recursive: true, force: true }));

describe('the embedded database’s password', () => {
  it('is the installation’s own, and an older installation gets one at its next start', async () => {
    const dir = path.join(work, 'postgres');
    const port = await freePort();
    const shared = `postgres://kabinet:kabinet@127.0.0.1:${port}/postgres`;
    const first = await startEmbeddedPostgres({ dir, port, persistent: true });
    const own = (await fs.readFile(passwordFileOf(dir), 'utf8')).trim();
    expect(own).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await fs.stat(passwordFileOf(dir))).mode & 0o077).toBe(0);
    expect(await connects(first.url('postgres'))).toBe(true);
    expect(await connects(shared)).toBe(false);

    // Made an installation from before: the shared password, no file.
    const admin = new pg.Client(first.url('postgres'));
    await admin.connect();
    await admin.query(`alter role kabinet password 'kabinet'`);
    await admin.end();
    await first.stop();
    await fs.rm(passwordFileOf(dir));

    const again = await startEmbeddedPostgres({ dir, port, persistent: true });
    try {
      const renewed = (await fs.readFile(passwordFileOf(dir), 'utf8')).trim();
      expect(renewed).not.toBe(own);
      expect(await connects(again.url('postgres'))).toBe(true);
      expect(again.url('postgres')).toContain(encodeURIComponent(renewed));
      expect(await connects(shared)).toBe(false);
    } finally {
      await again.stop();
    }
  }, 120_000);
});
