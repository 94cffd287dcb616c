// One GIFT question read as Moodle reads it (its GIFT format documentation): the name, the text
// (with "_____" where the answers sat in the middle), the general feedback after `####`, and the
// kind told from the answers: none (an essay), `#` (numeric: `value:tolerance` or `min..max`, a `~`
// wrong-answer feedback), a `~` (choices; several right ones when none is marked `=`), `=` with `->`
// (matching; an empty left side is a distractor), T/F (true/false with wrong and right feedback),
// else short answers (`*` a wildcard). Every answer may carry a weight `%50%` and feedback `#…`.
// Escapes (`\~ \= \# \{ \} \: \\ \n`) are set aside first so that only real markup is read. Pure.
import type { QuestionData } from '../../db/schema.ts';

export type GiftQuestion = { title: string; stem: string; data: QuestionData };
/** A question read, one to skip (a category, a description), or why it cannot be imported (a dictionary key). */
export type GiftResult = GiftQuestion | 'skip' | { problem: string };

// Escaped characters become private-use code points while the markup is read, and come back after.
const escapes: Record<string, string> = {
  '\\\\': '\uE000',
  '\\~': '\uE001',
  '\\=': '\uE002',
  '\\#': '\uE003',
  '\\{': '\uE004',
  '\\}': '\uE005',
  '\\:': '\uE006',
  '\\n': '\uE007',
};
const restored: Record<string, string> = {
  '\uE000': '\\',
  '\uE001': '~',
  '\uE002': '=',
  '\uE003': '#',
  '\uE004': '{',
  '\uE005': '}',
  '\uE006': ':',
  '\uE007': '\n',
};
const setAside = (text: string) => text.replace(/\\[\\~=#{}:n]/g, (escape) => escapes[escape]!);
const bringBack = (text: string) => text.replace(/[\uE000-\uE007]/g, (mark) => restored[mark]!);

const entities: Record<string, string> = { nbsp: ' ', lt: '<', gt: '>', amp: '&', quot: '"', '#39': "'", apos: "'" };
/** HTML as text: tags (only what looks like one: `<b>`, `</p>`, `<br/>`) dropped, common entities read. */
const fromHtml = (text: string) =>
  text
    .replace(/<\/?[a-zA-Z][^<>]*>/g, '')
    .replace(/&(nbsp|lt|gt|amp|quot|#39|apos);/g, (_, name: string) => entities[name] ?? '');

/** A text as people read it: its `[html]`/`[markdown]`… marker dropped, HTML tags stripped, escapes restored. */
function plain(text: string): string {
  const marked = /^\s*\[(html|moodle|plain|markdown)\]/.exec(text);
  const body = marked ? text.slice(marked[0].length) : text;
  const stripped = marked?.[1] === 'plain' ? body : fromHtml(body);
  return bringBack(stripped).replace(/\s+/g, ' ').trim();
}

/** An answer's text and its feedback, split at its first (unescaped) `#`. */
function withFeedback(answer: string): { text: string; feedback?: string } {
  const at = answer.indexOf('#');
  if (at === -1) return { text: plain(answer) };
  const feedback = plain(answer.slice(at + 1));
  return { text: plain(answer.slice(0, at)), ...(feedback ? { feedback } : {}) };
}

/** An answer's leading `%50%` weight (a percentage, possibly negative or fractional), and the rest. */
function weighted(answer: string, otherwise: number): { weight: number; rest: string } {
  const match = /^\s*%(-?\d{1,3}(?:\.\d+)?)%/.exec(answer);
  return match
    ? { weight: Number(match[1]), rest: answer.slice(match[0].length) }
    : { weight: otherwise, rest: answer };
}

/** The pieces between separators, the first dropped when it is empty (the text before the first one). */
function pieces(text: string, separator: string): string[] {
  const parts = text.split(separator).map((part) => part.trim());
  if (parts[0] === '') parts.shift();
  return parts;
}

function choices(answers: string): QuestionData | { problem: string } {
  const single = answers.includes('=');
  const read = pieces(answers.replaceAll('=', '~='), '~')
    .map((answer) => {
      const right = answer.startsWith('=');
      // Moodle: `=` is 100 % whatever follows it; only a `~` answer carries a `%weight%`.
      const { weight, rest } = right ? { weight: 100, rest: answer.slice(1) } : weighted(answer, 0);
      const { text, feedback } = withFeedback(rest);
      const correct = single ? weight >= 100 : weight > 0;
      return { text, correct, weight, ...(feedback ? { feedback } : {}) };
    })
    .filter((choice) => choice.text !== '');
  const positive = read.reduce((sum, choice) => sum + Math.max(0, choice.weight), 0);
  if (read.length < 2 || (single ? !read.some((c) => c.weight >= 100) : positive < 99.9))
    return { problem: 'quiz.import.no_correct_choice' };
  return { kind: single ? 'single' : 'multiple', choices: read };
}

function matching(answers: string): QuestionData | { problem: string } {
  const read = pieces(answers, '=');
  if (read.some((pair) => !pair.includes('->'))) return { problem: 'quiz.import.syntax' };
  const sides = read.map((pair) => {
    const at = pair.indexOf('->');
    return { left: plain(pair.slice(0, at)), right: plain(pair.slice(at + 2)) };
  });
  const pairs = sides.filter((side) => side.left !== '');
  const distractors = sides.filter((side) => side.left === '').map((side) => side.right);
  if (pairs.length < 2) return { problem: 'quiz.import.matching_pairs' };
  return { kind: 'matching', pairs, ...(distractors.length ? { distractors } : {}) };
}

function trueFalse(answers: string): QuestionData {
  const [value = '', wrong = '', ...right] = answers.split('#');
  const [wrongFeedback, rightFeedback] = [plain(wrong), plain(right.join('#'))];
  const answer = value.trim() === 'T' || value.trim() === 'TRUE';
  // Moodle's `#` after the answer: first the feedback for the wrong choice, then for the right one.
  const feedbackTrue = answer ? rightFeedback : wrongFeedback;
  const feedbackFalse = answer ? wrongFeedback : rightFeedback;
  return {
    kind: 'true_false',
    answer,
    ...(feedbackTrue ? { feedbackTrue } : {}),
    ...(feedbackFalse ? { feedbackFalse } : {}),
  };
}

function shortAnswers(answers: string): QuestionData | { problem: string } {
  const read = pieces(answers, '=').map((answer) => {
    const { weight, rest } = weighted(answer, 100);
    const { text, feedback } = withFeedback(rest);
    return { text, weight, ...(feedback ? { feedback } : {}) };
  });
  if (!read.some((answer) => answer.weight >= 100 && answer.text)) return { problem: 'quiz.import.no_correct_choice' };
  return { kind: 'short', answers: read.filter((answer) => answer.text) };
}

/** `value:tolerance`, `min..max`, a value, or `*` (any number). */
function numericValue(text: string): { value: number | null; tolerance: number } | null {
  const range = /^(-?[\d.]+(?:e-?\d+)?)\s*\.\.\s*(-?[\d.]+(?:e-?\d+)?)$/i.exec(text);
  if (range) {
    const [low, high] = [Number(range[1]), Number(range[2])];
    return Number.isFinite(low) && Number.isFinite(high)
      ? { value: (low + high) / 2, tolerance: Math.abs(high - low) / 2 }
      : null;
  }
  const [value = '', tolerance = '0'] = text.split(':').map((part) => part.trim());
  if (value === '*') return { value: null, tolerance: 0 };
  const parsed = { value: Number(value), tolerance: Number(tolerance) };
  return value !== '' && Number.isFinite(parsed.value) && Number.isFinite(parsed.tolerance) ? parsed : null;
}

function numeric(answers: string): QuestionData | { problem: string } {
  const body = answers.slice(1); // the leading `#`
  const wrongAt = body.indexOf('~');
  const read = pieces(wrongAt === -1 ? body : body.slice(0, wrongAt), '=').map((answer) => {
    const { weight, rest } = weighted(answer, 100);
    const { text, feedback } = withFeedback(rest);
    const value = numericValue(text);
    return value && { ...value, weight, ...(feedback ? { feedback } : {}) };
  });
  if (!read.length || read.some((answer) => answer === null)) return { problem: 'quiz.import.syntax' };
  const answersRead = read.filter((answer) => answer !== null);
  // `~#…`: what a student is told for any other number (Moodle stores it as a `*` answer worth 0 %).
  if (wrongAt !== -1) {
    const { feedback } = withFeedback(body.slice(wrongAt + 1));
    answersRead.push({ value: null, tolerance: 0, weight: 0, ...(feedback ? { feedback } : {}) });
  }
  if (!answersRead.some((answer) => answer.weight >= 100)) return { problem: 'quiz.import.no_correct_choice' };
  return { kind: 'numeric', answers: answersRead };
}

/** The kind of a question by its answers, as Moodle tells it. */
function dataOf(answers: string): QuestionData | { problem: string } | 'essay' {
  if (answers === '') return 'essay';
  if (answers.startsWith('#')) return numeric(answers);
  if (answers.includes('~')) return choices(answers);
  if (answers.includes('=') && answers.includes('->')) return matching(answers);
  const beforeFeedback = answers.split('#')[0]!.trim();
  if (['T', 'TRUE', 'F', 'FALSE'].includes(beforeFeedback)) return trueFalse(answers);
  return shortAnswers(answers);
}

/** Reads one question (comments already removed). */
export function readGiftQuestion(source: string): GiftResult {
  let text = setAside(source.trim());
  if (text.startsWith('$CATEGORY')) return 'skip';
  let title = '';
  const named = /^::([\s\S]*?)::/.exec(text);
  if (named) {
    title = plain(named[1]!);
    text = text.slice(named[0].length);
  }
  const open = text.indexOf('{');
  const close = open === -1 ? -1 : text.indexOf('}', open);
  if (open === -1) return 'skip'; // a description: nothing to answer
  if (close === -1) return { problem: 'quiz.import.syntax' };
  let answers = text.slice(open + 1, close).trim();
  const after = text.slice(close + 1);
  // Answers in the middle of the text leave a blank where they were ("missing word").
  const stem = plain(after.trim() ? `${text.slice(0, open)}_____${after}` : text.slice(0, open));
  let generalFeedback = '';
  const general = answers.lastIndexOf('####');
  if (general !== -1) {
    generalFeedback = plain(answers.slice(general + 4));
    answers = answers.slice(0, general).trim();
  }
  if (!stem) return { problem: 'quiz.import.no_text' };
  const data = dataOf(answers);
  if (data === 'essay') return { problem: 'quiz.import.essay' };
  if ('problem' in data) return data;
  return {
    title: title || stem.slice(0, 60),
    stem,
    data: generalFeedback ? { ...data, generalFeedback } : data,
  };
}
