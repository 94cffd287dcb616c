// "Copy from a previous term" through the cabinet page's action: items into the same slots as
// drafts marked reused, files sharing the stored object (nothing uploaded or stored again),
// assignments and tests moved to the new term's dates, the question bank, one copy per cabinet,
// and nobody else's cabinet.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action as cabinetAction, loader as cabinetLoader } from './cabinets.$cabinetId.tsx';
import { loader as fileLoader } from './files.$fileId.tsx';
import { demoCabinet, principal } from '../../tests/helpers/demo-cabinet.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { createAssignment } from '../../server/assignments/assignments.ts';
import { importQuestions } from '../../server/quizzes/question-bank.ts';
import { createQuiz } from '../../server/quizzes/quizzes.ts';
import { openCabinet } from '../../server/cabinets/teaching.ts';

let server: TestServer;
let current: Awaited<ReturnType<typeof demoCabinet>>;
let previousCabinetId: string;
const context = () => ({ services: server.services, clientIp: '10.0.0.1' });
const db = () => server.services.db;
const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(30_000)]);
/** An MP4's signature: a lecture slot takes recordings only. */
const mp4 = Buffer.concat([
  Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'),
  randomBytes(30_000),
]);

const cabinetPost = async (account: string, cabinetId: string, fields: Record<string, string>) =>
  settle(async () =>
    cabinetAction({
      request: new Request(`http://kabinet.test/cabinets/${cabinetId}`, {
        method: 'POST',
        headers: { cookie: await server.cookieFor(account) },
        body: new URLSearchParams(fields),
      }),
      params: { cabinetId },
      context: context(),
    }),
  );
const cabinetPage = async (account: string, cabinetId: string) =>
  await cabinetLoader({
    request: new Request(`http://kabinet.test/cabinets/${cabinetId}`, {
      headers: { cookie: await server.cookieFor(account) },
    }),
    params: { cabinetId },
    context: context(),
  });

beforeAll(async () => {
  server = await startTestServer();
  current = await demoCabinet(db(), 'instructor', 'MATH-101');
  // Last spring: the same instructor taught the same subject; that cabinet has a practical file,
  // an assignment, a test and a bank.
  const term = await db()
    .insertInto('term')
    .values({
      code: '2025-2026-2',
      academic_year: '2025-2026',
      semester: 2,
      starts_on: '2026-02-02',
      weeks: 16,
      time_zone: 'Asia/Bishkek',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ta = await db()
    .selectFrom('teaching_assignment')
    .select(['subject_id', 'instructor_id'])
    .where('id', '=', current.teachingAssignmentId)
    .executeTakeFirstOrThrow();
  const oldTa = await db()
    .insertInto('teaching_assignment')
    .values({ term_id: term.id, subject_id: ta.subject_id, instructor_id: ta.instructor_id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const instructor = await principal(db(), 'instructor');
  const actor = { user: instructor, ip: null };
  previousCabinetId = await openCabinet(db(), instructor, oldTa.id);
  const oldSlots = await db()
    .selectFrom('slot')
    .selectAll()
    .where('cabinet_id', '=', previousCabinetId)
    .orderBy('week')
    .execute();
  const practical = oldSlots.find((s) => s.kind === 'practical_material' && s.number === 2)!;
  const lecture = oldSlots.find((s) => s.kind === 'lecture_video' && s.number === 1)!;
  for (const [slot, filename, bytes] of [
    [practical, 'Практика-2.pdf', pdf],
    [lecture, 'Лекция-1.mp4', mp4],
  ] as const) {
    const { finish } = await tusUploadWhole(server.url, bytes, {
      cookie: await server.cookieFor('instructor'),
      metadata: { cabinetId: previousCabinetId, slotId: slot.id, filename },
    });
    expect(finish?.status).toBe(204);
  }
  const assessments = oldSlots.filter((s) => s.kind === 'interim_assessment');
  await createAssignment(
    db(),
    actor,
    { cabinetId: previousCabinetId, slotId: assessments[0]!.id },
    {
      title: 'Эссе',
      instructions: 'PDF',
      opensAt: '',
      dueAt: '2026-03-15T23:59',
      latePolicy: 'refuse',
      maxScore: 10,
      allowedExtensions: ['pdf'],
      maxFiles: 1,
      maxFileMib: 5,
    },
  );
  await importQuestions(
    db(),
    actor,
    previousCabinetId,
    'gift',
    new TextEncoder().encode('::A:: 2+2? {=4 ~5}\n\n::B:: Жер тегерек. {T}\n'),
  );
  await createQuiz(
    db(),
    actor,
    { cabinetId: previousCabinetId, slotId: assessments[1]!.id },
    {
      title: 'Тест',
      instructions: '',
      opensAt: '',
      closesAt: '2026-04-10T18:00',
      timeLimitMinutes: 15,
      attemptsAllowed: 1,
      shuffleQuestions: true,
      shuffleAnswers: true,
      drawCount: null,
      reviewPolicy: 'after_close',
      maxScore: 20,
    },
  );
  // This term's lecture 1 already has something: the copy keeps it.
  const { finish } = await tusUploadWhole(server.url, mp4, {
    cookie: await server.cookieFor('instructor'),
    metadata: {
      cabinetId: current.cabinetId,
      slotId: current.slots.find((s) => s.kind === 'lecture_video' && s.number === 1)!.id,
      filename: 'Жаңы.mp4',
    },
  });
  expect(finish?.status).toBe(204);
});
afterAll(async () => {
  await server?.close();
});

describe('copy from a previous term', () => {
  it('offers the instructor their earlier cabinet of the subject, and nobody else', async () => {
    const page = await cabinetPage('instructor', current.cabinetId);
    expect(page.sources).toEqual([
      { cabinetId: previousCabinetId, academicYear: '2025-2026', semester: 2, items: 4, questions: 2 },
    ]);
    expect((await cabinetPage('head', current.cabinetId)).sources).toEqual([]);
    expect(
      statusOf(
        await cabinetPost('head', current.cabinetId, { intent: 'copy-term', sourceCabinetId: previousCabinetId }),
      ),
    ).toBe(403);
    expect(
      statusOf(
        await cabinetPost('student', current.cabinetId, { intent: 'copy-term', sourceCabinetId: previousCabinetId }),
      ),
    ).toBe(403);
    // instructor2 cannot pull this instructor's cabinet into theirs.
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
    expect(
      statusOf(
        await cabinetPost('instructor2', other.cabinetId, { intent: 'copy-term', sourceCabinetId: previousCabinetId }),
      ),
    ).toBe(404);
    expect(await db().selectFrom('cabinet_copy').selectAll().execute()).toEqual([]);
  });

  it('copies items into the same slots as reused drafts, sharing stored files, with dates moved to this term', async () => {
    const storedBefore = (await server.services.storage.list('originals/')).length;
    const result = (await cabinetPost('instructor', current.cabinetId, {
      intent: 'copy-term',
      sourceCabinetId: previousCabinetId,
    })) as { result: { copied: unknown } };
    expect(result.result.copied).toEqual({ items: 3, files: 1, questions: 2, skipped: 1 });
    expect((await server.services.storage.list('originals/')).length).toBe(storedBefore); // nothing stored again

    const items = await db()
      .selectFrom('item')
      .leftJoin('slot', 'slot.id', 'item.slot_id')
      .select(['item.id', 'item.title', 'item.status', 'item.copied_from_item_id', 'slot.kind', 'slot.number'])
      .where('item.cabinet_id', '=', current.cabinetId)
      .execute();
    const copied = items.filter((item) => item.copied_from_item_id);
    expect(copied.map((item) => [item.kind, item.number, item.status]).sort()).toEqual([
      ['interim_assessment', 1, 'draft'],
      ['interim_assessment', 2, 'draft'],
      ['practical_material', 2, 'draft'],
    ]);
    const practical = copied.find((item) => item.kind === 'practical_material')!;
    const [file] = await db().selectFrom('media_file').selectAll().where('item_id', '=', practical.id).execute();
    const original = await db()
      .selectFrom('media_file')
      .selectAll()
      .where('id', '=', file!.copied_from_file_id!)
      .executeTakeFirstOrThrow();
    expect(file).toMatchObject({
      storage_key: original.storage_key,
      sha256: original.sha256,
      upload_id: null,
      original_name: 'Практика-2.pdf',
    });

    // Dates: the spring term began 2026-02-02, this one (the seed's) on its own start; the wall clock stays 23:59 in Bishkek.
    const assignment = await db()
      .selectFrom('assignment')
      .innerJoin('item', 'item.id', 'assignment.item_id')
      .select(['assignment.due_at'])
      .where('item.cabinet_id', '=', current.cabinetId)
      .executeTakeFirstOrThrow();
    const terms = await db().selectFrom('term').select(['starts_on', 'academic_year']).execute();
    const days =
      (Date.parse(terms.find((t) => t.academic_year !== '2025-2026')!.starts_on) - Date.parse('2026-02-02')) /
      86_400_000;
    expect(assignment.due_at.toISOString()).toBe(
      new Date(Date.parse('2026-03-15T17:59:00Z') + days * 86_400_000).toISOString(),
    );
    const quiz = await db()
      .selectFrom('quiz')
      .innerJoin('item', 'item.id', 'quiz.item_id')
      .select(['quiz.closes_at', 'quiz.time_limit_minutes'])
      .where('item.cabinet_id', '=', current.cabinetId)
      .executeTakeFirstOrThrow();
    expect(quiz.closes_at.toISOString()).toBe(
      new Date(Date.parse('2026-04-10T12:00:00Z') + days * 86_400_000).toISOString(),
    );
    expect(quiz.time_limit_minutes).toBe(15);
    const questions = await db()
      .selectFrom('question')
      .select(['title', 'copied_from_question_id'])
      .where('cabinet_id', '=', current.cabinetId)
      .orderBy('seq')
      .execute();
    expect(questions.map((q) => q.title)).toEqual(['A', 'B']);
    expect(questions.every((q) => q.copied_from_question_id)).toBe(true);

    // The page marks them; once published, a student downloads the shared object.
    const page = (await cabinetPage('instructor', current.cabinetId)).page;
    expect(page.items.filter((item) => item.reused)).toHaveLength(3);
    // The head of department sees what was reused too.
    const headView = await cabinetPage('head', current.cabinetId);
    expect(headView.page.seesPlan).toBe(true);
    expect(headView.page.items.filter((item) => item.reused)).toHaveLength(3);
    expect(
      statusOf(await cabinetPost('instructor', current.cabinetId, { intent: 'publish', itemId: practical.id })),
    ).toBe(200);
    const download = (await settle(async () =>
      fileLoader({
        request: new Request(`http://kabinet.test/files/${file!.id}`, {
          headers: { cookie: await server.cookieFor('student') },
        }),
        params: { fileId: file!.id },
        context: context(),
      }),
    )) as Response;
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('copies once: a second press is refused and changes nothing', async () => {
    const before = await db().selectFrom('item').select('id').where('cabinet_id', '=', current.cabinetId).execute();
    const again = await cabinetPost('instructor', current.cabinetId, {
      intent: 'copy-term',
      sourceCabinetId: previousCabinetId,
    });
    expect(statusOf(again)).toBe(409);
    expect(JSON.stringify(again)).toContain('reuse.already_copied');
    expect(
      await db().selectFrom('item').select('id').where('cabinet_id', '=', current.cabinetId).execute(),
    ).toHaveLength(before.length);
  });
});
