// The repeatable SQL runner: a file is applied once, again when it changes or after a migration,
// in one transaction, by one process at a time; its `onChange` runs only when its content changed.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testDatabaseForFile } from '../tests/helpers/test-db.ts';
import { applyRepeatables } from './repeatable.ts';

const test = testDatabaseForFile();
const db = () => test.db;

const files = new Map<string, string>();
const read = (file: string) => files.get(file)!;
const fn = (name: string, value: number) =>
  `create or replace function ${name}() returns integer language sql as 'select ${value}';`;
const valueOf = async (name: string) =>
  (await sql<{ v: number }>`select ${sql.raw(name)}() as v`.execute(db())).rows[0]!.v;
const changes = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from repeatable_log`.execute(db())).rows[0]!.n);

describe('repeatable SQL', () => {
  it('is applied once, again only when its content changed or after a migration; onChange only when it changed', async () => {
    await sql`create table repeatable_log (at timestamptz default now())`.execute(db());
    const list = [{ file: 'one.sql', onChange: 'insert into repeatable_log default values' }];
    files.set('one.sql', fn('repeatable_one', 1));
    expect(await applyRepeatables(db(), 'm1', list, read)).toEqual(['one.sql']);
    expect(await valueOf('repeatable_one')).toBe(1);
    expect(await applyRepeatables(db(), 'm1', list, read)).toEqual([]);
    expect(await changes()).toBe(1);

    files.set('one.sql', fn('repeatable_one', 2));
    expect(await applyRepeatables(db(), 'm1', list, read)).toEqual(['one.sql']);
    expect(await valueOf('repeatable_one')).toBe(2);
    expect(await changes()).toBe(2);

    // A migration ran since: applied again (it may have dropped what the file makes), nothing to remake.
    await sql`drop function repeatable_one()`.execute(db());
    expect(await applyRepeatables(db(), 'm2', list, read)).toEqual(['one.sql']);
    expect(await valueOf('repeatable_one')).toBe(2);
    expect(await changes()).toBe(2);
  });

  it('leaves nothing half-applied when a statement fails', async () => {
    files.set('broken.sql', `${fn('repeatable_broken', 1)}\nselect 1 / 0;`);
    await expect(applyRepeatables(db(), 'm1', [{ file: 'broken.sql' }], read)).rejects.toThrow(/division by zero/);
    expect((await sql`select 1 from pg_proc where proname = 'repeatable_broken'`.execute(db())).rows).toEqual([]);
    expect((await sql`select 1 from repeatable_sql where name = 'broken.sql'`.execute(db())).rows).toEqual([]);
  });

  it('is applied by one of two processes starting at once', async () => {
    files.set('race.sql', `${fn('repeatable_race', 1)}\nselect pg_sleep(0.2);`);
    const list = [{ file: 'race.sql', onChange: 'insert into repeatable_log default values' }];
    const before = await changes();
    const [a, b] = await Promise.all([
      applyRepeatables(db(), 'm1', list, read),
      applyRepeatables(db(), 'm1', list, read),
    ]);
    expect([...a, ...b]).toEqual(['race.sql']);
    expect(await changes()).toBe(before + 1);
  });
});
