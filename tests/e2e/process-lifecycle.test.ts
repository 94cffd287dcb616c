// How the real web process (`server/main.ts`, the built app) lives and ends (decision 023): a
// stray rejected promise is logged and serving goes on; SIGTERM stops accepting, lets the running
// request finish, then exits 0; an uncaught exception exits 1 for the supervisor to restart.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedBuild } from '../helpers/build-app.ts';
import { freePort } from '../helpers/free-port.ts';
import { createTestDatabase } from '../helpers/test-db.ts';
import { formHead, trickle } from '../helpers/trickle.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let buildDir: string;
let dataDir: string;

beforeAll(async () => {
  buildDir = await sharedBuild();
  database = await createTestDatabase();
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-lifecycle-'));
}, 240_000);
afterAll(async () => {
  await database?.drop();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

type Web = { child: ChildProcess; url: string; log: () => string; exited: Promise<number | null> };

async function startWeb(
  env: Record<string, string | undefined> = { DATABASE_URL: database.url, DATA_DIR: dataDir },
): Promise<Web> {
  const child = spawn(process.execPath, ['--import', './tests/helpers/fault-injection.ts', 'server/main.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      RUN_WORKER: 'false',
      SEED_DEMO: 'false',
      KABINET_BUILD_DIR: buildDir,
      SHUTDOWN_GRACE_SECONDS: '10',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let log = '';
  child.stdout!.on('data', (chunk) => (log += chunk));
  child.stderr!.on('data', (chunk) => (log += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const listening = /"url":"http:\/\/localhost:(\d+)".*"message":"Kabinet is listening"/.exec(log);
    if (listening) return { child, url: `http://127.0.0.1:${listening[1]}`, log: () => log, exited };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the web process did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const refused = (url: string) =>
  fetch(`${url}/healthz`).then(
    () => false,
    () => true,
  );

describe('the web process', () => {
  it('logs a stray rejected promise and keeps serving; SIGTERM lets the running request finish and exits 0', async () => {
    const web = await startWeb();
    web.child.send('reject');
    await expect.poll(() => web.log()).toContain('unhandled promise rejection (kept serving)');
    expect(web.log()).toContain('injected rejection');
    expect((await fetch(`${web.url}/readyz`)).status).toBe(200);

    // A form arriving slowly (2 s), SIGTERM half a second in.
    const body = Buffer.from(`locale=ru&redirectTo=%2F&pad=${'a'.repeat(4000)}`);
    const running = trickle(web.url, formHead('/language'), body, 200, 100);
    await new Promise((resolve) => setTimeout(resolve, 500));
    web.child.kill('SIGTERM');
    await expect.poll(() => refused(web.url)).toBe(true);
    expect(await running, web.log()).toMatchObject({ status: 302, sent: body.length, cutAfterMs: null });
    expect(await web.exited).toBe(0);
    expect(web.log()).toContain('"signal":"SIGTERM"');
  });

  it('exits 1 after an uncaught exception, for the supervisor to start a clean process', async () => {
    const web = await startWeb();
    const started = Date.now();
    web.child.send('throw');
    expect(await web.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(web.log()).toContain('uncaught exception: stopping so that a clean process takes over');
    expect(web.log()).toContain('injected exception');
  });

  it('comes back by itself after kill -9 with the embedded database, whose files only its owner reads', async () => {
    const own = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-embedded-'));
    const env = { DATA_DIR: own, EMBEDDED_PG_PORT: String(await freePort()) };
    try {
      const first = await startWeb(env);
      // The database has a password of its own, which only the owner may read; the old shared one is refused.
      expect((await fs.stat(path.join(own, 'postgres.password'))).mode & 0o077).toBe(0);
      const shared = new pg.Client(`postgres://kabinet:kabinet@127.0.0.1:${env.EMBEDDED_PG_PORT}/kabinet`);
      await expect(shared.connect()).rejects.toThrow(/password authentication failed/);
      await shared.end().catch(() => undefined);
      const postmaster = Number((await fs.readFile(path.join(own, 'postgres/postmaster.pid'), 'utf8')).split('\n')[0]);
      first.child.kill('SIGKILL');
      await first.exited;
      // What used to stop the next start: the database left running on the data folder.
      expect(() => process.kill(postmaster, 0)).not.toThrow();
      const second = await startWeb(env);
      expect(second.log()).toContain('was left running by a process that ended without stopping it');
      expect(await (await fetch(`${second.url}/healthz`)).json()).toMatchObject({ ok: true });
      // Only the owner may look inside.
      expect((await fs.stat(own)).mode & 0o077).toBe(process.getuid?.() === 0 ? 0o001 : 0);
      expect((await fs.stat(path.join(own, 'media'))).mode & 0o077).toBe(0);
      // A second web process on the same folder is refused, not fought over.
      const third = spawn(process.execPath, ['server/main.ts'], {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'production',
          PORT: '0',
          SEED_DEMO: 'false',
          KABINET_BUILD_DIR: buildDir,
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let refusal = '';
      third.stderr!.on('data', (chunk) => (refusal += chunk));
      expect(await new Promise((resolve) => third.once('exit', resolve))).not.toBe(0);
      expect(refusal).toContain('Another Kabinet web process');
      const restarted = Number((await fs.readFile(path.join(own, 'postgres/postmaster.pid'), 'utf8')).split('\n')[0]);
      expect(restarted).not.toBe(postmaster);
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
      // Stopped with the web process this time.
      expect(() => process.kill(restarted, 0)).toThrow();
    } finally {
      await fs.rm(own, { recursive: true, force: true });
    }
  }, 240_000);
});
