// The report engine as the database holds it: the SQL of db/sql/ as it is in the repository, and a
// changed engine remaking the summaries it keeps (decision 034).
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { applyRepeatables, readRepeatable, repeatables } from '../../db/repeatable.ts';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { checkSummaries } from './consistency.ts';

const test = testDatabaseForFile();
const db = () => test.db;

describe('the report engine', () => {
  it('is the SQL as it is in db/sql/, and a changed report engine remakes the summaries', async () => {
    const kept = await sql<{
      name: string;
      hash: string;
    }>`select name, hash from repeatable_sql where name like 'report-%' order by name`.execute(db());
    expect(kept.rows).toEqual(
      repeatables
        .map(({ file }) => ({ name: file, hash: createHash('sha256').update(readRepeatable(file)).digest('hex') }))
        .sort((x, y) => x.name.localeCompare(y.name)),
    );
    // As if an older engine had made them: the summaries are emptied, and remade by the new one.
    await demoCabinet(db(), 'instructor', 'MATH-101');
    await sql`update repeatable_sql set hash = 'older' where name = 'report-refresh.sql'`.execute(db());
    await sql`delete from cabinet_current`.execute(db());
    const latest = (await sql<{ migration: string }>`select migration from repeatable_sql limit 1`.execute(db()))
      .rows[0]!.migration;
    expect(await applyRepeatables(db(), latest)).toEqual(['report-refresh.sql']);
    expect(
      Number((await sql<{ n: string }>`select count(*) as n from cabinet_current`.execute(db())).rows[0]!.n),
    ).toBeGreaterThan(0);
    const term = await db().selectFrom('current_term').select('id').executeTakeFirstOrThrow();
    expect(await checkSummaries(db(), term.id)).toEqual([]);
  });
});
