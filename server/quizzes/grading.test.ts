// Marking every question kind, drawing and shuffling, and what a student is shown (no answers).
import { describe, expect, it } from 'vitest';
import {
  creditFor,
  drawQuestions,
  parseNumber,
  questionForStudent,
  scoreOf,
  shuffled,
  type AttemptQuestion,
  type BankQuestion,
} from './grading.ts';
import type { QuestionData } from './question-formats.ts';

const drawn = (data: QuestionData, rights?: string[]): AttemptQuestion => ({
  questionId: 'q',
  title: 't',
  stem: 's',
  hasImage: false,
  data,
  ...(rights ? { rights } : {}),
});
const choice = (text: string, correct: boolean, weight: number | null = null) => ({ text, correct, weight });

describe('credit for each kind', () => {
  it('single choice: the right one, a Moodle partial percentage, a wrong one, none', () => {
    const q = drawn({
      kind: 'single',
      choices: [choice('Ош', false), choice('Бишкек', true), choice('Токмок', false, 50)],
    });
    expect(creditFor(q, { choice: 1 })).toBe(1);
    expect(creditFor(q, { choice: 2 })).toBe(0.5);
    expect(creditFor(q, { choice: 0 })).toBe(0);
    expect(creditFor(q, null)).toBe(0);
    expect(creditFor(q, { choice: 7 })).toBe(0); // an option that does not exist
    expect(creditFor(q, { text: 'Бишкек' })).toBe(0); // the wrong shape
  });

  it('multiple choice: shares for right choices, wrong ones take off, never below zero; Moodle weights when given', () => {
    const q = drawn({
      kind: 'multiple',
      choices: [choice('2', true), choice('3', true), choice('4', false), choice('9', false)],
    });
    expect(creditFor(q, { choices: [0, 1] })).toBe(1);
    expect(creditFor(q, { choices: [0] })).toBe(0.5);
    expect(creditFor(q, { choices: [0, 2] })).toBe(0);
    expect(creditFor(q, { choices: [2, 3] })).toBe(0);
    expect(creditFor(q, { choices: [0, 1, 2, 3] })).toBe(0);
    const weighted = drawn({
      kind: 'multiple',
      choices: [choice('a', true, 33.333), choice('b', true, 66.667), choice('c', false, -100)],
    });
    expect(creditFor(weighted, { choices: [1] })).toBe(0.6667);
    expect(creditFor(weighted, { choices: [0, 1] })).toBe(1);
  });

  it('true/false, short answers (case, spaces, ё), numbers with a tolerance and a decimal comma', () => {
    expect(creditFor(drawn({ kind: 'true_false', answer: false }), { value: false })).toBe(1);
    expect(creditFor(drawn({ kind: 'true_false', answer: false }), { value: true })).toBe(0);
    const short = drawn({
      kind: 'short',
      answers: [
        { text: 'Чүй өрөөнү', weight: 100 },
        { text: 'Chui valley', weight: 100 },
      ],
    });
    expect(creditFor(short, { text: '  чүй   ӨРӨӨНҮ ' })).toBe(1);
    expect(creditFor(short, { text: 'chui valley' })).toBe(1);
    expect(creditFor(short, { text: 'Талас' })).toBe(0);
    expect(creditFor(short, { text: '' })).toBe(0);
    expect(creditFor(drawn({ kind: 'short', answers: [{ text: 'Ёлка', weight: 100 }] }), { text: 'елка' })).toBe(1);
    const numeric = drawn({ kind: 'numeric', answers: [{ value: 3.14, tolerance: 0.01, weight: 100 }] });
    expect(creditFor(numeric, { number: '3,15' })).toBe(1);
    expect(creditFor(numeric, { number: '3.16' })).toBe(0);
    expect(creditFor(numeric, { number: 'пи' })).toBe(0);
    expect(parseNumber(' -1 000,5 ')).toBe(-1000.5);
    expect(parseNumber('1e3')).toBe(1000);
    expect(parseNumber('1.2.3')).toBeNull();
  });

  it('matching: the share of pairs matched, against the right column as the student saw it', () => {
    const q = drawn(
      {
        kind: 'matching',
        pairs: [
          { left: 'Кыргызстан', right: 'Бишкек' },
          { left: 'Казакстан', right: 'Астана' },
          { left: 'Тажикстан', right: 'Душанбе' },
        ],
      },
      ['Душанбе', 'Бишкек', 'Астана'],
    );
    expect(creditFor(q, { matches: [1, 2, 0] })).toBe(1);
    expect(creditFor(q, { matches: [1, 0, -1] })).toBe(0.3333);
    expect(creditFor(q, { matches: [1, 2] })).toBe(0); // not one per left item
  });

  it('scores: equal weight per question, rounded to hundredths', () => {
    expect(scoreOf([1, 0.5, 0], 10)).toBe(5);
    expect(scoreOf([1, 1, 0], 10)).toBe(6.67);
    expect(scoreOf([], 10)).toBe(0);
  });
});

describe('drawing an attempt', () => {
  const bank: BankQuestion[] = Array.from({ length: 10 }, (_, i) => ({
    id: `q${i}`,
    title: `Q${i}`,
    stem: `Суроо ${i}`,
    hasImage: false,
    data: { kind: 'single', choices: [choice(`a${i}`, true), choice(`b${i}`, false), choice(`c${i}`, false)] },
  }));

  it('draws the asked number of different questions from the bank, in bank order unless shuffled', () => {
    const questions = drawQuestions(bank, { drawCount: 4, shuffleQuestions: false, shuffleAnswers: false });
    const ids = questions.map((q) => q.questionId);
    expect(new Set(ids).size).toBe(4);
    expect(ids).toEqual([...ids].sort());
    expect(questions[0]!.data).toEqual(bank.find((q) => q.id === ids[0])!.data);
    expect(drawQuestions(bank, { drawCount: null, shuffleQuestions: false, shuffleAnswers: false })).toHaveLength(10);
    expect(drawQuestions(bank, { drawCount: 50, shuffleQuestions: false, shuffleAnswers: false })).toHaveLength(10);
  });

  it('shuffles with the given source and keeps every choice', () => {
    const identity = (below: number) => below - 1; // j = i: nothing moves
    expect(shuffled([1, 2, 3], identity)).toEqual([1, 2, 3]);
    const first = (_below: number) => 0; // always swap with the first
    expect(shuffled([1, 2, 3], first)).toEqual([2, 3, 1]);
    const questions = drawQuestions(bank, { drawCount: null, shuffleQuestions: true, shuffleAnswers: true }, first);
    expect(questions.map((q) => q.questionId)).not.toEqual(bank.map((q) => q.id));
    for (const q of questions) {
      const original = bank.find((b) => b.id === q.questionId)!;
      expect(q.data.kind === 'single' && q.data.choices.map((c) => c.text).sort()).toEqual(
        original.data.kind === 'single' && original.data.choices.map((c) => c.text).sort(),
      );
    }
  });

  it('shows a student the question without which answer is right', () => {
    const [q] = drawQuestions([bank[0]!], { drawCount: null, shuffleQuestions: false, shuffleAnswers: true });
    const shown = questionForStudent(q!);
    expect(JSON.stringify(shown)).not.toContain('correct');
    expect(JSON.stringify(shown)).not.toContain('weight');
    expect(shown.choices?.sort()).toEqual(['a0', 'b0', 'c0']);
    const matching = drawQuestions(
      [
        {
          ...bank[0]!,
          data: {
            kind: 'matching',
            pairs: [
              { left: 'x', right: '1' },
              { left: 'y', right: '2' },
            ],
          },
        },
      ],
      { drawCount: null, shuffleQuestions: false, shuffleAnswers: false },
    )[0]!;
    expect(questionForStudent(matching)).toEqual({
      kind: 'matching',
      stem: 'Суроо 0',
      hasImage: false,
      lefts: ['x', 'y'],
      rights: expect.arrayContaining(['1', '2']),
    });
    expect(
      JSON.stringify(questionForStudent(drawn({ kind: 'short', answers: [{ text: 'secret', weight: 100 }] }))),
    ).not.toContain('secret');
  });
});
