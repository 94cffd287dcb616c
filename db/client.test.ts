import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { clusterUrl } from '../tests/helpers/test-db.ts';
import { createDb, executePrepared, runPrepared } from './client.ts';

// One connection, so the statements it has prepared can be read back from it.
const db = createDb(clusterUrl('kabinet_template'), { max: 1 });
afterAll(() => db.destroy());

const preparedOnConnection = async () =>
  (
    await sql<{
      statement: string;
      generic_plans: string;
    }>`select statement, generic_plans from pg_prepared_statements where name like 'kabinet_%'`.execute(db)
  ).rows;

describe('the database client', () => {
  it('prepares a statement once per connection and plans it once', async () => {
    const query = db.selectFrom('faculty').select('id').where('code', '=', 'none-such');
    for (let i = 0; i < 8; i++) expect(await executePrepared(db, query)).toEqual([]);
    const [statement] = (await preparedOnConnection()).filter((row) => row.statement.includes('"faculty"'));
    // Eight calls, one generic plan reused (plan_cache_mode): the database did not plan each call anew.
    expect(Number(statement?.generic_plans)).toBe(8);
  });

  it('prepares through another copy of this module (the Remix build bundles one) on the pool the server made', async () => {
    vi.resetModules();
    const copy = await import('./client.ts');
    expect(copy.runPrepared).not.toBe(runPrepared);
    const text = 'select $1::int + 1 as n';
    expect(await copy.runPrepared(db, text, [41])).toEqual([{ n: 42 }]);
    expect((await preparedOnConnection()).map((row) => row.statement)).toContain(text);
  });

  it('runs a prepared text as a plain statement inside a transaction', async () => {
    const text = 'select $1::int * 2 as n /* in a transaction */';
    expect(await db.transaction().execute((trx) => runPrepared(trx, text, [21]))).toEqual([{ n: 42 }]);
    expect((await preparedOnConnection()).map((row) => row.statement)).not.toContain(text);
  });

  it('tells of an idle connection the server drops', async () => {
    const errors: Error[] = [];
    const pool = createDb(clusterUrl('kabinet_template'), { max: 1, onPoolError: (error) => errors.push(error) });
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(pool);
      await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(db);
      await expect.poll(() => errors.length).toBe(1);
      expect((await sql<{ n: number }>`select 1 as n`.execute(pool)).rows).toEqual([{ n: 1 }]);
    } finally {
      await pool.destroy();
    }
  });

  it('outlives a connection the server drops while it is lent out: the process goes on, the pool reconnects', async () => {
    const pool = createDb(clusterUrl('kabinet_template'), { max: 1 });
    const other = createDb(clusterUrl('kabinet_template'), { max: 1 });
    try {
      await pool.connection().execute(async (connection) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
        await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(other);
        // The server's goodbye arrives while no query runs on the connection (unheard, it would be an uncaught error).
        await new Promise((resolve) => setTimeout(resolve, 300));
        await expect(sql`select 1`.execute(connection)).rejects.toThrow();
      });
      expect((await sql<{ n: number }>`select 1 as n`.execute(pool)).rows).toEqual([{ n: 1 }]);
    } finally {
      await pool.destroy();
      await other.destroy();
    }
  });
});
