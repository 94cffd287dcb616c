// Online tests: the instructor creates one from the cabinet's question bank (window, time limit,
// attempts, shuffling, random draw, when answers are shown), and the rules every attempt keeps.
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Database, ItemStatus, ReviewPolicy } from '../../db/schema.ts';
import type { CabinetScope, Actor } from '../auth/permissions.ts';
import { createAssessment, localDateTime, type AssessmentPlace } from '../cabinets/assessment-items.ts';
import { cabinetScopeQuery, isUuid, scopeOf } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';

const optionalCount = (max: number, message: string) =>
  z.union([
    z.literal('').transform(() => null),
    z.undefined().transform(() => null),
    z.coerce.number().int(message).min(1, message).max(max, message),
  ]);
const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('')])
  .optional()
  .transform((value) => value === 'on' || value === 'true');

/** The instructor's form. Dates are wall-clock times in the term's time zone, like an assignment's. */
export const quizFieldsSchema = z.object({
  title: z.string().trim().min(1, 'item.title_required').max(200, 'item.title_too_long'),
  instructions: z.string().trim().max(20_000, 'assignment.instructions_too_long').default(''),
  opensAt: z.union([localDateTime, z.literal('')]).default(''),
  closesAt: localDateTime,
  timeLimitMinutes: optionalCount(600, 'quiz.bad_time_limit'),
  attemptsAllowed: z.coerce.number().int('quiz.bad_attempts').min(1, 'quiz.bad_attempts').max(20, 'quiz.bad_attempts'),
  shuffleQuestions: checkbox,
  shuffleAnswers: checkbox,
  drawCount: optionalCount(500, 'quiz.bad_draw_count'),
  reviewPolicy: z.enum(['after_attempt', 'after_close', 'never']),
  maxScore: z.coerce.number().positive('assignment.bad_score').max(1000, 'assignment.bad_score'),
});
export type QuizFields = z.infer<typeof quizFieldsSchema>;

/** Creates a test in an assessment slot or as an extra item; its questions come from the cabinet's bank. */
export function createQuiz(db: Db, actor: Actor, place: AssessmentPlace, fields: QuizFields): Promise<string> {
  return createAssessment(
    db,
    actor,
    place,
    { kind: 'quiz', title: fields.title, windowMessage: 'quiz.opens_after_close' },
    async (trx, itemId, atLocal) => {
      const { count } = await trx
        .selectFrom('question')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('cabinet_id', '=', place.cabinetId)
        .executeTakeFirstOrThrow();
      if (Number(count) === 0) throw new AppError('invalid_input', 'quiz.empty_bank');
      if (fields.drawCount !== null && fields.drawCount > Number(count))
        throw new AppError('invalid_input', 'quiz.draw_above_bank', { count: Number(count) });
      return trx
        .insertInto('quiz')
        .values({
          item_id: itemId,
          instructions: fields.instructions,
          opens_at: fields.opensAt ? atLocal(fields.opensAt) : null,
          closes_at: atLocal(fields.closesAt),
          time_limit_minutes: fields.timeLimitMinutes,
          attempts_allowed: fields.attemptsAllowed,
          shuffle_questions: fields.shuffleQuestions,
          shuffle_answers: fields.shuffleAnswers,
          draw_count: fields.drawCount,
          review_policy: fields.reviewPolicy,
          max_score: fields.maxScore,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    },
  );
}

export type QuizRules = {
  id: string;
  itemId: string;
  title: string;
  status: ItemStatus;
  cabinetId: string;
  cabinet: CabinetScope;
  timeZone: string;
  instructions: string;
  opensAt: Date | null;
  closesAt: Date;
  timeLimitMinutes: number | null;
  attemptsAllowed: number;
  shuffleQuestions: boolean;
  shuffleAnswers: boolean;
  drawCount: number | null;
  reviewPolicy: ReviewPolicy;
  maxScore: number;
};

/** A test with its item and its cabinet's scope, in one query. */
export async function loadQuiz(db: Kysely<Database>, quizId: string): Promise<QuizRules | null> {
  if (!isUuid(quizId)) return null;
  const row = await cabinetScopeQuery(db)
    .innerJoin('item', (join) => join.onRef('item.cabinet_id', '=', 'cabinet.id').on('item.removed_at', 'is', null))
    .innerJoin('quiz', 'quiz.item_id', 'item.id')
    .select(['item.title', 'item.status', 'item.cabinet_id'])
    .selectAll('quiz')
    .where('quiz.id', '=', quizId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    itemId: row.item_id,
    title: row.title,
    status: row.status,
    cabinetId: row.cabinet_id,
    cabinet: scopeOf(row),
    timeZone: row.timeZone,
    instructions: row.instructions,
    opensAt: row.opens_at,
    closesAt: row.closes_at,
    timeLimitMinutes: row.time_limit_minutes,
    attemptsAllowed: row.attempts_allowed,
    shuffleQuestions: row.shuffle_questions,
    shuffleAnswers: row.shuffle_answers,
    drawCount: row.draw_count,
    reviewPolicy: row.review_policy,
    maxScore: Number(row.max_score),
  };
}

/** Whether a student may see the correct answers of a finished attempt now. */
export function reviewOpen(rules: Pick<QuizRules, 'reviewPolicy' | 'closesAt'>, finished: boolean, now: Date): boolean {
  if (!finished) return false;
  if (rules.reviewPolicy === 'after_attempt') return true;
  if (rules.reviewPolicy === 'after_close') return now >= rules.closesAt;
  return false;
}
