// Each test file gets its own database, cloned from the migrated and seeded template.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDb, type Db } from '../../db/client.ts';
import { migrateToLatest } from '../../db/migrate.ts';

const TEMPLATE_DB = 'kabinet_template';

export function clusterUrl(database: string): string {
  return `postgres://kabinet:kabinet@127.0.0.1:${inject('pgPort')}/${database}`;
}

export async function createTestDatabase(): Promise<{ url: string; db: Db; drop: () => Promise<void> }> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = createDb(clusterUrl('postgres'), { max: 1 });
  // Cloning needs the template to be idle; another file may be cloning it at this very moment.
  for (let attempt = 0; ; attempt++) {
    try {
      await sql`create database ${sql.id(name)} template ${sql.id(TEMPLATE_DB)}`.execute(admin);
      break;
    } catch (error) {
      if (attempt > 50 || !String(error).includes('is being accessed by other users')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await admin.destroy();
  return opened(name);
}

/** A client of a database of the test cluster, and how to drop that database. */
function opened(name: string): { url: string; db: Db; drop: () => Promise<void> } {
  const url = clusterUrl(name);
  const db = createDb(url, { max: 5 });
  return {
    url,
    db,
    drop: async () => {
      await db.destroy();
      const cleanup = createDb(clusterUrl('postgres'), { max: 1 });
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(cleanup);
      await cleanup.destroy();
    },
  };
}

/**
 * A database of this test file's own for its whole run: `const test = testDatabaseForFile()`, then
 * `test.db` inside tests and hooks.
 */
export function testDatabaseForFile(): { readonly db: Db } {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());
  return {
    get db() {
      if (!database) throw new Error('testDatabaseForFile: the database exists only inside tests and hooks');
      return database.db;
    },
  };
}

/** A migrated database with nothing in it (no demo), for a test file that imports into an empty university. */
export async function createEmptyDatabase(): Promise<{ url: string; db: Db; drop: () => Promise<void> }> {
  const name = `empty_${randomBytes(6).toString('hex')}`;
  const admin = createDb(clusterUrl('postgres'), { max: 1 });
  await sql`create database ${sql.id(name)}`.execute(admin);
  await admin.destroy();
  const database = opened(name);
  await migrateToLatest(database.db);
  return database;
}

/**
 * An empty database of its own for a test file that migrates step by step (a migration's test):
 * made before the file's tests and dropped after. Returns the handle's getter.
 */
export function emptyDatabase(): () => Db {
  const name = `migration_${randomBytes(6).toString('hex')}`;
  let db: Db | undefined;
  beforeAll(async () => {
    const admin = createDb(clusterUrl('postgres'), { max: 1 });
    await sql`create database ${sql.id(name)}`.execute(admin);
    await admin.destroy();
    db = createDb(clusterUrl(name), { max: 2 });
  });
  afterAll(async () => {
    await db?.destroy();
    const admin = createDb(clusterUrl('postgres'), { max: 1 });
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
    await admin.destroy();
  });
  return () => {
    if (!db) throw new Error('the empty database is made before the tests run');
    return db;
  };
}
