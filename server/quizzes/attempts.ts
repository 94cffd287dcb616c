// Taking a test: starting an attempt (questions drawn and frozen), saving each answer as it is
// given, finishing by hand or at the deadline (the server decides, not the browser), marking, the
// student's review, the instructor's results per student and per question, and score overrides.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { can, requirePermission, type Principal, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import {
  answerFits,
  answerSchema,
  correctAnswer,
  creditFor,
  drawQuestions,
  questionForStudent,
  scoreOf,
  type Answer,
  type AttemptQuestion,
  type QuestionForStudent,
} from './grading.ts';
import { loadQuiz, reviewOpen, type QuizRules } from './quizzes.ts';

/** An answer sent just before the deadline may arrive a moment after it. */
export const DEADLINE_GRACE_MS = 10_000;

async function rulesOrNotFound(db: Kysely<Database>, user: Principal | null, quizId: string): Promise<QuizRules> {
  const rules = await loadQuiz(db, quizId);
  if (!rules) throw new AppError(user ? 'not_found' : 'unauthorized');
  return rules;
}

/** One change at a time to a student's attempts at a test (a double click on "start"). */
const lockStudentAttempts = (trx: Transaction<Database>, quizId: string, studentId: string) =>
  sql`select pg_advisory_xact_lock(hashtext(${`quiz:${quizId}:${studentId}`}))`.execute(trx);

/**
 * Marks an attempt and closes it, inside the caller's transaction: every answer gets its credit,
 * the attempt its score. `finishedAt` is when the student pressed "finish", or the deadline.
 */
async function markAttempt(
  trx: Transaction<Database>,
  attemptId: string,
  maxScore: number,
  finishedAt: Date | RawBuilder<Date>,
): Promise<number> {
  const attempt = await trx
    .selectFrom('quiz_attempt')
    .select(['questions', 'finished_at', 'score'])
    .where('id', '=', attemptId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (attempt.finished_at) return Number(attempt.score);
  const questions = attempt.questions as AttemptQuestion[];
  const answers = await trx
    .selectFrom('quiz_answer')
    .select(['position', 'answer'])
    .where('attempt_id', '=', attemptId)
    .execute();
  const credits = questions.map((question, position) => {
    const saved = answers.find((row) => row.position === position);
    const parsed = saved ? answerSchema.safeParse(saved.answer) : null;
    return creditFor(question, parsed?.success ? parsed.data : null);
  });
  if (answers.length) {
    const positions = answers.map((row) => row.position);
    await sql`
      update quiz_answer a set credit = v.credit
      from unnest(${positions}::int[], ${positions.map((p) => credits[p] ?? 0)}::numeric[]) as v(position, credit)
      where a.attempt_id = ${attemptId} and a.position = v.position`.execute(trx);
  }
  const score = scoreOf(credits, maxScore);
  await trx.updateTable('quiz_attempt').set({ finished_at: finishedAt, score }).where('id', '=', attemptId).execute();
  return score;
}

/**
 * Closes every attempt whose deadline has passed (with the grace), marking it with the answers
 * saved by then. Runs before anything reads attempts, and every minute as a job, so a student who
 * closed the browser gets a score at the deadline. Returns how many it closed.
 */
export async function closeExpiredAttempts(db: Db, now = new Date(), quizId?: string): Promise<number> {
  const expired = await db
    .selectFrom('quiz_attempt')
    .innerJoin('quiz', 'quiz.id', 'quiz_attempt.quiz_id')
    .select(['quiz_attempt.id', 'quiz.max_score'])
    .where('quiz_attempt.finished_at', 'is', null)
    .where('quiz_attempt.deadline_at', '<', new Date(now.getTime() - DEADLINE_GRACE_MS))
    .$if(quizId !== undefined, (q) => q.where('quiz_attempt.quiz_id', '=', quizId!))
    .execute();
  for (const attempt of expired) {
    await db
      .transaction()
      .execute((trx) => markAttempt(trx, attempt.id, Number(attempt.max_score), sql<Date>`deadline_at`));
  }
  return expired.length;
}

function requireTaker(user: Principal | null, rules: QuizRules): asserts user is Principal {
  requirePermission(user, 'item.view', { cabinet: rules.cabinet, status: rules.status });
  requirePermission(user, 'assignment.submit', { cabinet: rules.cabinet, status: rules.status });
}

/** Starts the student's next attempt, or returns the one in progress. */
export async function startAttempt(db: Db, actor: Actor, quizId: string, now = new Date()): Promise<string> {
  const rules = await rulesOrNotFound(db, actor.user, quizId);
  requireTaker(actor.user, rules);
  if (rules.opensAt && now < rules.opensAt) throw new AppError('conflict', 'quiz.not_open');
  if (now >= rules.closesAt) throw new AppError('conflict', 'quiz.closed');
  await closeExpiredAttempts(db, now, quizId);
  return db.transaction().execute(async (trx) => {
    await lockStudentAttempts(trx, quizId, actor.user.id);
    const attempts = await trx
      .selectFrom('quiz_attempt')
      .select(['id', 'finished_at'])
      .where('quiz_id', '=', quizId)
      .where('student_id', '=', actor.user.id)
      .execute();
    const open = attempts.find((attempt) => attempt.finished_at === null);
    if (open) return open.id;
    if (attempts.length >= rules.attemptsAllowed) throw new AppError('conflict', 'quiz.no_attempts_left');
    const bank = await trx
      .selectFrom('question')
      .select(['id', 'title', 'stem', 'data', 'image_key'])
      .where('cabinet_id', '=', rules.cabinetId)
      .orderBy('seq')
      .execute();
    if (bank.length === 0) throw new AppError('conflict', 'quiz.empty_bank');
    const questions = drawQuestions(
      bank.map((q) => ({ id: q.id, title: q.title, stem: q.stem, data: q.data, hasImage: q.image_key !== null })),
      rules,
    );
    const limit =
      rules.timeLimitMinutes === null
        ? rules.closesAt.getTime()
        : Math.min(rules.closesAt.getTime(), now.getTime() + rules.timeLimitMinutes * 60_000);
    const created = await trx
      .insertInto('quiz_attempt')
      .values({
        quiz_id: quizId,
        student_id: actor.user.id,
        number: attempts.length + 1,
        started_at: now,
        deadline_at: new Date(limit),
        questions: JSON.stringify(questions),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'quiz.start',
      objectType: 'quiz_attempt',
      objectId: created.id,
      ip: actor.ip,
      data: { quizId, number: attempts.length + 1 },
    });
    return created.id;
  });
}

/** The attempt with its test, for its own student only (anyone else: not found). */
async function ownAttempt(db: Kysely<Database>, user: Principal | null, attemptId: string) {
  if (!isUuid(attemptId)) throw new AppError(user ? 'not_found' : 'unauthorized');
  const attempt = await db.selectFrom('quiz_attempt').selectAll().where('id', '=', attemptId).executeTakeFirst();
  const rules = attempt ? await loadQuiz(db, attempt.quiz_id) : null;
  if (!attempt || !rules) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'submission.view', { cabinet: rules.cabinet, studentId: attempt.student_id });
  if (user.id !== attempt.student_id) throw new AppError('not_found');
  return { attempt, rules };
}

/** Saves one answer of an attempt in progress; refused once the attempt is closed or past its deadline. */
export async function saveAnswer(
  db: Db,
  user: Principal | null,
  attemptId: string,
  position: number,
  answer: Answer,
  now = new Date(),
): Promise<{ savedAt: string }> {
  const { attempt } = await ownAttempt(db, user, attemptId);
  if (attempt.finished_at || now.getTime() > attempt.deadline_at.getTime() + DEADLINE_GRACE_MS)
    throw new AppError('conflict', 'quiz.attempt_closed');
  const question = (attempt.questions as AttemptQuestion[])[position];
  if (!question || !answerFits(question, answer)) throw new AppError('invalid_input', 'quiz.bad_answer');
  return db.transaction().execute(async (trx) => {
    // Marking locks the attempt too: an answer is either in the marked attempt or refused.
    const still = await trx
      .selectFrom('quiz_attempt')
      .select('id')
      .where('id', '=', attemptId)
      .where('finished_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!still) throw new AppError('conflict', 'quiz.attempt_closed');
    const value = JSON.stringify(answer);
    await trx
      .insertInto('quiz_answer')
      .values({ attempt_id: attemptId, position, answer: value, saved_at: now })
      .onConflict((oc) => oc.columns(['attempt_id', 'position']).doUpdateSet({ answer: value, saved_at: now }))
      .execute();
    return { savedAt: now.toISOString() };
  });
}

/** The student finishes their attempt; a second press changes nothing. */
export async function finishAttempt(db: Db, actor: Actor, attemptId: string, now = new Date()): Promise<number> {
  const { attempt, rules } = await ownAttempt(db, actor.user, attemptId);
  return db.transaction().execute(async (trx) => {
    const finishedAt = now > attempt.deadline_at ? attempt.deadline_at : now;
    const score = await markAttempt(trx, attemptId, rules.maxScore, finishedAt);
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'quiz.finish',
      objectType: 'quiz_attempt',
      objectId: attemptId,
      ip: actor.ip,
      data: { score },
    });
    return score;
  });
}

/** The instructor replaces (or, with null, restores) the automatic score of a finished attempt. */
export async function overrideScore(db: Db, actor: Actor, attemptId: string, score: number | null): Promise<void> {
  if (!isUuid(attemptId)) throw new AppError('not_found');
  const attempt = await db
    .selectFrom('quiz_attempt')
    .select(['quiz_id', 'finished_at', 'student_id'])
    .where('id', '=', attemptId)
    .executeTakeFirst();
  const rules = attempt ? await loadQuiz(db, attempt.quiz_id) : null;
  if (!attempt || !rules) throw new AppError('not_found');
  requirePermission(actor.user, 'submission.grade', rules.cabinet);
  if (!attempt.finished_at) throw new AppError('conflict', 'quiz.attempt_in_progress');
  if (score !== null && (score < 0 || score > rules.maxScore))
    throw new AppError('invalid_input', 'assignment.score_above_max', { max: rules.maxScore });
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('quiz_attempt')
      .set({ override_score: score, override_by: score === null ? null : actor.user.id })
      .where('id', '=', attemptId)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'quiz.override',
      objectType: 'quiz_attempt',
      objectId: attemptId,
      ip: actor.ip,
      data: { studentId: attempt.student_id, score },
    });
  });
}

export type ReviewedQuestion = QuestionForStudent & { answer: Answer | null; correct: Answer; credit: number };
export type AttemptSummary = {
  id: string;
  number: number;
  startedAt: string;
  finishedAt: string | null;
  deadlineAt: string;
  score: number | null;
  autoScore: number | null;
  overridden: boolean;
};
export type AttemptInProgress = AttemptSummary & {
  questions: QuestionForStudent[];
  answers: (Answer | null)[];
  questionIds: string[];
};
export type ResultRow = {
  studentId: string;
  name: string;
  group: string;
  status: 'not_started' | 'in_progress' | 'finished';
  best: number | null;
  attempts: AttemptSummary[];
};
export type QuestionStat = {
  questionId: string;
  title: string;
  shown: number;
  answered: number;
  right: number;
  averageCredit: number;
};

export type QuizPage = {
  rules: Omit<QuizRules, 'cabinet' | 'opensAt' | 'closesAt'> & { opensAt: string | null; closesAt: string };
  canTake: boolean;
  canGrade: boolean;
  /** The student's own attempts, the one in progress, and the review of finished ones when the rule allows. */
  mine: {
    attempts: AttemptSummary[];
    inProgress: AttemptInProgress | null;
    best: number | null;
    reviews: { attemptId: string; number: number; questions: ReviewedQuestion[] }[];
  } | null;
  /** Staff: every student of the groups, and how each question went. */
  results: { rows: ResultRow[]; questions: QuestionStat[] } | null;
};

type AttemptRow = Awaited<ReturnType<typeof attemptsOf>>[number];
const attemptsOf = (db: Kysely<Database>, quizId: string, studentIds: string[]) =>
  studentIds.length
    ? db
        .selectFrom('quiz_attempt')
        .selectAll()
        .where('quiz_id', '=', quizId)
        .where('student_id', 'in', studentIds)
        .orderBy('number')
        .execute()
    : Promise.resolve([]);

/** The saved answers of some attempts, by `attemptId:position`. */
async function answersOf(db: Kysely<Database>, attemptIds: string[]) {
  const rows = attemptIds.length
    ? await db
        .selectFrom('quiz_answer')
        .select(['attempt_id', 'position', 'answer', 'credit'])
        .where('attempt_id', 'in', attemptIds)
        .execute()
    : [];
  return new Map(rows.map((row) => [`${row.attempt_id}:${row.position}`, row]));
}

const countedScore = (row: AttemptRow) => (row.finished_at === null ? null : Number(row.override_score ?? row.score));
const summary = (row: AttemptRow): AttemptSummary => ({
  id: row.id,
  number: row.number,
  startedAt: row.started_at.toISOString(),
  finishedAt: row.finished_at?.toISOString() ?? null,
  deadlineAt: row.deadline_at.toISOString(),
  score: countedScore(row),
  autoScore: row.score === null ? null : Number(row.score),
  overridden: row.override_score !== null,
});
/** The best finished attempt counts (decision 012). */
const bestOf = (rows: AttemptRow[]) =>
  rows.reduce<number | null>(
    (best, row) => (countedScore(row) === null ? best : Math.max(best ?? 0, countedScore(row)!)),
    null,
  );

const parsedAnswer = (value: unknown): Answer | null => {
  const parsed = answerSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
};

export async function quizPage(db: Db, user: Principal | null, quizId: string, now = new Date()): Promise<QuizPage> {
  const rules = await rulesOrNotFound(db, user, quizId);
  requirePermission(user, 'item.view', { cabinet: rules.cabinet, status: rules.status });
  await closeExpiredAttempts(db, now, quizId);
  const { cabinet, ...shown } = rules;
  const page: QuizPage = {
    rules: { ...shown, opensAt: rules.opensAt?.toISOString() ?? null, closesAt: rules.closesAt.toISOString() },
    canTake: can(user, 'assignment.submit', { cabinet, status: rules.status }),
    canGrade: can(user, 'submission.grade', cabinet),
    mine: null,
    results: null,
  };
  // Who sees the cabinet only as a student sees their own work; staff see everyone's.
  if (!can(user, 'progress.view', rules.cabinet)) {
    const attempts = await attemptsOf(db, quizId, [user.id]);
    const open = attempts.find((row) => row.finished_at === null) ?? null;
    const answers = await answersOf(
      db,
      attempts.map((a) => a.id),
    );
    const savedOf = (row: AttemptRow) =>
      (row.questions as AttemptQuestion[]).map((_, position) => answers.get(`${row.id}:${position}`));
    page.mine = {
      attempts: attempts.map(summary),
      best: bestOf(attempts),
      inProgress: open
        ? {
            ...summary(open),
            questions: (open.questions as AttemptQuestion[]).map(questionForStudent),
            questionIds: (open.questions as AttemptQuestion[]).map((q) => q.questionId),
            answers: savedOf(open).map((a) => (a ? parsedAnswer(a.answer) : null)),
          }
        : null,
      reviews: attempts
        .filter((row) => reviewOpen(rules, row.finished_at !== null, now))
        .map((row) => ({
          attemptId: row.id,
          number: row.number,
          questions: (row.questions as AttemptQuestion[]).map((question, position) => {
            const saved = savedOf(row)[position];
            return {
              ...questionForStudent(question),
              answer: saved ? parsedAnswer(saved.answer) : null,
              correct: correctAnswer(question),
              credit: Number(saved?.credit ?? 0),
            };
          }),
        })),
    };
    return page;
  }
  if (!can(user, 'progress.view', cabinet)) return page;
  const students = await db
    .selectFrom('group_student as gs')
    .innerJoin('app_user as u', 'u.id', 'gs.student_id')
    .innerJoin('study_group as g', 'g.id', 'gs.group_id')
    .select(['u.id', 'u.full_name', 'g.name as group_name'])
    .where('gs.group_id', 'in', [...cabinet.groupIds])
    .orderBy('g.name')
    .orderBy('u.full_name')
    .execute();
  const attempts = await attemptsOf(
    db,
    quizId,
    students.map((s) => s.id),
  );
  const finished = attempts.filter((row) => row.finished_at !== null);
  const credits = await answersOf(
    db,
    finished.map((a) => a.id),
  );
  // How each bank question went, over every finished attempt that drew it.
  const stats = new Map<string, QuestionStat & { creditSum: number }>();
  for (const row of finished) {
    (row.questions as AttemptQuestion[]).forEach((question, position) => {
      const stat = stats.get(question.questionId) ?? {
        questionId: question.questionId,
        title: question.title,
        shown: 0,
        answered: 0,
        right: 0,
        averageCredit: 0,
        creditSum: 0,
      };
      const credit = credits.get(`${row.id}:${position}`);
      stat.shown += 1;
      if (credit) stat.answered += 1;
      if (Number(credit?.credit ?? 0) === 1) stat.right += 1;
      stat.creditSum += Number(credit?.credit ?? 0);
      stats.set(question.questionId, stat);
    });
  }
  page.results = {
    rows: students.map((s) => {
      const own = attempts.filter((row) => row.student_id === s.id);
      const status =
        own.length === 0 ? 'not_started' : own.some((row) => row.finished_at === null) ? 'in_progress' : 'finished';
      return {
        studentId: s.id,
        name: s.full_name,
        group: s.group_name,
        status,
        best: bestOf(own),
        attempts: own.map(summary),
      };
    }),
    questions: [...stats.values()].map(({ creditSum, ...stat }) => ({
      ...stat,
      averageCredit: stat.shown ? Math.round((creditSum / stat.shown) * 100) / 100 : 0,
    })),
  };
  return page;
}
