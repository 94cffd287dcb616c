// The newcomer's demo content: MATH-101 opened with a published assignment and a published test
// whose bank holds four questions of different kinds; its students are told of both.
import { describe, expect, it } from 'vitest';
import { principal } from '../tests/helpers/demo-cabinet.ts';
import { testDatabaseForFile } from '../tests/helpers/test-db.ts';
import { seedDemoContent } from './demo-content.ts';
import { listNotices } from './notices/notices.ts';

const database = testDatabaseForFile();

describe('demo content', () => {
  it('opens the demo cabinet with a published assignment and test, and tells its students', async () => {
    const db = database.db;
    await seedDemoContent(db);
    const items = await db
      .selectFrom('item')
      .innerJoin('cabinet', 'cabinet.id', 'item.cabinet_id')
      .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
      .innerJoin('subject', 'subject.id', 'ta.subject_id')
      .select(['item.title', 'item.status', 'subject.code'])
      .orderBy('item.title')
      .execute();
    expect(items).toEqual([
      { title: 'Аралык тест: туунду жана интеграл', status: 'published', code: 'MATH-101' },
      { title: 'Үй тапшырмасы: пределдер', status: 'published', code: 'MATH-101' },
    ]);
    const kinds = await db.selectFrom('question').select('kind').orderBy('seq').execute();
    expect(kinds.map((row) => row.kind)).toEqual(['numeric', 'single', 'true_false', 'short']);
    const told = await listNotices(db, await principal(db, 'student'));
    expect(told.map((notice) => notice.kind)).toEqual(['published', 'published']);
  });
});
