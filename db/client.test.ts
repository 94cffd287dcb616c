import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { clusterUrl } from '../tests/helpers/test-db.ts';
import { createDb, executePrepared, preparedStatement, runPrepared } from './client.ts';

// One connection, so the statements it has prepared can be read back from it.
const db = createDb(clusterUrl('kabinet_template'), { max: 1 });
afterAll(() => db.destroy());

const preparedOnConnection = async () =>
  (await sql<{ statement: string; generic_plans: string }>`select statement, generic_plans from pg_prepared_statements where name like 'kabinet_%'`.execute(db)).rows;

describe('prepared statements', () => {
  it('are prepared once per connection and planned once', async () => {
    const query = db.selectFrom('faculty').select('id').where('code', '=', 'none-such');
    for (let i = 0; i < 8; i++) expect(await executePrepared(db, query)).toEqual([]);
    const [statement] = (await preparedOnConnection()).filter((row) => row.statement.includes('"faculty"'));
    // Eight calls, one generic plan reused (plan_cache_mode): the database did not plan each call anew.
    expect(Number(statement?.generic_plans)).toBe(8);
  });

  it('are prepared when the text comes from another copy of this module (the Remix build bundles one)', async () => {
    vi.resetModules();
    const copy = await import('./client.ts');
    expect(copy.preparedStatement).not.toBe(preparedStatement);
    const text = copy.preparedStatement('select $1::int + 1 as n');
    expect(await runPrepared(db, text, [41])).toEqual([{ n: 42 }]);
    expect((await preparedOnConnection()).map((row) => row.statement)).toContain(text);
  });
});
