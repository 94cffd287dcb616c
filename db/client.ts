// Builds the Kysely client over a pg pool; nothing connects until the first query.
import { createHash } from 'node:crypto';
import { CompiledQuery, Kysely, PostgresDialect, type Compilable } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

// Dates stay strings (a `date` has no time zone); bigint counts stay strings and are parsed where used.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Kysely<Database>;

/**
 * Statements run as named prepared statements: parsed and planned once per connection instead of
 * on every call. Only for a few fixed texts on hot paths (each costs a little memory per connection).
 * A prepared text carries a mark at its start, and the connection names it by its hash: the mark
 * travels with the text, so it works from any copy of this module (the Remix build bundles one of
 * its own, whose state the pool's connections, made by the server's copy, never see).
 */
const PREPARED_MARK = '/* prepared */ ';

/** A fixed SQL text to run prepared (`$1`, `$2`… for its values); run it with `runPrepared`. */
export function preparedStatement(text: string): string {
  return text.startsWith(PREPARED_MARK) ? text : `${PREPARED_MARK}${text}`;
}

const statementNames = new Map<string, string>();
const statementName = (text: string): string => {
  let name = statementNames.get(text);
  if (!name) {
    name = `kabinet_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
};

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
    const name = typeof config === 'string' && Array.isArray(values) && config.startsWith(PREPARED_MARK) ? statementName(config) : undefined;
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
    sendPreparedByName(client);
    // A connection the server drops (restart, failover, a terminated backend) while it is lent out
    // between two queries says so with an 'error' event that nobody listens to then (the pool listens
    // only while it holds the connection): unheard, it would end the process. The next query on it
    // fails and is answered 503, and the pool discards it when it comes back.
    client.on('error', () => undefined);
  });
  // An idle connection dropped by the server is discarded; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}
