// Starts Kabinet's real web app (tus, health, optionally the Remix build) on loopback for a test file.
import { afterAll, beforeAll } from 'vitest';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import { createSession } from '../../server/auth/sessions.ts';
import { loadConfig } from '../../server/config.ts';
import { serveWeb } from '../../server/http/http-server.ts';
import { createWebApp, type RemixMode } from '../../server/http/web-app.ts';
import { startServices, type Services } from '../../server/services.ts';
import { listenForReportChanges } from '../../workers/report-listener.ts';
import { createTestDatabase } from './test-db.ts';

export type TestServer = {
  url: string;
  services: Services;
  dataDir: string;
  /** A session cookie for a demo account (`instructor`, `student31`, …). */
  cookieFor(account: string): Promise<string>;
  userId(account: string): Promise<string>;
  /** Stops accepting and lets running requests finish, as SIGTERM does; the services stay for close(). */
  drain(graceMs?: number): Promise<void>;
  close(): Promise<void>;
};

export async function startTestServer(
  options: {
    remix?: RemixMode;
    buildDir?: string;
    env?: Record<string, string>;
    logTo?: DestinationStream;
    /** Run the report refresher (default), as every installation does. */ reports?: boolean;
  } = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    RUN_WORKER: 'false',
    ...options.env,
  });
  const services = await startServices(config, { role: 'web', logTo: options.logTo });
  const web = await createWebApp(services, { remix: options.remix ?? 'none', buildDir: options.buildDir });
  const running = await serveWeb(web, { port: 0, host: '127.0.0.1', http: config.http, logger: services.logger });
  // The report refresher, as every installation runs it (readers wait for it, never write).
  const reports = options.reports === false ? null : await listenForReportChanges(services);
  const { port } = running;
  const userId = async (account: string) => {
    const row = await services.db
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', `${account}@demo.kabinet.kg`)
      .executeTakeFirstOrThrow();
    return row.id;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    services,
    dataDir,
    userId,
    async cookieFor(account) {
      const token = await createSession(services.db, {
        userId: await userId(account),
        ttlMs: 3600_000,
        ip: null,
        userAgent: 'test',
      });
      return `kabinet_session=${token}`;
    },
    drain: (graceMs = 5_000) => running.drain(graceMs),
    async close() {
      await running.drain(0);
      await reports?.stop();
      await web.close();
      await services.close();
      await database.drop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Kabinet's web app for this test file's whole run: `const test = testServerForFile()`, then `test.server`. */
export function testServerForFile(options: Parameters<typeof startTestServer>[0] = {}): {
  readonly server: TestServer;
} {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
  });
  afterAll(() => server?.close());
  return {
    get server() {
      if (!server) throw new Error('testServerForFile: the server exists only inside tests and hooks');
      return server;
    },
  };
}
