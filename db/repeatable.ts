// Repeatable SQL (decision 034): database functions, views and triggers kept as versioned .sql files
// under db/sql/, applied after the migrations and again whenever a file changes (its content's
// hash differs from the one applied) or a migration has run since (a migration may have dropped
// what a file makes). Each file runs in a transaction of its own, one process at a time. A file's
// `onChange` runs after it only when its content changed: derived data made by the old code is
// made again by the new.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export type RepeatableSql = {
  /** A file under db/sql/. */
  file: string;
  /** SQL run after the file when its content changed. */
  onChange?: string;
};

/** In this order: a file may use what an earlier one makes. */
export const repeatables: RepeatableSql[] = [
  { file: 'report-rules.sql' },
  // The summaries made by earlier code are made again by this code.
  { file: 'report-refresh.sql', onChange: 'select report_rebuild()' },
];

/** The table that says which content of each file is applied, after which migration. */
const TRACKING_TABLE = 'repeatable_sql';
/** Taken by the process applying the files; another one waits, then finds them applied. */
const LOCK = 72040034;

export const readRepeatable = (file: string): string => readFileSync(new URL(`./sql/${file}`, import.meta.url), 'utf8');
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Applies the files that changed, or all of them after a migration (`lastMigration`: the name of
 * the newest migration applied). Returns the files applied. One process at a time (a session lock
 * on one connection). A file runs in a short transaction of its own; its `onChange` (a rebuild may
 * take a while) runs after, in another, so that the locks a file takes on the tables it puts
 * triggers on are held for moments only. Its hash is recorded with the `onChange`: a crash between
 * the two applies the file again at the next start, and runs the `onChange` then.
 */
export async function applyRepeatables(
  db: Kysely<Database>,
  lastMigration: string,
  files: RepeatableSql[] = repeatables,
  read = readRepeatable,
): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${LOCK})`.execute(connection);
    try {
      const applied: string[] = [];
      for (const { file, onChange } of files) {
        const text = read(file);
        const hash = hashOf(text);
        const { rows } = await sql<{ hash: string; migration: string }>`
          select hash, migration from ${sql.table(TRACKING_TABLE)} where name = ${file}`.execute(connection);
        const known = rows[0];
        if (known?.hash === hash && known.migration === lastMigration) continue;
        await connection.transaction().execute((trx) => sql.raw(text).execute(trx));
        await connection.transaction().execute(async (trx) => {
          if (onChange && known?.hash !== hash) await sql.raw(onChange).execute(trx);
          await sql`
            insert into ${sql.table(TRACKING_TABLE)} (name, hash, migration) values (${file}, ${hash}, ${lastMigration})
            on conflict (name) do update set hash = excluded.hash, migration = excluded.migration, applied_at = now()`.execute(
            trx,
          );
        });
        applied.push(file);
      }
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(${LOCK})`.execute(connection);
    }
  });
}
