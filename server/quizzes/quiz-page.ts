// A test's page as each person sees it: a student their attempts, the one in progress and the
// reviews now open; staff every student's attempts and how each question went.
import type { Kysely } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import {
  answerSchema,
  correctAnswer,
  feedbackFor,
  questionForStudent,
  type Answer,
  type AttemptQuestion,
  type QuestionForStudent,
} from './grading.ts';
import { reviewOpen, type QuizRules } from './quizzes.ts';
import { closeExpiredAttempts, rulesOrNotFound } from './attempts.ts';

export type ReviewedQuestion = QuestionForStudent & {
  answer: Answer | null;
  correct: Answer;
  credit: number;
  /** The feedback of the student's answer, and the general feedback. */
  feedback: string[];
};
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

/** A student's own attempts: the one in progress with its saved answers, and the reviews now open. */
async function ownWork(db: Db, rules: QuizRules, studentId: string, now: Date): Promise<NonNullable<QuizPage['mine']>> {
  const attempts = await attemptsOf(db, rules.id, [studentId]);
  const open = attempts.find((row) => row.finished_at === null) ?? null;
  const answers = await answersOf(
    db,
    attempts.map((a) => a.id),
  );
  const savedOf = (row: AttemptRow) =>
    (row.questions as AttemptQuestion[]).map((_, position) => answers.get(`${row.id}:${position}`));
  return {
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
          const answer = saved ? parsedAnswer(saved.answer) : null;
          return {
            ...questionForStudent(question),
            answer,
            correct: correctAnswer(question),
            feedback: feedbackFor(question, answer),
            credit: Number(saved?.credit ?? 0),
          };
        }),
      })),
  };
}

/** How each bank question went, over every finished attempt that drew it. */
function questionStats(finished: AttemptRow[], credits: Awaited<ReturnType<typeof answersOf>>): QuestionStat[] {
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
  return [...stats.values()].map(({ creditSum, ...stat }) => ({
    ...stat,
    averageCredit: stat.shown ? Math.round((creditSum / stat.shown) * 100) / 100 : 0,
  }));
}

/** Staff: every student of the groups with their attempts, and how each question went. */
async function results(db: Db, quizId: string, groupIds: readonly string[]): Promise<NonNullable<QuizPage['results']>> {
  const students = await db
    .selectFrom('group_student as gs')
    .innerJoin('app_user as u', 'u.id', 'gs.student_id')
    .innerJoin('study_group as g', 'g.id', 'gs.group_id')
    .select(['u.id', 'u.full_name', 'g.name as group_name'])
    .where('gs.group_id', 'in', [...groupIds])
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
  const rows = students.map((s) => {
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
    } as const;
  });
  return { rows, questions: questionStats(finished, credits) };
}

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
  if (!can(user, 'progress.view', cabinet)) return { ...page, mine: await ownWork(db, rules, user.id, now) };
  return { ...page, results: await results(db, quizId, cabinet.groupIds) };
}
