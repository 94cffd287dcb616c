// The restore drill (issue 16): a seeded university with an uploaded, transcoded lecture is backed
// up with `npm run backup`, wiped, restored with `npm run restore` into an empty database and empty
// media storage, and started again: every table's rows, every stored file's hash, and the
// lecture's HLS served to a student match; a restore into a database in use is refused; a second
// backup into the same folder copies no media again.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.ts';
import { signMediaToken } from '../../server/media/media-token.ts';
import { checkSummaries } from '../../server/reports/consistency.ts';
import { processLecture } from '../helpers/process-lecture.ts';
import { demoCabinet } from '../helpers/demo-cabinet.ts';
import { createEmptyDatabase } from '../helpers/test-db.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tusUploadWhole } from '../helpers/tus-requests.ts';

const run = promisify(execFile);
const work = path.join(os.tmpdir(), `kabinet-drill-${process.pid}`);
let original: TestServer;
let restored: TestServer | undefined;
let target: Awaited<ReturnType<typeof createEmptyDatabase>>;
let mediaFileId: string;

beforeAll(async () => {
  await fs.mkdir(work, { recursive: true });
  original = await startTestServer();
  // An empty database for the restore: nothing of Kabinet's in it yet.
  target = await createEmptyDatabase();
  await sql`drop schema public cascade`.execute(target.db);
  await sql`create schema public`.execute(target.db);
}, 120_000);
afterAll(async () => {
  await restored?.close();
  await original?.close();
  await target?.drop();
  await fs.rm(work, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * What the restore remakes rather than loads: which SQL is applied (the schema's), and the report
 * summaries that carry the moment they were computed (rebuilt from the rows; checked apart).
 */
const remade = ['repeatable_sql', 'report_dirty', 'cabinet_current', 'department_current'];

/** Every table's row count and a digest of its rows, in a stable order. */
async function contents(db: Db): Promise<Record<string, string>> {
  const { rows } = await sql<{
    name: string;
  }>`select tablename as name from pg_tables where schemaname = 'public' and tablename not like 'kysely_migration%' and tablename <> all(${remade}) order by 1`.execute(
    db,
  );
  const result: Record<string, string> = {};
  for (const { name } of rows) {
    const digest = await sql<{
      n: number;
      digest: string | null;
    }>`select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as digest from ${sql.table(name)} t`.execute(
      db,
    );
    result[name] = `${digest.rows[0]!.n}:${digest.rows[0]!.digest}`;
  }
  return result;
}

async function storedFiles(server: TestServer): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const key of await server.services.storage.list('')) {
    if (key.startsWith('health/')) continue;
    const hash = createHash('sha256');
    for await (const chunk of await server.services.storage.read(key)) hash.update(chunk as Buffer);
    files[key] = hash.digest('hex');
  }
  return files;
}

const envOf = (server: TestServer): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH ?? '',
  NODE_ENV: 'test',
  DATABASE_URL: server.services.config.databaseUrl ?? '',
  DATA_DIR: server.dataDir,
});

describe('backup and restore', () => {
  it('brings back every row, every file and a playable lecture', async () => {
    // A lecture uploaded and transcoded.
    const clip = path.join(work, 'lecture.mp4');
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
      'sine',
      '-t',
      '3',
      '-c:v',
      'libx264',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-movflags',
      '+faststart',
      clip,
    ]);
    const cabinet = await demoCabinet(original.services.db, 'instructor', 'MATH-101');
    const slot = cabinet.slots.find((candidate) => candidate.kind === 'lecture_video')!;
    const { finish } = await tusUploadWhole(original.url, await fs.readFile(clip), {
      cookie: await original.cookieFor('instructor'),
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'лекция.mp4' },
    });
    mediaFileId = finish!.headers.get('kabinet-media-file')!;
    await processLecture(original.services, mediaFileId);
    const ready = await original.services.db
      .selectFrom('media_file')
      .select(['processing_state', 'hls_prefix'])
      .where('id', '=', mediaFileId)
      .executeTakeFirstOrThrow();
    expect(ready.processing_state).toBe('ready');
    const prefix = ready.hls_prefix!;

    const before = { rows: await contents(original.services.db), files: await storedFiles(original) };
    const backup = path.join(work, 'backup');
    const first = JSON.parse(
      (await run(process.execPath, ['server/backup-main.ts', backup], { env: envOf(original) })).stdout
        .trim()
        .split('\n')
        .at(-1)!,
    );
    expect(first.mediaFiles).toBe(Object.keys(before.files).length);

    // Into the database in use: refused, nothing touched.
    const refused = await run(process.execPath, ['server/restore-main.ts', backup], { env: envOf(original) }).then(
      () => null,
      (error: { stderr: string; code: number }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toContain('the database is not empty');

    // Wiped: a new, empty database and empty media storage.
    const dataDir = path.join(work, 'restored');
    await fs.mkdir(dataDir);
    const restoreEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: target.url,
      DATA_DIR: dataDir,
    };
    // A damaged backup fails as a whole and leaves the database empty, so that the next try may begin.
    const damaged = path.join(work, 'damaged');
    await fs.cp(backup, damaged, { recursive: true });
    await fs.writeFile(path.join(damaged, 'db', 'app_user.tsv.gz'), 'not gzip');
    const failed = await run(process.execPath, ['server/restore-main.ts', damaged], { env: restoreEnv }).then(
      () => null,
      (error: { stderr: string; code: number }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain('restore failed');
    const outcome = JSON.parse(
      (await run(process.execPath, ['server/restore-main.ts', backup], { env: restoreEnv })).stdout
        .trim()
        .split('\n')
        .at(-1)!,
    );
    expect(outcome).toMatchObject({ tables: first.tables, mediaFiles: first.mediaFiles, requeued: 0 });

    restored = await startTestServer({ env: { DATABASE_URL: target.url, MEDIA_DIR: path.join(dataDir, 'media') } });
    expect(await contents(restored.services.db)).toEqual(before.rows);
    const term = await restored.services.db.selectFrom('current_term').select('id').executeTakeFirstOrThrow();
    expect(await checkSummaries(restored.services.db, term.id)).toEqual([]);
    expect(await restored.services.db.selectFrom('cabinet_current').select('cabinet_id').execute()).toHaveLength(
      Number(before.rows.cabinet!.split(':')[0]),
    );
    expect(await storedFiles(restored)).toEqual(before.files);

    // A student plays the lecture from the restored installation: master, variants, segments.
    const token = signMediaToken(restored.services.mediaTokenKey, {
      userId: await restored.userId('student'),
      mediaFileId,
      attempt: prefix.split('/').at(-1)!,
      expiresAt: Date.now() + 600_000,
    });
    const base = `${restored.url}/media/${token}`;
    const master = await (await fetch(`${base}/master.m3u8`)).text();
    const variants = master.split('\n').filter((line) => line.endsWith('.m3u8'));
    expect(variants.length).toBeGreaterThan(0);
    let segments = 0;
    for (const variant of variants) {
      const playlist = await (await fetch(`${base}/${variant}`)).text();
      for (const segment of playlist.split('\n').filter((line) => line.endsWith('.ts'))) {
        const name = `${path.posix.dirname(variant)}/${segment}`.replace(/^\.\//, '');
        const response = await fetch(`${base}/${name}`);
        expect([name, response.status]).toEqual([name, 200]);
        expect(sha256(Buffer.from(await response.arrayBuffer()))).toBe(before.files[`${prefix}/${name}`]);
        segments++;
      }
    }
    expect(segments).toBeGreaterThan(0);

    // A second backup into the same folder copies no media again.
    const mediaDir = path.join(backup, 'media');
    const stamp = async () =>
      (await fs.readdir(mediaDir, { recursive: true, withFileTypes: true }))
        .filter((entry) => entry.isFile() && !entry.name.endsWith('.m3u8'))
        .map((entry) => path.join(entry.parentPath, entry.name));
    const mtimes = async () => Promise.all((await stamp()).map(async (file) => (await fs.stat(file)).mtimeMs));
    const earlier = await mtimes();
    await run(process.execPath, ['server/backup-main.ts', backup], { env: envOf(original) });
    expect(await mtimes()).toEqual(earlier);
  }, 180_000);
});
