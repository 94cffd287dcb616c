// The question-weights migration rewrites short and numeric answers (in the bank and in attempts'
// copies) to Moodle's weighted shape, what was accepted worth 100 %, and back down again.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../tests/helpers/test-db.ts';
import { migrations } from './index.ts';

const database = emptyDatabase();

const migrator = () => new Migrator({ db: database(), provider: { getMigrations: async () => migrations } });
const oldShort = { kind: 'short', accepted: ['Семетей', 'семетей'] };
const oldNumeric = { kind: 'numeric', answers: [{ value: 3.14, tolerance: 0.01 }] };
const single = { kind: 'single', choices: [{ text: 'а', correct: true, weight: null }] };

describe('2026-11-30T1300-question-weights', () => {
  it('weighs what was accepted at 100 %, in the bank and in attempts, and goes back down', async () => {
    const db = database();
    expect((await migrator().migrateTo('2026-11-30T1200-removal')).error).toBeUndefined();
    // Rows without their parents: only the data's shape matters here.
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      for (const data of [oldShort, oldNumeric, single])
        await sql`insert into question (cabinet_id, kind, title, stem, data, created_by)
          values (${randomUUID()}, ${data.kind}, 't', 's', ${JSON.stringify(data)}, ${randomUUID()})`.execute(trx);
      const drawn = [oldShort, single, oldNumeric].map((data) => ({ questionId: randomUUID(), data }));
      await sql`insert into quiz_attempt (quiz_id, student_id, number, deadline_at, questions)
        values (${randomUUID()}, ${randomUUID()}, 1, now(), ${JSON.stringify(drawn)})`.execute(trx);
    });
    const bank = async () =>
      (await sql<{ data: unknown }>`select data from question order by seq`.execute(db)).rows.map((row) => row.data);
    const attempt = async () =>
      (
        await sql<{ questions: { data: unknown }[] }>`select questions from quiz_attempt`.execute(db)
      ).rows[0]!.questions.map((question) => question.data);

    expect((await migrator().migrateTo('2026-11-30T1300-question-weights')).error).toBeUndefined();
    const newShort = {
      kind: 'short',
      answers: [
        { text: 'Семетей', weight: 100 },
        { text: 'семетей', weight: 100 },
      ],
    };
    const newNumeric = { kind: 'numeric', answers: [{ value: 3.14, tolerance: 0.01, weight: 100 }] };
    expect(await bank()).toEqual([newShort, newNumeric, single]);
    expect(await attempt()).toEqual([newShort, single, newNumeric]);

    expect((await migrator().migrateTo('2026-11-30T1200-removal')).error).toBeUndefined();
    expect(await bank()).toEqual([oldShort, oldNumeric, single]);
    expect(await attempt()).toEqual([oldShort, single, oldNumeric]);
  });
});
