// Applies the migrations in db/migrations/index.ts, then the repeatable SQL (db/repeatable.ts);
// used at start and by the test template.
import type { Kysely } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely/migration';
import { migrations } from './migrations/index.ts';
import { applyRepeatables } from './repeatable.ts';

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** The migrations applied, and the repeatable SQL files applied after them. */
export type Applied = { migrations: string[]; repeatables: string[] };

export async function migrateToLatest(db: Kysely<any>): Promise<Applied> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  const latest = Object.keys(migrations).at(-1)!;
  return {
    migrations: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    repeatables: await applyRepeatables(db, latest),
  };
}

/**
 * Applies the migrations up to and including `name` (a restore recreates a backup's schema so, and
 * its rows are loaded into it); the repeatable SQL waits for `migrateToLatest`.
 */
export async function migrateTo(db: Kysely<any>, name: string): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
