// Taking a test: starting an attempt (questions drawn and frozen), saving each answer as it is
// given, finishing by hand or at the deadline (the server decides, not the browser), marking, the
// student's review, the instructor's results per student and per question, and score overrides.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Principal, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import {
  answerFits,
  answerSchema,
  creditFor,
  drawQuestions,
  scoreOf,
  type Answer,
  type AttemptQuestion,
} from './grading.ts';
import { loadQuiz, type QuizRules } from './quizzes.ts';

/** An answer sent just before the deadline may arrive a moment after it. */
export const DEADLINE_GRACE_MS = 10_000;

export async function rulesOrNotFound(
  db: Kysely<Database>,
  user: Principal | null,
  quizId: string,
): Promise<QuizRules> {
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
