// Quality signals on hand-made data with known answers: lecture minutes, captions, reuse,
// watching to the end, submissions and grading.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { qualityColumns, qualityOf } from './quality.ts';
import { catchUp } from './summaries.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
const db = () => server.services.db;
/** One cabinet's signals as the reports show them, once the refresher has caught up. */
const qualityNow = async (cabinetId: string) => {
  await catchUp(db());
  return qualityOf(
    await db()
      .selectFrom('cabinet_current')
      .select(qualityColumns)
      .where('cabinet_id', '=', cabinetId)
      .executeTakeFirstOrThrow(),
  );
};

async function item(fields: {
  slotKind?: string;
  number?: number;
  status?: 'draft' | 'published';
  copiedFrom?: string;
}) {
  const slot = fields.slotKind
    ? cabinet.slots.find((s) => s.kind === fields.slotKind && s.number === fields.number)!
    : null;
  return (
    await db()
      .insertInto('item')
      .values({
        cabinet_id: cabinet.cabinetId,
        slot_id: slot?.id ?? null,
        title: 'x',
        status: fields.status ?? 'published',
        published_at: fields.status === 'draft' ? null : new Date(),
        created_by: cabinet.user.id,
        copied_from_item_id: fields.copiedFrom ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}
async function lecture(itemId: string, seconds: number) {
  const id = randomUUID();
  await db()
    .insertInto('media_file')
    .values({
      id,
      item_id: itemId,
      upload_id: randomBytes(16).toString('hex'),
      storage_key: `originals/${id.slice(0, 2)}/${id}/original.mp4`,
      original_name: 'l.mp4',
      byte_size: 10,
      sha256: 'b'.repeat(64),
      content_type: 'video/mp4',
      file_kind: 'video',
      processing_state: 'ready',
      ready_at: new Date(),
      duration_seconds: seconds,
      created_by: cabinet.user.id,
    })
    .execute();
  return id;
}

let students: string[];

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
  students = (
    await db()
      .selectFrom('group_student as gs')
      .innerJoin('teaching_assignment_group as tag', 'tag.group_id', 'gs.group_id')
      .select('gs.student_id')
      .distinct()
      .where('tag.teaching_assignment_id', '=', cabinet.teachingAssignmentId)
      .execute()
  ).map((r) => r.student_id);
  const first = await lecture(await item({ slotKind: 'lecture_video', number: 1 }), 1800);
  await lecture(await item({ slotKind: 'lecture_video', number: 2 }), 600);
  await lecture(await item({ slotKind: 'lecture_video', number: 3, status: 'draft' }), 900); // a draft: not counted
  await db()
    .insertInto('caption')
    .values({ media_file_id: first, language: 'ky', vtt: 'WEBVTT\n', created_by: cabinet.user.id })
    .execute();
  for (const student of students.slice(0, 2))
    await db()
      .insertInto('watch_progress')
      .values({
        user_id: student,
        media_file_id: first,
        watched_seconds: 1700,
        furthest_seconds: 1790,
        completed_at: new Date(),
      })
      .execute();
  await db()
    .insertInto('watch_progress')
    .values({ user_id: students[2]!, media_file_id: first, watched_seconds: 100, furthest_seconds: 100 })
    .execute(); // started, not finished
  const old = await item({ status: 'draft' });
  await item({ copiedFrom: old, status: 'draft' });
  const assignmentItem = await item({ slotKind: 'interim_assessment', number: 1 });
  const assignment = await db()
    .insertInto('assignment')
    .values({
      item_id: assignmentItem,
      due_at: new Date(),
      late_policy: 'accept_late',
      max_score: 10,
      max_files: 1,
      max_file_bytes: 1000,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [i, student] of students.slice(0, 2).entries()) {
    await db()
      .insertInto('submission')
      .values({ assignment_id: assignment.id, student_id: student, version: 1, late: false })
      .execute();
    await db()
      .insertInto('submission')
      .values({ assignment_id: assignment.id, student_id: student, version: 2, late: false })
      .execute(); // a resubmission counts once
    if (i === 0)
      await db()
        .insertInto('grade')
        .values({ assignment_id: assignment.id, student_id: student, score: 8, graded_by: cabinet.user.id })
        .execute();
  }
});
afterAll(async () => {
  await server?.close();
});

describe('quality signals', () => {
  it('gives the known answers', async () => {
    const signals = await qualityNow(cabinet.cabinetId);
    expect(signals.lectureMinutes).toBe(40);
    expect(signals.captionShare).toBe(0.5);
    expect(signals.reusedItems).toBe(1);
    // Lecture 1: 2 of the students finished it; lecture 2: nobody.
    expect(signals.watchedShare).toBeCloseTo((2 / students.length + 0) / 2);
    expect(signals.submissions).toBe(2);
    expect(signals.gradedShare).toBe(0.5);
  });

  it('gives nothing for a cabinet without lectures or work', async () => {
    const other = await demoCabinet(
      db(),
      'instructor2',
      (
        await db()
          .selectFrom('subject')
          .innerJoin('teaching_assignment as ta', 'ta.subject_id', 'subject.id')
          .innerJoin('app_user as u', 'u.id', 'ta.instructor_id')
          .select('subject.code')
          .where('u.email', '=', 'instructor2@demo.kabinet.kg')
          .executeTakeFirstOrThrow()
      ).code,
    );
    expect(await qualityNow(other.cabinetId)).toEqual({
      lectureMinutes: 0,
      captionShare: null,
      reusedItems: 0,
      watchedShare: null,
      submissions: 0,
      gradedShare: null,
    });
  });
});
