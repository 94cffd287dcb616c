// Child processes the benchmarks measure: the real Kabinet web process and the bare baselines.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { passwordFileOf } from '../db/embedded.ts';
import { tusUploadWhole } from '../tests/helpers/tus-requests.ts';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));

/** The Node flags `npm start` runs the web process with (package.json `start:built`), so a bench measures the same. */
function startFlags(): string[] {
  const script: string = JSON.parse(fs.readFileSync(path.join(benchDir, '../package.json'), 'utf8')).scripts[
    'start:built'
  ];
  return /^node ((?:--\S+ )*)server\/main\.ts$/.exec(script)?.[1]?.trim().split(' ').filter(Boolean) ?? [];
}

/** Starts a process and waits for the first stdout line that `pick` accepts. */
export async function startChild<T>(
  args: string[],
  pick: (line: string) => T | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const info = await new Promise<T>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const found = pick(line);
      if (found !== undefined) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`${args.at(-1)} exited with ${code}`)));
  });
  return { child, info };
}

/** The real web process (`npm start`'s command line, built app) on a data folder and embedded Postgres of its own. */
export async function startKabinetProcess(
  work: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string; pgPort: number; dataDir: string }> {
  const pgPort = 54000 + Math.floor(Math.random() * 900);
  const dataDir = path.join(work, 'data');
  const started = await startChild<string>(
    [...startFlags(), path.join(benchDir, '../server/main.ts')],
    (line) => {
      const event = line.startsWith('{') ? (JSON.parse(line) as { message?: string; url?: string }) : undefined;
      return event?.message === 'Kabinet is listening' ? event.url!.replace('localhost', '127.0.0.1') : undefined;
    },
    // Production as operators run it, with the demo asked for by name (benches sign its people in).
    {
      ...process.env,
      NODE_ENV: 'production',
      SEED_DEMO: 'true',
      PORT: '0',
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      RUN_WORKER: 'false',
      LOG_LEVEL: 'info',
      ...env,
    },
  );
  return { child: started.child, url: started.info, pgPort, dataDir };
}

export const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM')),
  );

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Logs the demo instructor in through the login form and opens MATH-101's cabinet through "Open
 * cabinet", as a browser does. The caller ends `db` (a connection to the instance's database).
 */
/** Signs a demo account in through the login form; its session cookie. */
export async function signIn(url: string, email: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ email, password: 'kabinet-demo' }),
  });
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/** The embedded database of a Kabinet process started by startKabinetProcess (its password is the installation's own). */
export function embeddedDatabaseUrl(dataDir: string, pgPort: number): string {
  const password = fs.readFileSync(passwordFileOf(path.join(dataDir, 'postgres')), 'utf8').trim();
  return `postgres://kabinet:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/kabinet`;
}

export async function openDemoCabinet(
  url: string,
  pgPort: number,
  dataDir: string,
): Promise<{ cookie: string; cabinetId: string; db: pg.Client }> {
  const cookie = await signIn(url, 'instructor@demo.kabinet.kg');
  const db = new pg.Client(embeddedDatabaseUrl(dataDir, pgPort));
  await db.connect();
  const assignment = await db.query<{ id: string }>(
    `select ta.id from teaching_assignment ta join subject s on s.id = ta.subject_id join app_user u on u.id = ta.instructor_id
     where s.code = 'MATH-101' and u.email = 'instructor@demo.kabinet.kg'`,
  );
  const opened = await fetch(`${url}/?index`, {
    method: 'POST',
    headers: { cookie },
    body: new URLSearchParams({ teachingAssignmentId: assignment.rows[0]!.id }),
    redirect: 'manual',
  });
  return { cookie, cabinetId: opened.headers.get('location')!.split('/').pop()!, db };
}

/**
 * Uploads `body` as `filename` into the cabinet's first slot of `kind` (through tus, as the
 * instructor) and publishes its item; the new media file's id.
 */
export async function publishInFirstSlot(
  url: string,
  db: pg.Client,
  instructor: string,
  cabinetId: string,
  kind: 'lecture_video' | 'practical_material',
  body: Buffer,
  filename: string,
): Promise<string> {
  const slot = await db.query<{ id: string }>(
    `select id from slot where cabinet_id = $1 and kind = $2 order by week, number limit 1`,
    [cabinetId, kind],
  );
  const upload = await tusUploadWhole(url, body, {
    cookie: instructor,
    metadata: { cabinetId, slotId: slot.rows[0]!.id, filename },
  });
  const fileId = upload.finish!.headers.get('kabinet-media-file')!;
  await db.query(
    `update item set status = 'published', published_at = now() where id = (select item_id from media_file where id = $1)`,
    [fileId],
  );
  return fileId;
}

/** Peak and current resident memory of a process (Linux). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Starts counting a process's peak memory from now (Linux `clear_refs`). */
export const resetPeakMemory = (pid: number) => fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
