// Builds the Kysely client over a pg pool; nothing connects until the first query.
import { CompiledQuery, Kysely, PostgresDialect, type Compilable } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Dates stay strings (a `date` has no time zone); bigint counts stay strings and are parsed where used.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Kysely<Database>;

/**
 * Statements run as named prepared statements: parsed and planned once per connection instead of
 * on every call. Only for a few fixed texts on hot paths (each costs a little memory per connection).
 */
const preparedNames = new Map<string, string>();

/** A fixed SQL text to run prepared (`$1`, `$2`… for its values); run it with `runPrepared`. */
export function preparedStatement(text: string): string {
  if (!preparedNames.has(text)) preparedNames.set(text, `kabinet_${preparedNames.size + 1}`);
  return text;
}

/** Runs a text made by `preparedStatement` with its values (on any Db or transaction). */
export async function runPrepared<R>(db: Kysely<Database>, text: string, values: unknown[]): Promise<R[]> {
  const result = await db.executeQuery<R>(CompiledQuery.raw(text, values));
  return result.rows;
}

/**
 * Runs a Kysely query as a named prepared statement (see above). Only for a query whose text does
 * not vary with its values (no lists of varying length); the text is its compiled SQL.
 */
export function executePrepared<R>(db: Kysely<Database>, query: Compilable<R>): Promise<R[]> {
  const { sql, parameters } = query.compile();
  return runPrepared<R>(db, preparedStatement(sql), [...parameters]);
}

/** Each new connection sends the prepared texts by name (Kysely sends plain texts with values). */
function sendPreparedByName(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as unknown as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    const name = typeof config === 'string' && Array.isArray(values) ? preparedNames.get(config) : undefined;
    return name ? query({ name, text: config, values }, callback) : query(config, values, callback);
  };
}

const pools = new WeakMap<Db, pg.Pool>();

/** How the connections of a database made by `createDb` are used right now (for the metrics). */
export function poolUse(db: Db): { total: number; idle: number; waiting: number } | null {
  const pool = pools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
}

export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  pool.on('connect', sendPreparedByName);
  // An idle connection dropped by the server (restart, failover) is discarded; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}
