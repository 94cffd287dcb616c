// Question banks in and out of Moodle's text formats: GIFT (parsed by gift-pegjs, one question at a
// time so that one bad question does not lose the file) and Aiken (simple enough to read here),
// with a report of what could not be imported and why; GIFT out. Pure functions.
import { parse as parseGift, type GIFTQuestion } from 'gift-pegjs';

import type { QuestionChoice, QuestionData } from '../../db/schema.ts';

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

/** Strips HTML-ish Moodle markup from imported text (Kabinet shows plain text). */
const plain = (text: string) =>
  text
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .trim();

function fromGift(question: GIFTQuestion): QuestionDraft | string {
  if (question.type === 'Category' || question.type === 'Description') return 'skip';
  if (question.type === 'Essay') return 'quiz.import.essay';
  if (question.hasEmbeddedAnswers) return 'quiz.import.embedded';
  const title = plain(question.title ?? '') || plain(question.stem.text).slice(0, 60);
  const stem = plain(question.stem.text);
  if (!stem) return 'quiz.import.no_text';
  switch (question.type) {
    case 'TF':
      return { title, stem, data: { kind: 'true_false', answer: question.isTrue } };
    case 'MC': {
      const choices = question.choices.map((choice) => ({
        text: plain(choice.text.text),
        correct: choice.isCorrect || (choice.weight ?? 0) > 0,
        weight: choice.weight,
      }));
      const correct = choices.filter((choice) => choice.correct).length;
      if (choices.length < 2 || correct === 0) return 'quiz.import.no_correct_choice';
      // Moodle writes multiple answers as ~%50%A ~%50%B: several choices with positive weights.
      const multiple = question.choices.some((choice) => choice.weight !== null) && correct > 1;
      return { title, stem, data: { kind: multiple ? 'multiple' : 'single', choices } };
    }
    case 'Short': {
      const accepted = question.choices
        .filter((choice) => choice.isCorrect || (choice.weight ?? 0) >= 100)
        .map((choice) => plain(choice.text.text));
      return accepted.length ? { title, stem, data: { kind: 'short', accepted } } : 'quiz.import.no_correct_choice';
    }
    case 'Numerical': {
      const given = Array.isArray(question.choices)
        ? question.choices
            .filter((choice) => choice.isCorrect || (choice.weight ?? 0) >= 100)
            .map((choice) => choice.text)
        : [question.choices];
      const answers = given.flatMap((format) => {
        if (format.type === 'high-low' && format.numberHigh !== undefined && format.numberLow !== undefined) {
          return [
            {
              value: (format.numberHigh + format.numberLow) / 2,
              tolerance: Math.abs(format.numberHigh - format.numberLow) / 2,
            },
          ];
        }
        return format.number !== undefined ? [{ value: format.number, tolerance: format.range ?? 0 }] : [];
      });
      return answers.length ? { title, stem, data: { kind: 'numeric', answers } } : 'quiz.import.no_correct_choice';
    }
    case 'Matching': {
      const pairs = question.matchPairs.map((pair) => ({
        left: plain(pair.subquestion.text),
        right: plain(pair.subanswer),
      }));
      return pairs.length >= 2 ? { title, stem, data: { kind: 'matching', pairs } } : 'quiz.import.matching_pairs';
    }
  }
}

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
    let parsed: GIFTQuestion[];
    try {
      parsed = parseGift(`${block.text}\n`);
    } catch {
      // The question's first line: where a person starts looking (the parser's own position is often the end of the block).
      result.problems.push({
        line: block.line + leadingComments(block.text),
        reason: 'quiz.import.syntax',
        excerpt: excerptOf(block.text),
      });
      continue;
    }
    for (const question of parsed) {
      const converted = fromGift(question);
      if (converted === 'skip') continue;
      const line = block.line + leadingComments(block.text);
      if (typeof converted === 'string')
        result.problems.push({ line, reason: converted, excerpt: excerptOf(block.text) });
      else if (result.questions.length < MAX_QUESTIONS) result.questions.push(converted);
      else result.problems.push({ line, reason: 'quiz.import.too_many', excerpt: excerptOf(block.text) });
    }
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
          weight: null,
        })),
      },
    });
  }
  return result;
}

/** GIFT's special characters are escaped with a backslash. */
const escape = (text: string) => text.replace(/[~=#{}:\\]/g, (c) => `\\${c}`).replace(/\n/g, ' ');

export function exportGift(questions: QuestionDraft[]): string {
  return questions
    .map(({ title, stem, data }) => {
      const head = `::${escape(title)}:: ${escape(stem)}`;
      switch (data.kind) {
        case 'true_false':
          return `${head} {${data.answer ? 'TRUE' : 'FALSE'}}`;
        case 'single':
          return `${head} {\n${data.choices.map((c) => `\t${c.correct ? '=' : '~'}${escape(c.text)}`).join('\n')}\n}`;
        case 'multiple': {
          const right = data.choices.filter((c) => c.correct).length;
          const wrong = data.choices.length - right;
          const percent = (c: Choice) => c.weight ?? (c.correct ? 100 / right : wrong ? -100 / wrong : 0);
          return `${head} {\n${data.choices.map((c) => `\t~%${Number(percent(c).toFixed(5))}%${escape(c.text)}`).join('\n')}\n}`;
        }
        case 'short':
          return `${head} {\n${data.accepted.map((a) => `\t=${escape(a)}`).join('\n')}\n}`;
        case 'numeric':
          return `${head} {#\n${data.answers.map((a) => `\t=${a.value}:${a.tolerance}`).join('\n')}\n}`;
        case 'matching':
          return `${head} {\n${data.pairs.map((p) => `\t=${escape(p.left)} -> ${escape(p.right)}`).join('\n')}\n}`;
      }
    })
    .join('\n\n')
    .concat('\n');
}
