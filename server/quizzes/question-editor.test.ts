// Questions written in Kabinet: every kind is stored so that it marks as Moodle would (a written
// question earns what its weights say), a question nobody could answer for full marks is refused
// with a reason people can read, so is anything over the limits; only the bank's instructor adds or
// edits, and an edit leaves attempts already taken as they were drawn.
import { describe, expect, it } from 'vitest';
import { demoCabinet, principal } from '../../tests/helpers/demo-cabinet.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { AppError } from '../errors.ts';
import { creditFor, type AttemptQuestion, type Answer } from './grading.ts';
import { addQuestion, editQuestion, questionData, readQuestionInput, type QuestionInput } from './question-editor.ts';

const database = testDatabaseForFile();
const db = () => database.db;

const written = (data: unknown, more: Partial<QuestionInput> = {}) =>
  readQuestionInput(JSON.stringify({ title: '', stem: 'Суроо?', generalFeedback: '', ...more, data }));
const drawn = (input: QuestionInput): AttemptQuestion => ({
  questionId: 'q',
  title: 't',
  stem: input.stem,
  hasImage: false,
  data: questionData(input),
});
const credit = (input: QuestionInput, answer: Answer) => creditFor(drawn(input), answer);
const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (error) {
    return error instanceof AppError ? error.messageKey : String(error);
  }
  return 'accepted';
};
const row = (text: string, weight: number, feedback = '') => ({ text, weight, feedback });

describe('every kind, marked as written', () => {
  it('single and multiple choice with partial weights; true/false; short with a wildcard; numeric; matching', () => {
    const single = written({ kind: 'single', choices: [row('Бишкек', 100), row('Токмок', 50), row('Ош', 0)] });
    expect([0, 1, 2].map((choice) => credit(single, { choice }))).toEqual([1, 0.5, 0]);

    const multiple = written({
      kind: 'multiple',
      choices: [row('Нарын', 50), row('Чүй', 50), row('Амазонка', -100)],
    });
    expect(credit(multiple, { choices: [0, 1] })).toBe(1);
    expect(credit(multiple, { choices: [0] })).toBe(0.5);
    expect(credit(multiple, { choices: [0, 1, 2] })).toBe(0);

    const trueFalse = written({ kind: 'true_false', answer: false, feedbackTrue: 'Жок.', feedbackFalse: '' });
    expect([credit(trueFalse, { value: false }), credit(trueFalse, { value: true })]).toEqual([1, 0]);

    const short = written({ kind: 'short', answers: [row('Манас', 100), row('Семе*', 50), row('*', 0, 'Жок')] });
    expect(['манас', 'Семетей', 'Алдар'].map((text) => credit(short, { text }))).toEqual([1, 0.5, 0]);

    const numeric = written({
      kind: 'numeric',
      answers: [
        { value: 3.14, tolerance: 0.01, weight: 100, feedback: '' },
        { value: 3, tolerance: 0, weight: 50, feedback: '' },
      ],
    });
    expect(['3,141', '3', '4'].map((number) => credit(numeric, { number }))).toEqual([1, 0.5, 0]);

    const matching = written({
      kind: 'matching',
      pairs: [
        { left: 'Бишкек', right: 'Чүй' },
        { left: 'Ош', right: 'Ош облусу' },
      ],
      distractors: ['Талас'],
    });
    const matched = { ...drawn(matching), rights: ['Ош облусу', 'Талас', 'Чүй'] };
    expect(creditFor(matched, { matches: [2, 0] })).toBe(1);
    expect(creditFor(matched, { matches: [2, 1] })).toBe(0.5);
  });

  it('refuses a question nobody could answer for full marks, and anything over the limits, saying why', () => {
    expect(refusal(() => questionData(written({ kind: 'single', choices: [row('а', 50), row('б', 0)] })))).toBe(
      'quiz.editor.no_full_marks_single',
    );
    expect(refusal(() => questionData(written({ kind: 'multiple', choices: [row('а', 50), row('б', 20)] })))).toBe(
      'quiz.editor.no_full_marks_multiple',
    );
    expect(refusal(() => questionData(written({ kind: 'short', answers: [row('а', 90)] })))).toBe(
      'quiz.editor.no_full_marks',
    );
    expect(refusal(() => written({ kind: 'single', choices: [row('а', 100)] }))).toBe('quiz.editor.not_enough');
    expect(refusal(() => written({ kind: 'short', answers: Array.from({ length: 21 }, () => row('а', 100)) }))).toBe(
      'quiz.editor.over_limit',
    );
    expect(refusal(() => written({ kind: 'single', choices: [row('а', 100), row('', 0)] }))).toBe(
      'quiz.editor.empty_part',
    );
    expect(refusal(() => written({ kind: 'single', choices: [row('а', 100), row('б', 500)] }))).toBe(
      'quiz.editor.bad_weight',
    );
    expect(refusal(() => written({ kind: 'true_false', answer: true }, { stem: 'ж'.repeat(5001) }))).toBe(
      'quiz.editor.too_long',
    );
    expect(refusal(() => written({ kind: 'essay' }))).toBe('errors.invalid_input');
    expect(refusal(() => readQuestionInput('{not json'))).toBe('errors.invalid_input');
  });
});

describe('who writes', () => {
  it("only the bank's instructor adds and edits; an edit is in the bank and the audit, attempts keep their copy", async () => {
    const cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
    const own = { user: cabinet.user, ip: null };
    const input = written({ kind: 'true_false', answer: true }, { stem: 'Ысык-Көл туздуу.' });
    const questionId = await addQuestion(db(), own, cabinet.cabinetId, input);
    const stored = await db()
      .selectFrom('question')
      .select(['title', 'kind', 'data'])
      .where('id', '=', questionId)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      title: 'Ысык-Көл туздуу.',
      kind: 'true_false',
      data: { kind: 'true_false', answer: true },
    });

    for (const account of ['student', 'head', 'instructor2']) {
      const other = { user: await principal(db(), account), ip: null };
      await expect(addQuestion(db(), other, cabinet.cabinetId, input)).rejects.toBeInstanceOf(AppError);
      await expect(editQuestion(db(), other, questionId, input)).rejects.toBeInstanceOf(AppError);
    }
    await expect(editQuestion(db(), own, 'nope', input)).rejects.toMatchObject({ code: 'not_found' });

    await editQuestion(
      db(),
      own,
      questionId,
      written({ kind: 'short', answers: [row('туздуу', 100)] }, { title: 'Көл', stem: 'Ысык-Көлдүн суусу кандай?' }),
    );
    const edited = await db()
      .selectFrom('question')
      .select(['title', 'kind', 'stem'])
      .where('id', '=', questionId)
      .executeTakeFirstOrThrow();
    expect(edited).toEqual({ title: 'Көл', kind: 'short', stem: 'Ысык-Көлдүн суусу кандай?' });
    const audit = await db()
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', '=', questionId)
      .orderBy('id')
      .execute();
    expect(audit.map((event) => event.action)).toEqual(['question.write', 'question.edit']);
  });
});
