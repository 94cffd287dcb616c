// Builds the Kysely client over a pg pool; nothing connects until the first query.
import { createHash } from 'node:crypto';
import { CompiledQuery, Kysely, PostgresDialect, type Compilable } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Dates stay strings (a `date` has no time zone); bigint counts stay strings and are parsed where used.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Kysely<Database>;

declare global {
  // The pool behind each database made by `createDb`. Kept on the global object because the Remix
  // build bundles a copy of this module of its own: both copies must find the server's pools.
  var kabinetPools: WeakMap<object, pg.Pool> | undefined;
}
const pools = (globalThis.kabinetPools ??= new WeakMap<object, pg.Pool>());

const statementNames = new Map<string, string>();
/** A statement's name on a connection: its text's hash, so any copy of this module names it alike. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `kabinet_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Runs a fixed SQL text (`$1`, `$2`… for its values) as a named prepared statement through pg's
 * query config (`name`): parsed and planned once per connection instead of on every call. Only for a
 * few texts on hot paths (each costs a little memory per connection). On a transaction, or a database
 * this module did not make, it runs as a plain statement.
 */
export async function runPrepared<R>(db: Kysely<Database>, text: string, values: readonly unknown[]): Promise<R[]> {
  const pool = pools.get(db);
  if (pool)
    return (await pool.query<R & pg.QueryResultRow>({ name: statementName(text), text, values: [...values] })).rows;
  return (await db.executeQuery<R>(CompiledQuery.raw(text, [...values]))).rows;
}

/**
 * Runs a Kysely query as a named prepared statement (see above). Only for a query whose text does
 * not vary with its values (no lists of varying length); the text is its compiled SQL.
 */
export function executePrepared<R>(db: Kysely<Database>, query: Compilable<R>): Promise<R[]> {
  const { sql: text, parameters } = query.compile();
  return runPrepared<R>(db, text, parameters);
}

/** How the connections of a database made by `createDb` are used right now (for the metrics). */
export function poolUse(db: Db): { total: number; idle: number; waiting: number } | null {
  const pool = pools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : null;
}

export type DbOptions = {
  /** Connections at most (default 10). */
  max?: number;
  /** Told of an idle connection the server dropped (the pool discards it; the next query reconnects). */
  onPoolError?: (error: Error) => void;
};

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    // A prepared statement is planned once, not on every call: PostgreSQL's default keeps planning
    // anew when a generic plan looks dearer on paper, which was most of the cabinet page's database
    // time (0.5 ms of planning against 0.07 ms of work for its head). Ours are key lookups, which one
    // plan serves; plain statements (Kysely's) are planned for their values as before.
    options: '-c plan_cache_mode=force_generic_plan',
  });
  pool.on('connect', (client) => {
    // A connection the server drops (restart, failover, a terminated backend) while it is lent out
    // between two queries says so with an 'error' event that nobody listens to then (the pool listens
    // only while it holds the connection): unheard, it would end the process. The next query on it
    // fails and is answered 503, and the pool discards it when it comes back.
    client.on('error', () => undefined);
  });
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}
