// `npm run bench:import`: the `seed:scale` university as one XLSX workbook (bench/scale-university-files.ts),
// previewed and applied into an empty database, then applied again unchanged; against PostgreSQL's
// own COPY of the same rows into unindexed tables of the same shape, in the same run and cluster.
// Peak RSS growth of this process while importing is sampled every 20 ms. Prints a JSON line last:
// {"bench":"import","rows":…,"seconds":…,"x_copy":…,"rerun_seconds":…,"rerun_changes":0,"rss_growth_mb":…}
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { createDb, type Db } from '../db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { runImport } from '../server/admin/import/run-import.ts';
import { searchPeople } from '../server/admin/people-search.ts';
import type { Principal } from '../server/auth/permissions.ts';
import { median } from './processes.ts';
import type { ImportReport } from '../server/admin/import/import-report.ts';
import { freePort } from '../tests/helpers/free-port.ts';
import type { KindRows } from '../server/admin/import/export-university.ts';
import { writeWorkbook } from '../server/admin/import/write-workbook.ts';
import { scaleUniversity } from './scale-university-files.ts';

const scale = Number(process.env.BENCH_IMPORT_SCALE ?? 1);

/** A CSV field as COPY reads it (quoted when needed). */
const csvField = (value: string | number | null) =>
  value === null ? '' : /[",\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value);

/** COPY of every kind's rows into unindexed tables of text columns (the baseline: bytes into the database, nothing checked). */
async function copyBaseline(url: string, kinds: KindRows[]): Promise<number> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    for (const { kind, columns } of kinds)
      await client.query(`create table copy_${kind} (${columns.map((c) => `${c} text`).join(', ')})`);
    const started = performance.now();
    for (const { kind, rows } of kinds) {
      const lines = rows.map((row) => `${row.map(csvField).join(',')}\n`);
      await pipeline(Readable.from(lines), client.query(copyFrom(`copy copy_${kind} from stdin with (format csv)`)));
    }
    return (performance.now() - started) / 1000;
  } finally {
    await client.end();
  }
}

/** Runs `work` while sampling this process's RSS; returns its result and the peak growth in MB. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMb: (peak - before) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

/** The admin's people search over what was imported (printed beside the line: not one of its goals). */
async function peopleSearch(db: Db): Promise<void> {
  const admin: Principal = {
    id: '00000000-0000-0000-0000-000000000000',
    roles: [{ role: 'admin', facultyId: null, departmentId: null }],
    groupIds: [],
  };
  const none = { q: '', role: null, facultyId: null, departmentId: null, groupId: null, state: null } as const;
  const searches = {
    'name part': { ...none, q: 'студент 3999' },
    'e-mail part': { ...none, q: 's12345@' },
    students: { ...none, role: 'student' as const },
    'first page of all': none,
  };
  for (const [name, filters] of Object.entries(searches)) {
    const times: number[] = [];
    for (let i = 0; i < 21; i++) {
      const started = performance.now();
      await searchPeople(db, admin, filters, null);
      times.push(performance.now() - started);
    }
    process.stderr.write(`people search (${name}): median ${median(times).toFixed(1)} ms\n`);
  }
}

const changes = (report: ImportReport) =>
  Object.values(report.kinds).reduce((n, k) => n + k.created + k.updated + k.disabled, 0);

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-import-'));
  const cluster = await startEmbeddedPostgres({
    dir: path.join(work, 'pg'),
    port: await freePort(),
    persistent: false,
  });
  try {
    const admin = createDb(cluster.url('postgres'), { max: 1 });
    await sql`create database kabinet`.execute(admin);
    await sql`create database copybase`.execute(admin);
    await admin.destroy();
    const db = createDb(cluster.url('kabinet'), { max: 4 });
    await migrateToLatest(db);

    const kinds = scaleUniversity(scale);
    const rows = kinds.reduce((n, k) => n + k.rows.length, 0);
    const file = path.join(work, 'university.xlsx');
    await writeWorkbook(file, kinds);
    process.stderr.write(`workbook: ${rows} rows, ${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MB\n`);

    const copySeconds = await copyBaseline(cluster.url('copybase'), kinds);
    const input = {
      filePath: file,
      fileName: 'university.xlsx',
      options: { termCode: '2026-2027-1', sync: true },
      applyValidOnly: false,
      actor: { id: null, ip: null },
    };
    const started = performance.now();
    const { result, growthMb } = await withPeakRss(async () => {
      const preview = await runImport(db, { ...input, apply: false });
      const applied = await runImport(db, { ...input, apply: true });
      return { preview, applied };
    });
    const seconds = (performance.now() - started) / 1000;
    if (result.applied.outcome !== 'applied')
      throw new Error(`not applied: ${JSON.stringify(result.applied.problems.slice(0, 5))}`);
    process.stderr.write(
      `preview ${result.preview.seconds} s, apply ${result.applied.seconds} s, COPY ${copySeconds.toFixed(2)} s\n`,
    );

    const rerunStarted = performance.now();
    const rerun = await runImport(db, { ...input, apply: true });
    const rerunSeconds = (performance.now() - rerunStarted) / 1000;
    await peopleSearch(db);
    await db.destroy();
    const round = (n: number) => Math.round(n * 100) / 100;
    console.log(
      JSON.stringify({
        bench: 'import',
        rows,
        seconds: round(seconds),
        x_copy: round(seconds / copySeconds),
        rerun_seconds: round(rerunSeconds),
        rerun_changes: changes(rerun),
        rss_growth_mb: round(growthMb),
      }),
    );
  } finally {
    await cluster.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
