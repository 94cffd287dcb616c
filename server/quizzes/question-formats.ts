// Question banks in and out of Moodle's text formats: GIFT (read as Moodle reads it, gift.ts, one
// question at a time so that one bad question does not lose the file) and Aiken, with a report of
// what could not be imported and why; GIFT out with the weights and feedback. Pure functions.
import type { QuestionChoice, QuestionData } from '../../db/schema.ts';
import { readGiftQuestion } from './gift.ts';

export type { QuestionData, QuestionKind } from '../../db/schema.ts';
export type Choice = QuestionChoice;
export type QuestionDraft = { title: string; stem: string; data: QuestionData };
/** A line (1-based, in the imported text) and a dictionary key saying why. */
export type ImportProblem = { line: number; reason: string; excerpt: string };
export type ImportResult = { questions: QuestionDraft[]; problems: ImportProblem[] };

const MAX_QUESTIONS = 2000;

/** Blocks of non-blank lines with the line they start on; GIFT and Aiken separate questions by blank lines. */
function blocks(text: string): { line: number; text: string }[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n');
  const found: { line: number; lines: string[] }[] = [];
  let current: { line: number; lines: string[] } | null = null;
  lines.forEach((line, i) => {
    if (line.trim() === '') {
      current = null;
      return;
    }
    if (!current) {
      current = { line: i + 1, lines: [] };
      found.push(current);
    }
    current.lines.push(line);
  });
  return found.map((block) => ({ line: block.line, text: block.lines.join('\n') }));
}

const leadingComments = (text: string) => text.split('\n').findIndex((line) => !line.trim().startsWith('//'));
const excerptOf = (text: string) =>
  text
    .split('\n')
    .find((line) => line.trim() && !line.trim().startsWith('//'))
    ?.trim()
    .slice(0, 80) ?? '';

export function importGift(text: string): ImportResult {
  const result: ImportResult = { questions: [], problems: [] };
  for (const block of blocks(text)) {
    const code = block.text
      .split('\n')
      .filter((line) => !line.trim().startsWith('//'))
      .join('\n')
      .trim();
    if (!code || code.startsWith('$CATEGORY')) continue;
    if (result.questions.length >= MAX_QUESTIONS) {
      // The bank is full: the rest is not parsed (a 2 MB file holds some 25,000 blocks), one problem says where it stopped.
      result.problems.push({
        line: block.line + leadingComments(block.text),
        reason: 'quiz.import.too_many',
        excerpt: excerptOf(block.text),
      });
      break;
    }
    const line = block.line + leadingComments(block.text);
    const read = readGiftQuestion(code);
    if (read === 'skip') continue;
    // The question's first line: where a person starts looking.
    if ('problem' in read) result.problems.push({ line, reason: read.problem, excerpt: excerptOf(block.text) });
    else result.questions.push(read);
  }
  return result;
}

/**
 * Aiken: the question on one line, then options `A. …` or `A) …`, then `ANSWER: B`. One correct
 * answer per question; questions separated by blank lines.
 */
export function importAiken(text: string): ImportResult {
  const result: ImportResult = { questions: [], problems: [] };
  for (const block of blocks(text)) {
    const lines = block.text.split('\n').map((line) => line.trim());
    const problem = (reason: string) =>
      result.problems.push({ line: block.line, reason, excerpt: excerptOf(block.text) });
    const firstOption = lines.findIndex((line) => /^[A-Z][.)]\s+\S/.test(line));
    const answerAt = lines.findIndex((line) => /^ANSWER\s*:/i.test(line));
    if (firstOption < 1 || answerAt === -1 || answerAt < firstOption) {
      problem(answerAt === -1 ? 'quiz.import.aiken_no_answer' : 'quiz.import.syntax');
      continue;
    }
    const options = lines.slice(firstOption, answerAt);
    if (options.some((line) => !/^[A-Z][.)]\s+\S/.test(line)) || options.length < 2) {
      problem('quiz.import.syntax');
      continue;
    }
    const letter = lines[answerAt]!.replace(/^ANSWER\s*:\s*/i, '')
      .trim()
      .toUpperCase();
    const letters = options.map((line) => line[0]!);
    if (!letters.includes(letter)) {
      problem('quiz.import.aiken_no_answer');
      continue;
    }
    const stem = lines.slice(0, firstOption).join(' ');
    if (result.questions.length >= MAX_QUESTIONS) {
      problem('quiz.import.too_many');
      continue;
    }
    result.questions.push({
      title: stem.slice(0, 60),
      stem,
      data: {
        kind: 'single',
        choices: options.map((line) => ({
          text: line.replace(/^[A-Z][.)]\s+/, ''),
          correct: line[0] === letter,
          weight: line[0] === letter ? 100 : 0,
        })),
      },
    });
  }
  return result;
}

/** GIFT's special characters are escaped with a backslash. */
const escape = (text: string) => text.replace(/[~=#{}:\\]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
const feedback = (text: string | undefined) => (text ? `#${escape(text)}` : '');
const percent = (weight: number) => `%${Number(weight.toFixed(5))}%`;

/** A choice: `=` right, `~` wrong, `~%50%` a part of the mark; with its feedback. */
function choiceLine(choice: Choice, multiple: boolean, share: number): string {
  const weight = choice.weight ?? (choice.correct ? (multiple ? share : 100) : multiple ? -share : 0);
  const mark = !multiple && weight >= 100 ? '=' : weight === 0 ? '~' : `~${percent(weight)}`;
  return `\t${mark}${escape(choice.text)}${feedback(choice.feedback)}`;
}

function answersOf(data: QuestionData): string {
  switch (data.kind) {
    case 'true_false': {
      // Moodle's order: the answer, then the feedback for the wrong choice, then for the right one.
      const wrong = data.answer ? data.feedbackFalse : data.feedbackTrue;
      const right = data.answer ? data.feedbackTrue : data.feedbackFalse;
      const tail = wrong || right ? `#${escape(wrong ?? '')}${right ? `#${escape(right)}` : ''}` : '';
      return `${data.answer ? 'TRUE' : 'FALSE'}${tail}`;
    }
    case 'single':
    case 'multiple': {
      const right = data.choices.filter((c) => c.correct).length;
      const wrong = data.choices.length - right;
      const share = (c: Choice) => (c.correct ? 100 / right : wrong ? 100 / wrong : 0);
      return `\n${data.choices.map((c) => choiceLine(c, data.kind === 'multiple', share(c))).join('\n')}\n`;
    }
    case 'short':
      return `\n${data.answers
        .map((a) => `\t=${a.weight === 100 ? '' : percent(a.weight)}${escape(a.text)}${feedback(a.feedback)}`)
        .join('\n')}\n`;
    case 'numeric':
      return `#\n${data.answers
        .map((a) => {
          const value = a.value === null ? '*' : `${a.value}:${a.tolerance}`;
          return `\t=${a.weight === 100 ? '' : percent(a.weight)}${value}${feedback(a.feedback)}`;
        })
        .join('\n')}\n`;
    case 'matching':
      return `\n${[
        ...data.pairs.map((p) => `\t=${escape(p.left)} -> ${escape(p.right)}`),
        ...(data.distractors ?? []).map((right) => `\t= -> ${escape(right)}`),
      ].join('\n')}\n`;
  }
}

export function exportGift(questions: QuestionDraft[]): string {
  return questions
    .map(({ title, stem, data }) => {
      const general = data.generalFeedback ? `\t####${escape(data.generalFeedback)}\n` : '';
      return `::${escape(title)}:: ${escape(stem)} {${answersOf(data)}${general}}`;
    })
    .join('\n\n')
    .concat('\n');
}
