// One embedded PostgreSQL per test run, with a migrated and seeded template each test file clones.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createDb } from '../db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { seedDemo } from '../db/seed.ts';
import { createPasswordPool } from '../server/auth/password-pool.ts';
import { createPasswords } from '../server/auth/passwords.ts';
import { startJobQueue } from '../server/jobs/job-queue.ts';
import { sharedBuildRoot } from './helpers/build-app.ts';
import { freePort } from './helpers/free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgPort: number;
  }
}

export const TEMPLATE_DB = 'kabinet_template';

export default async function setup(project: TestProject) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-pg-'));
  const port = await freePort();
  const cluster = await startEmbeddedPostgres({ dir, port, persistent: false });
  const admin = createDb(cluster.url('postgres'), { max: 1 });
  const { sql } = await import('kysely');
  await sql`create database ${sql.id(TEMPLATE_DB)}`.execute(admin);
  await admin.destroy();

  const templateUrl = cluster.url(TEMPLATE_DB);
  const db = createDb(templateUrl, { max: 2 });
  await migrateToLatest(db);
  const passwordPool = createPasswordPool();
  await seedDemo(db, createPasswords(passwordPool, 'all').hash);
  await passwordPool.close();
  await db.destroy();
  // The queue's schema too, so that no test file pays for creating it.
  const queue = await startJobQueue(templateUrl, { schedule: false });
  await queue.stop();

  project.provide('pgPort', port);
  return async () => {
    await fs.rm(sharedBuildRoot(process.pid), { recursive: true, force: true });
    await cluster.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
