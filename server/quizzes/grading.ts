// What a test attempt is made of and how it is marked: drawing and shuffling the questions, what a
// student may see of them, the shape of an answer to each kind, and the credit (0…1) it earns.
// Pure functions; server/quizzes/attempts.ts keeps them in the database.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Choice, QuestionData, QuestionDraft } from './question-formats.ts';

/** A question as drawn into one attempt: choices in the order shown, matching's right column shuffled. */
export type AttemptQuestion = {
  questionId: string;
  title: string;
  stem: string;
  hasImage: boolean;
  data: QuestionData;
  /** Matching: the right-hand texts in the order the student sees them. */
  rights?: string[];
};

export type BankQuestion = QuestionDraft & { id: string; hasImage: boolean };
export type DrawRules = { drawCount: number | null; shuffleQuestions: boolean; shuffleAnswers: boolean };

/** Fisher–Yates with a cryptographic source: students cannot predict the order from the clock. */
export function shuffled<T>(list: readonly T[], random: (below: number) => number = randomInt): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * The questions of a new attempt: `drawCount` of the bank at random (all when null), in bank order
 * unless questions are shuffled; choices shuffled when answers are. Matching's right column is
 * always shuffled (in bank order it would give the answers away).
 */
export function drawQuestions(
  bank: readonly BankQuestion[],
  rules: DrawRules,
  random: (below: number) => number = randomInt,
): AttemptQuestion[] {
  let chosen = [...bank];
  if (rules.drawCount !== null && rules.drawCount < bank.length) {
    const picked = new Set(
      shuffled(
        bank.map((_, i) => i),
        random,
      ).slice(0, rules.drawCount),
    );
    chosen = bank.filter((_, i) => picked.has(i));
  }
  if (rules.shuffleQuestions) chosen = shuffled(chosen, random);
  return chosen.map((question) => {
    const data = structuredClone(question.data);
    if (rules.shuffleAnswers && (data.kind === 'single' || data.kind === 'multiple'))
      data.choices = shuffled(data.choices, random);
    const drawn: AttemptQuestion = {
      questionId: question.id,
      title: question.title,
      stem: question.stem,
      hasImage: question.hasImage,
      data,
    };
    // Matching: the right-hand texts, the distractors among them.
    if (data.kind === 'matching')
      drawn.rights = shuffled(
        [...new Set([...data.pairs.map((pair) => pair.right), ...(data.distractors ?? [])])],
        random,
      );
    return drawn;
  });
}

/** What a student taking the test sees of a question: no answers. */
export type QuestionForStudent = {
  kind: QuestionData['kind'];
  stem: string;
  hasImage: boolean;
  choices?: string[];
  lefts?: string[];
  rights?: string[];
};

export function questionForStudent(question: AttemptQuestion): QuestionForStudent {
  const { data } = question;
  const shown: QuestionForStudent = { kind: data.kind, stem: question.stem, hasImage: question.hasImage };
  if (data.kind === 'single' || data.kind === 'multiple') shown.choices = data.choices.map((choice) => choice.text);
  if (data.kind === 'matching') {
    shown.lefts = data.pairs.map((pair) => pair.left);
    shown.rights = question.rights ?? [];
  }
  return shown;
}

/** The correct answer, for review: in the same shape as a student's answer. */
export function correctAnswer(question: AttemptQuestion): Answer {
  const { data } = question;
  switch (data.kind) {
    case 'single':
      return { choice: data.choices.findIndex((choice) => choice.correct) };
    case 'multiple':
      return { choices: data.choices.flatMap((choice, i) => (choice.correct ? [i] : [])) };
    case 'true_false':
      return { value: data.answer };
    case 'short':
      return { text: bestOf(data.answers.filter((a) => !a.text.includes('*')))?.text ?? '' };
    case 'numeric':
      return { number: String(bestOf(data.answers.filter((a) => a.value !== null))?.value ?? '') };
    case 'matching':
      return { matches: data.pairs.map((pair) => (question.rights ?? []).indexOf(pair.right)) };
  }
}

const index = z.number().int().min(0).max(99);
/** An answer as the page sends it; which fields depends on the kind (checked by `answerFits`). */
export const answerSchema = z.union([
  z.object({ choice: index }).strict(),
  z.object({ choices: z.array(index).max(100) }).strict(),
  z.object({ value: z.boolean() }).strict(),
  z.object({ text: z.string().max(500) }).strict(),
  z.object({ number: z.string().max(50) }).strict(),
  z.object({ matches: z.array(z.number().int().min(-1).max(99)).max(100) }).strict(),
]);
export type Answer = z.infer<typeof answerSchema>;

/** Whether an answer has the shape of this question's kind and points at options that exist. */
export function answerFits(question: AttemptQuestion, answer: Answer): boolean {
  const { data } = question;
  switch (data.kind) {
    case 'single':
      return 'choice' in answer && answer.choice < data.choices.length;
    case 'multiple':
      return 'choices' in answer && answer.choices.every((i) => i < data.choices.length);
    case 'true_false':
      return 'value' in answer;
    case 'short':
      return 'text' in answer;
    case 'numeric':
      return 'number' in answer;
    case 'matching':
      return (
        'matches' in answer &&
        answer.matches.length === data.pairs.length &&
        answer.matches.every((i) => i < (question.rights ?? []).length)
      );
  }
}

/** Case, spaces and Cyrillic/Latin look-alike differences that a person would not count as wrong. */
const normalText = (text: string) =>
  text.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('ky').replace(/ё/g, 'е');

/** "3,5" and "3.5" are the same number to a student in Bishkek. */
export function parseNumber(text: string): number | null {
  const cleaned = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned)) return null;
  return Number(cleaned);
}

/** The answer worth the most (the first of equals): what the review shows as correct. A 0 % answer never is. */
function bestOf<A extends { weight: number }>(answers: A[]): A | undefined {
  const best = answers.reduce<A | undefined>((top, a) => (a.weight > (top?.weight ?? 0) ? a : top), undefined);
  return best;
}

/**
 * Whether a student's text matches a short answer, `*` standing for any characters (Moodle's
 * wildcard). A two-pointer glob match, linear in practice: no regular expression an instructor's
 * pattern could make backtrack for ever.
 */
function matchesShort(given: string, answer: string): boolean {
  const pattern = [...normalText(answer)];
  const text = [...given];
  let [p, t, star, resume] = [0, 0, -1, 0];
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The first answer (in the bank's order) a student's short or numeric answer matches, as Moodle marks it. */
export function matchingAnswer(question: AttemptQuestion, answer: Answer | null) {
  const { data } = question;
  if (!answer) return undefined;
  if (data.kind === 'short' && 'text' in answer) {
    const given = normalText(answer.text);
    return given === '' ? undefined : data.answers.find((a) => matchesShort(given, a.text));
  }
  if (data.kind === 'numeric' && 'number' in answer) {
    const given = parseNumber(answer.number);
    if (given === null) return undefined;
    return data.answers.find((a) => a.value === null || Math.abs(given - a.value) <= a.tolerance + 1e-9);
  }
  return undefined;
}

/** Moodle's percentages when the bank has them; else all-or-nothing for one answer, and for several each right choice earns its share and each wrong one takes a share off. */
function choiceWeight(choice: Choice, choices: Choice[]): number {
  if (choice.weight !== null) return choice.weight / 100;
  const right = choices.filter((c) => c.correct).length;
  const wrong = choices.length - right;
  return choice.correct ? 1 / right : wrong ? -1 / wrong : 0;
}

const clamp = (credit: number) => Math.min(1, Math.max(0, Math.round(credit * 10_000) / 10_000));

/** The credit an answer earns, from 0 (none or no answer) to 1 (full). */
export function creditFor(question: AttemptQuestion, answer: Answer | null): number {
  if (!answer || !answerFits(question, answer)) return 0;
  const { data } = question;
  switch (data.kind) {
    case 'single': {
      const choice = data.choices[(answer as { choice: number }).choice]!;
      return clamp(choice.weight !== null ? choice.weight / 100 : choice.correct ? 1 : 0);
    }
    case 'multiple': {
      const picked = new Set((answer as { choices: number[] }).choices);
      return clamp([...picked].reduce((sum, i) => sum + choiceWeight(data.choices[i]!, data.choices), 0));
    }
    case 'true_false':
      return (answer as { value: boolean }).value === data.answer ? 1 : 0;
    case 'short':
    case 'numeric':
      return clamp((matchingAnswer(question, answer)?.weight ?? 0) / 100);
    case 'matching': {
      const rights = question.rights ?? [];
      const matches = (answer as { matches: number[] }).matches;
      const right = data.pairs.filter(
        (pair, i) => matches[i] !== undefined && matches[i]! >= 0 && rights[matches[i]!] === pair.right,
      ).length;
      return clamp(right / data.pairs.length);
    }
  }
}

/** The attempt's score: every question weighs the same; rounded to hundredths like the column. */
export function scoreOf(credits: readonly number[], maxScore: number): number {
  if (credits.length === 0) return 0;
  const total = credits.reduce((sum, credit) => sum + credit, 0);
  return Math.round((total / credits.length) * maxScore * 100) / 100;
}

/** What the review tells a student about their answer: the feedback of what they chose, then the general feedback. */
export function feedbackFor(question: AttemptQuestion, answer: Answer | null): string[] {
  const { data } = question;
  const own: (string | undefined)[] = [];
  if (answer && answerFits(question, answer)) {
    if (data.kind === 'single' && 'choice' in answer) own.push(data.choices[answer.choice]?.feedback);
    if (data.kind === 'multiple' && 'choices' in answer)
      own.push(...[...new Set(answer.choices)].sort((a, b) => a - b).map((i) => data.choices[i]?.feedback));
    if (data.kind === 'true_false' && 'value' in answer)
      own.push(answer.value ? data.feedbackTrue : data.feedbackFalse);
    if (data.kind === 'short' || data.kind === 'numeric') own.push(matchingAnswer(question, answer)?.feedback);
  }
  return [...own, data.generalFeedback].filter((text): text is string => Boolean(text));
}
