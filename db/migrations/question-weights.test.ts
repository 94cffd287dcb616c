// The question-weights migration rewrites short and numeric answers (in the bank and in attempts'
// copies) to Moodle's weighted shape, what was accepted worth 100 %, and back down again.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../client.ts';
import { clusterUrl } from '../../tests/helpers/test-db.ts';
import { migrations } from './index.ts';

const name = `migration_${randomBytes(6).toString('hex')}`;
let db: Kysely<any>;

beforeAll(async () => {
  const admin = createDb(clusterUrl('postgres'), { max: 1 });
  await sql`create database ${sql.id(name)}`.execute(admin);
  await admin.destroy();
  db = createDb(clusterUrl(name), { max: 1 });
});
afterAll(async () => {
  await db?.destroy();
  const admin = createDb(clusterUrl('postgres'), { max: 1 });
  await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
  await admin.destroy();
});

const migrator = () => new Migrator({ db, provider: { getMigrations: async () => migrations } });
const oldShort = { kind: 'short', accepted: ['Семетей', 'семетей'] };
const oldNumeric = { kind: 'numeric', answers: [{ value: 3.14, tolerance: 0.01 }] };
const single = { kind: 'single', choices: [{ text: 'а', correct: true, weight: null }] };

describe('2026-11-30T1300-question-weights', () => {
  it('weighs what was accepted at 100 %, in the bank and in attempts, and goes back down', async () => {
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
