// Online tests through the routes people use: creating one from a GIFT bank, a student's attempt
// (answers saved one by one, nothing of the answers sent before review), the server-side deadline
// for a browser that closed, attempts allowed, results per student and per question, overrides,
// pictures, and who is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action as cabinetAction } from './cabinets.$cabinetId.tsx';
import { action as answerAction } from './quiz-attempts.$attemptId.answers.ts';
import { loader as attemptImageLoader } from './quiz-attempts.$attemptId.images.$position.ts';
import { action as quizAction, loader as quizLoader } from './quizzes.$quizId.tsx';
import { demoCabinet, principal } from '../../tests/helpers/demo-cabinet.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { closeExpiredAttempts } from '../../server/quizzes/attempts.ts';
import { type QuizPage } from '../../server/quizzes/quiz-page.ts';
import { importQuestions } from '../../server/quizzes/question-bank.ts';
import { setQuestionImage } from '../../server/quizzes/question-images.ts';
import type { Answer } from '../../server/quizzes/grading.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
const context = () => ({ services: server.services, clientIp: '10.0.0.1' });
const db = () => server.services.db;

const post = async (account: string, url: string, fields: Record<string, string>) =>
  new Request(`http://kabinet.test${url}`, {
    method: 'POST',
    headers: { cookie: await server.cookieFor(account) },
    body: new URLSearchParams(fields),
  });
const cabinetPost = async (account: string, fields: Record<string, string>) =>
  settle(async () =>
    cabinetAction({
      request: await post(account, `/cabinets/${cabinet.cabinetId}`, fields),
      params: { cabinetId: cabinet.cabinetId },
      context: context(),
    }),
  );
const quizPost = async (account: string, quizId: string, fields: Record<string, string>) =>
  settle(async () =>
    quizAction({ request: await post(account, `/quizzes/${quizId}`, fields), params: { quizId }, context: context() }),
  );
const pageAs = async (account: string, quizId: string) =>
  settle(
    async () =>
      (
        await quizLoader({
          request: new Request(`http://kabinet.test/quizzes/${quizId}`, {
            headers: { cookie: await server.cookieFor(account) },
          }),
          params: { quizId },
          context: context(),
        })
      ).page,
  ) as Promise<QuizPage | Response>;
const sendAnswer = async (account: string, attemptId: string, position: number, answer: Answer) =>
  settle(async () =>
    answerAction({
      request: new Request(`http://kabinet.test/quiz-attempts/${attemptId}/answers`, {
        method: 'POST',
        headers: { cookie: await server.cookieFor(account), 'content-type': 'application/json' },
        body: JSON.stringify({ position, answer }),
      }),
      params: { attemptId },
      context: context(),
    }),
  );
const messageOf = (value: unknown) => JSON.stringify((value as { data?: unknown }).data ?? '');

// Four questions of four kinds, as an instructor's GIFT file has them (Cyrillic, a comment).
const gift = `// Кыргызстан
::Борбор:: Кыргызстандын борбору? {=Бишкек ~Ош ~Талас}

::Көл:: Ысык-Көл — тоолуу көл. {T}

::Бийиктик:: Жеңиш чокусунун бийиктиги, км? {#7.4:0.1}

::Дал:: Шаарларды облустар менен дал келтириңиз. {
  =Каракол -> Ысык-Көл
  =Нарын -> Нарын
  =Жалал-Абад -> Жалал-Абад
}
`;

/** The right answer to each question as the attempt shows it (choices and right column shuffled). */
function rightAnswer(
  question: QuizPage['mine'] extends infer M
    ? M extends { inProgress: infer P }
      ? P extends { questions: (infer Q)[] }
        ? Q
        : never
      : never
    : never,
): Answer {
  switch (question.kind) {
    case 'single':
      return { choice: question.choices!.indexOf('Бишкек') };
    case 'true_false':
      return { value: true };
    case 'numeric':
      return { number: '7,45' };
    case 'matching': {
      const want: Record<string, string> = { Каракол: 'Ысык-Көл', Нарын: 'Нарын', 'Жалал-Абад': 'Жалал-Абад' };
      return { matches: question.lefts!.map((left) => question.rights!.indexOf(want[left]!)) };
    }
    default:
      throw new Error(`unexpected ${question.kind}`);
  }
}

const quizFields = (over: Record<string, string> = {}) => ({
  intent: 'create-quiz',
  title: 'Аралык тест',
  closesAt: '2099-12-01T23:59',
  timeLimitMinutes: '20',
  attemptsAllowed: '2',
  shuffleQuestions: 'on',
  shuffleAnswers: 'on',
  drawCount: '',
  reviewPolicy: 'after_attempt',
  maxScore: '20',
  ...over,
});

async function createPublishedQuiz(over: Record<string, string>): Promise<string> {
  expect(statusOf(await cabinetPost('instructor', quizFields(over)))).toBe(200);
  const row = await db()
    .selectFrom('quiz')
    .innerJoin('item', 'item.id', 'quiz.item_id')
    .select(['quiz.id', 'item.id as itemId'])
    .orderBy('quiz.created_at', 'desc')
    .executeTakeFirstOrThrow();
  expect(statusOf(await cabinetPost('instructor', { intent: 'publish', itemId: row.itemId }))).toBe(200);
  return row.id;
}

let quizId: string;
const assessmentSlot = (n: number) => cabinet.slots.filter((slot) => slot.kind === 'interim_assessment')[n]!.id;

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
});
afterAll(async () => {
  await server?.close();
});

describe('creating a test', () => {
  it('needs questions in the bank, refuses bad settings and other people, and then makes a test in a slot', async () => {
    expect(messageOf(await cabinetPost('instructor', quizFields({ slotId: assessmentSlot(0) })))).toContain(
      'quiz.empty_bank',
    );
    const instructor = await principal(db(), 'instructor');
    const imported = await importQuestions(
      db(),
      { user: instructor, ip: null },
      cabinet.cabinetId,
      'gift',
      new TextEncoder().encode(gift),
    );
    expect(imported).toEqual({ imported: 4, problems: [] });
    expect(
      messageOf(await cabinetPost('instructor', quizFields({ slotId: assessmentSlot(0), drawCount: '9' }))),
    ).toContain('quiz.draw_above_bank');
    expect(
      messageOf(await cabinetPost('instructor', quizFields({ slotId: assessmentSlot(0), attemptsAllowed: '0' }))),
    ).toContain('quiz.bad_attempts');
    expect(
      messageOf(
        await cabinetPost('instructor', quizFields({ slotId: assessmentSlot(0), opensAt: '2100-01-01T00:00' })),
      ),
    ).toContain('quiz.opens_after_close');
    expect(statusOf(await cabinetPost('instructor2', quizFields({ slotId: assessmentSlot(0) })))).toBe(403);
    expect(statusOf(await cabinetPost('student', quizFields({ slotId: assessmentSlot(0) })))).toBe(403);
    expect(await db().selectFrom('quiz').select('id').execute()).toEqual([]);
    expect(await db().selectFrom('item').select('id').where('cabinet_id', '=', cabinet.cabinetId).execute()).toEqual(
      [],
    ); // nothing half-written

    quizId = await createPublishedQuiz({ slotId: assessmentSlot(0) });
    const row = await db().selectFrom('quiz').selectAll().where('id', '=', quizId).executeTakeFirstOrThrow();
    expect(row.closes_at.toISOString()).toBe('2099-12-01T17:59:00.000Z'); // 23:59 in Bishkek
    expect(row).toMatchObject({
      time_limit_minutes: 20,
      attempts_allowed: 2,
      shuffle_questions: true,
      draw_count: null,
      review_policy: 'after_attempt',
    });
    // The slot holds one assessment.
    expect(
      messageOf(
        await cabinetPost('instructor', {
          ...quizFields({ slotId: assessmentSlot(0) }),
          intent: 'create-assignment',
          dueAt: '2099-12-01T23:59',
          latePolicy: 'refuse',
          maxFiles: '1',
          maxFileMib: '1',
        }),
      ),
    ).toContain('assignment.exists');
  });
});

describe('taking a test', () => {
  let attemptId: string;

  it('starts one attempt however often "start" is pressed, and sends no answers to the student', async () => {
    const [a, b] = await Promise.all([
      quizPost('student', quizId, { intent: 'start' }),
      quizPost('student', quizId, { intent: 'start' }),
    ]);
    expect([statusOf(a), statusOf(b)]).toEqual([200, 200]);
    expect(await db().selectFrom('quiz_attempt').select('id').execute()).toHaveLength(1);
    const page = (await pageAs('student', quizId)) as QuizPage;
    const attempt = page.mine!.inProgress!;
    attemptId = attempt.id;
    expect(attempt.questions.map((q) => q.kind).sort()).toEqual(['matching', 'numeric', 'single', 'true_false']);
    const sent = JSON.stringify(page);
    expect(sent).not.toContain('"correct"');
    // Not the numeric answer (7.4 ± 0.1) either; a bare "7.4" can occur inside a timestamp.
    expect(sent).not.toMatch(/(?<![\d.])7\.4(?!\d)/);
    expect(sent).not.toContain('tolerance');
    expect(Date.parse(attempt.deadlineAt) - Date.parse(attempt.startedAt)).toBe(20 * 60_000);
    expect(page.results).toBeNull();
  });

  it('saves each answer as it is given and shows it again after a reload; refuses bad answers and other people', async () => {
    const attempt = ((await pageAs('student', quizId)) as QuizPage).mine!.inProgress!;
    const single = attempt.questions.findIndex((q) => q.kind === 'single');
    expect(statusOf(await sendAnswer('student', attemptId, single, { choice: 0 }))).toBe(200);
    // Changed their mind: the latest answer counts.
    expect(statusOf(await sendAnswer('student', attemptId, single, rightAnswer(attempt.questions[single]!)))).toBe(200);
    expect(statusOf(await sendAnswer('student', attemptId, single, { text: 'Бишкек' }))).toBe(400); // not the question's shape
    expect(statusOf(await sendAnswer('student', attemptId, 99, { choice: 0 }))).toBe(400);
    expect(statusOf(await sendAnswer('student2', attemptId, single, { choice: 0 }))).toBe(404); // someone else's attempt
    expect(statusOf(await sendAnswer('instructor', attemptId, single, { choice: 0 }))).toBe(404);
    const again = ((await pageAs('student', quizId)) as QuizPage).mine!.inProgress!;
    expect(again.answers[single]).toEqual(rightAnswer(attempt.questions[single]!));
  });

  it('marks the attempt when the student finishes, then shows the review the rule allows', async () => {
    const attempt = ((await pageAs('student', quizId)) as QuizPage).mine!.inProgress!;
    for (const [position, question] of attempt.questions.entries()) {
      // Everything right except the matching question, where one pair is right of three.
      const answer: Answer =
        question.kind === 'matching'
          ? { matches: [...(rightAnswer(question) as { matches: number[] }).matches].map((m, i) => (i === 0 ? m : -1)) }
          : rightAnswer(question);
      expect(statusOf(await sendAnswer('student', attemptId, position, answer))).toBe(200);
    }
    expect(statusOf(await quizPost('student', quizId, { intent: 'finish', attemptId }))).toBe(200);
    expect(statusOf(await quizPost('student', quizId, { intent: 'finish', attemptId }))).toBe(200); // a second press changes nothing
    const page = (await pageAs('student', quizId)) as QuizPage;
    // (1 + 1 + 1 + 1/3) / 4 × 20 = 16.67
    expect(page.mine!.attempts.map((a) => a.score)).toEqual([16.67]);
    expect(page.mine!.best).toBe(16.67);
    expect(page.mine!.reviews[0]!.questions.map((q) => q.credit).sort()).toEqual([0.3333, 1, 1, 1]);
    expect(statusOf(await sendAnswer('student', attemptId, 0, { choice: 0 }))).toBe(409); // closed
  });
});

describe("the deadline is the server's", () => {
  it('keeps the answers of a student whose browser closed and marks the attempt at the time limit', async () => {
    // Their second (last) attempt: one answer, then the browser is gone.
    expect(statusOf(await quizPost('student', quizId, { intent: 'start' }))).toBe(200);
    const attempt = ((await pageAs('student', quizId)) as QuizPage).mine!.inProgress!;
    const tf = attempt.questions.findIndex((q) => q.kind === 'true_false');
    expect(statusOf(await sendAnswer('student', attempt.id, tf, { value: true }))).toBe(200);
    // 25 minutes later (the limit is 20): the job closes it with what was saved.
    const later = new Date(Date.now() + 25 * 60_000);
    expect(await closeExpiredAttempts(db(), later)).toBe(1);
    const row = await db()
      .selectFrom('quiz_attempt')
      .selectAll()
      .where('id', '=', attempt.id)
      .executeTakeFirstOrThrow();
    expect(row.finished_at?.toISOString()).toBe(row.deadline_at.toISOString());
    expect(Number(row.score)).toBe(5); // one of four right
    expect(statusOf(await sendAnswer('student', attempt.id, tf, { value: false }))).toBe(409);
    // Both attempts used; the best counts.
    const page = (await pageAs('student', quizId)) as QuizPage;
    expect(page.mine!.best).toBe(16.67);
    expect(messageOf(await quizPost('student', quizId, { intent: 'start' }))).toContain('quiz.no_attempts_left');
  });

  it('refuses an answer sent after the deadline even before the job ran', async () => {
    expect(statusOf(await quizPost('student2', quizId, { intent: 'start' }))).toBe(200);
    const attempt = await db()
      .selectFrom('quiz_attempt')
      .innerJoin('app_user', 'app_user.id', 'quiz_attempt.student_id')
      .select('quiz_attempt.id')
      .where('app_user.email', '=', 'student2@demo.kabinet.kg')
      .executeTakeFirstOrThrow();
    await db()
      .updateTable('quiz_attempt')
      .set({ deadline_at: new Date(Date.now() - 60_000) })
      .where('id', '=', attempt.id)
      .execute();
    const late = (await sendAnswer('student2', attempt.id, 0, { value: true })) as Response;
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ messageKey: 'quiz.attempt_closed' });
    // Reading the page closes it: the instructor sees a finished attempt with 0.
    const staff = (await pageAs('instructor', quizId)) as QuizPage;
    expect(
      staff.results!.rows.find((r) => r.name && r.attempts.some((a) => a.id === attempt.id))!.attempts[0]!.score,
    ).toBe(0);
  });
});

describe('results', () => {
  it('shows the instructor and the head every student and each question, and lets only the instructor override', async () => {
    const staff = (await pageAs('instructor', quizId)) as QuizPage;
    const student = staff.results!.rows.find((row) => row.attempts.length === 2)!;
    expect(student).toMatchObject({ status: 'finished', best: 16.67 });
    expect(staff.results!.rows.filter((row) => row.status === 'not_started').length).toBeGreaterThan(10);
    const capital = staff.results!.questions.find((q) => q.title === 'Борбор')!;
    expect(capital).toMatchObject({ shown: 3, answered: 1, right: 1 });
    const lake = staff.results!.questions.find((q) => q.title === 'Көл')!;
    expect(lake).toMatchObject({ shown: 3, answered: 2, right: 2 });

    const head = (await pageAs('head', quizId)) as QuizPage;
    expect(head.results!.rows).toHaveLength(staff.results!.rows.length);
    expect(head.canGrade).toBe(false);
    const second = student.attempts[1]!.id;
    expect(statusOf(await quizPost('head', quizId, { intent: 'override', attemptId: second, score: '20' }))).toBe(403);
    expect(statusOf(await quizPost('student', quizId, { intent: 'override', attemptId: second, score: '20' }))).toBe(
      403,
    );
    expect(
      messageOf(await quizPost('instructor', quizId, { intent: 'override', attemptId: second, score: '21' })),
    ).toContain('assignment.score_above_max');
    expect(statusOf(await quizPost('instructor', quizId, { intent: 'override', attemptId: second, score: '18' }))).toBe(
      200,
    );
    const mine = (await pageAs('student', quizId)) as QuizPage;
    expect(mine.mine!.best).toBe(18);
    expect(mine.mine!.attempts[1]).toMatchObject({ score: 18, autoScore: 5, overridden: true });
    expect(statusOf(await quizPost('instructor', quizId, { intent: 'override', attemptId: second, score: '' }))).toBe(
      200,
    );
    expect(((await pageAs('student', quizId)) as QuizPage).mine!.best).toBe(16.67);
  });

  it('hides the test from another group and from students while a draft', async () => {
    expect(statusOf(await pageAs('student46', quizId))).toBe(404);
    expect(statusOf(await quizPost('student46', quizId, { intent: 'start' }))).toBe(404);
    expect(statusOf(await pageAs('instructor2', quizId))).toBe(404);
  });
});

describe('a test as an extra item, with a random draw and a picture', () => {
  it('draws the asked number of questions for each attempt and serves the picture only to those who may see the attempt', async () => {
    const instructor = await principal(db(), 'instructor');
    const question = await db()
      .selectFrom('question')
      .select('id')
      .where('title', '=', 'Борбор')
      .executeTakeFirstOrThrow();
    const png = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
      'hex',
    );
    await expect(
      setQuestionImage(
        db(),
        server.services.storage,
        { user: instructor, ip: null },
        question.id,
        new TextEncoder().encode('<svg onload=alert(1)>'),
      ),
    ).rejects.toMatchObject({ messageKey: 'quiz.image_type' });
    await setQuestionImage(db(), server.services.storage, { user: instructor, ip: null }, question.id, png);

    const extraId = await createPublishedQuiz({
      title: 'Кошумча тест',
      drawCount: '2',
      reviewPolicy: 'never',
      timeLimitMinutes: '',
    });
    const item = await db()
      .selectFrom('quiz')
      .innerJoin('item', 'item.id', 'quiz.item_id')
      .select(['item.slot_id'])
      .where('quiz.id', '=', extraId)
      .executeTakeFirstOrThrow();
    expect(item.slot_id).toBeNull();
    const seen = new Set<string>();
    for (const account of ['student3', 'student4', 'student5']) {
      expect(statusOf(await quizPost(account, extraId, { intent: 'start' }))).toBe(200);
      const attempt = ((await pageAs(account, extraId)) as QuizPage).mine!.inProgress!;
      expect(attempt.questions).toHaveLength(2);
      expect(new Set(attempt.questionIds).size).toBe(2);
      // No time limit: the attempt runs until the test closes.
      expect(attempt.deadlineAt).toBe('2099-12-01T17:59:00.000Z');
      attempt.questionIds.forEach((id) => seen.add(id));
      const withPicture = attempt.questionIds.indexOf(question.id);
      if (withPicture >= 0) {
        const image = async (who: string) =>
          settle(async () =>
            attemptImageLoader({
              request: new Request('http://kabinet.test/x', { headers: { cookie: await server.cookieFor(who) } }),
              params: { attemptId: attempt.id, position: String(withPicture) },
              context: context(),
            }),
          );
        const mine = (await image(account)) as Response;
        expect(mine.status).toBe(200);
        expect(mine.headers.get('content-type')).toBe('image/png');
        expect(Buffer.from(await mine.arrayBuffer()).equals(png)).toBe(true);
        expect(statusOf(await image('student2'))).toBe(404);
        expect(statusOf(await image('instructor'))).toBe(200);
      }
      expect(statusOf(await quizPost(account, extraId, { intent: 'finish', attemptId: attempt.id }))).toBe(200);
      // Review "never": the score, no answers.
      const after = (await pageAs(account, extraId)) as QuizPage;
      expect(after.mine!.reviews).toEqual([]);
      expect(after.mine!.best).not.toBeNull();
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
  });
});
