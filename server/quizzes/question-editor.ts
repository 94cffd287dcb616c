// Writing a question in Kabinet (issue 19): every kind the tests support, with Moodle's weights and
// feedback, checked here whatever the browser sent (sizes, counts, a way to earn full marks), then
// added to the cabinet's bank or put in place of the question it edits. Attempts already taken keep
// the copy they drew, so an edit never changes a mark already given.
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { QuestionData } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { loadCabinetScope } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { ownQuestion } from './question-images.ts';

/** Most answers, choices or pairs a question may have. */
export const MAX_PARTS = 20;

const feedback = z
  .string()
  .trim()
  .max(2000, 'quiz.editor.too_long')
  .optional()
  .transform((text) => text || undefined);
const weight = z.number().finite().min(-100, 'quiz.editor.bad_weight').max(100, 'quiz.editor.bad_weight');
const part = z.string().trim().min(1, 'quiz.editor.empty_part').max(1000, 'quiz.editor.too_long');
const parts = <T extends z.ZodTypeAny>(item: T, min: number) =>
  z.array(item).min(min, 'quiz.editor.not_enough').max(MAX_PARTS, 'quiz.editor.over_limit');

const dataSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('single'), choices: parts(z.object({ text: part, weight, feedback }), 2) }),
  z.object({ kind: z.literal('multiple'), choices: parts(z.object({ text: part, weight, feedback }), 2) }),
  z.object({
    kind: z.literal('true_false'),
    answer: z.boolean(),
    feedbackTrue: feedback,
    feedbackFalse: feedback,
  }),
  z.object({ kind: z.literal('short'), answers: parts(z.object({ text: part, weight, feedback }), 1) }),
  z.object({
    kind: z.literal('numeric'),
    answers: parts(
      z.object({
        value: z.number().finite().nullable(),
        tolerance: z.number().finite().min(0, 'quiz.editor.bad_tolerance'),
        weight,
        feedback,
      }),
      1,
    ),
  }),
  z.object({
    kind: z.literal('matching'),
    pairs: parts(z.object({ left: part, right: part }), 2),
    distractors: z.array(part).max(MAX_PARTS, 'quiz.editor.over_limit').default([]),
  }),
]);

export const questionInputSchema = z.object({
  title: z.string().trim().max(200, 'quiz.editor.too_long').default(''),
  stem: z.string().trim().min(1, 'quiz.editor.stem_required').max(5000, 'quiz.editor.too_long'),
  generalFeedback: feedback,
  data: dataSchema,
});
export type QuestionInput = z.infer<typeof questionInputSchema>;

/** What the editor sent (JSON in one form field), read and checked; a thrown 400 with a message people can read. */
export function readQuestionInput(json: string): QuestionInput {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new AppError('invalid_input');
  }
  const parsed = questionInputSchema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues.find((issue) => /^[a-z]\w*(\.\w+)+$/.test(issue.message))?.message;
    throw new AppError('invalid_input', message ?? 'errors.invalid_input');
  }
  return parsed.data;
}

/** The stored shape, once the question can be answered for full marks the way Moodle marks it. */
export function questionData(input: QuestionInput): QuestionData {
  const { data } = input;
  const common = input.generalFeedback ? { generalFeedback: input.generalFeedback } : {};
  switch (data.kind) {
    case 'single':
    case 'multiple': {
      const full =
        data.kind === 'single'
          ? data.choices.some((choice) => choice.weight === 100)
          : Math.abs(data.choices.reduce((sum, choice) => sum + Math.max(0, choice.weight), 0) - 100) < 0.5;
      if (!full) throw new AppError('invalid_input', `quiz.editor.no_full_marks_${data.kind}`);
      const choices = data.choices.map((choice) => ({ ...choice, correct: choice.weight > 0 }));
      return { ...common, kind: data.kind, choices };
    }
    case 'short':
    case 'numeric':
      if (!data.answers.some((answer) => answer.weight === 100))
        throw new AppError('invalid_input', 'quiz.editor.no_full_marks');
      return { ...common, ...data } as QuestionData;
    case 'true_false':
    case 'matching':
      return { ...common, ...data };
  }
}

/** The title the bank lists: as written, or the stem's beginning. */
const titleOf = (input: QuestionInput) =>
  input.title || (input.stem.length > 60 ? `${input.stem.slice(0, 59)}…` : input.stem);

/** Adds a written question to a cabinet's bank (its instructor only); its id. */
export async function addQuestion(db: Db, actor: Actor, cabinetId: string, input: QuestionInput): Promise<string> {
  const scope = await loadCabinetScope(db, cabinetId);
  if (!scope) throw new AppError('not_found');
  requirePermission(actor.user, 'cabinet.edit', scope);
  const data = questionData(input);
  return db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('question')
      .values({
        cabinet_id: cabinetId,
        kind: data.kind,
        title: titleOf(input),
        stem: input.stem,
        data: JSON.stringify(data),
        created_by: actor.user.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'question.write',
      objectType: 'question',
      objectId: id,
      ip: actor.ip,
      data: { kind: data.kind },
    });
    return id;
  });
}

/** Puts an edited question in place (its bank's instructor only); attempts keep what they drew. */
export async function editQuestion(db: Db, actor: Actor, questionId: string, input: QuestionInput): Promise<void> {
  const question = await ownQuestion(db, actor.user, questionId);
  const data = questionData(input);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('question')
      .set({ kind: data.kind, title: titleOf(input), stem: input.stem, data: JSON.stringify(data) })
      .where('id', '=', question.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'question.edit',
      objectType: 'question',
      objectId: question.id,
      ip: actor.ip,
      data: { kind: data.kind },
    });
  });
}
