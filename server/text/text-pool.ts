// Text that takes time to parse is parsed on a worker thread, with a deadline: an instructor's
// Markdown (19,999 `>` took 1.4 s and then overflowed the stack; `*_` repeated took 4 s) and an
// uploaded question bank (a 1.9 MB GIFT file held the server for 7 s). The web thread waits
// without working, so pages keep being served. Instructions rendered once are kept (by content)
// for every later view; those that cannot be rendered in time are shown as plain paragraphs.
// Made by the services from source (server/services.ts): a copy bundled into the Remix build
// would look for the worker file beside the bundle.
import { createHash } from 'node:crypto';
import { Piscina } from 'piscina';
import { AppError } from '../errors.ts';
import type { ImportResult } from '../quizzes/question-formats.ts';
import { escapeHtml } from './escape-html.ts';
import type { TextTask } from './text-worker.ts';

export type TextPool = {
  /** Safe HTML of Markdown instructions: rendered, or plain paragraphs when rendering fails or takes too long. */
  formatted(text: string): Promise<string>;
  /** A question bank parsed; a file too complex to parse in time is refused. */
  questions(format: 'gift' | 'aiken', text: string): Promise<ImportResult>;
  close(): Promise<void>;
};

export const textLimits = { markdownMs: 1_000, questionsMs: 20_000, cachedTexts: 1_000, queued: 32 } as const;

/** The text as paragraphs, its line breaks kept: what a reader gets when the formatting cannot be rendered. */
export function plainParagraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .filter((part) => part.trim())
    .map((part) => `<p>${escapeHtml(part.trim()).replace(/\n/g, '<br/>')}</p>`)
    .join('\n');
}

export function createTextPool(limits: Partial<Record<keyof typeof textLimits, number>> = {}): TextPool {
  const { markdownMs, questionsMs, cachedTexts, queued } = { ...textLimits, ...limits };
  let pool: Piscina | null = null;
  const thePool = () =>
    (pool ??= new Piscina({
      filename: new URL('./text-worker.ts', import.meta.url).href,
      minThreads: 0,
      maxThreads: 1,
      maxQueue: queued,
      // A thread that ran out of time is ended (abort); an idle one ends after a while with its memory.
      idleTimeout: 30_000,
    }));
  const run = <T>(task: TextTask, ms: number): Promise<T> =>
    thePool().run(task, { signal: AbortSignal.timeout(ms) }) as Promise<T>;
  // Rendered HTML by the text's hash, the most recently used last; renders under way, shared by
  // readers who open the same page at once. A fallback is not kept: the next view tries again
  // (a render may have missed its deadline only because the thread was busy with a bank).
  const rendered = new Map<string, string>();
  const rendering = new Map<string, Promise<string | null>>();

  return {
    async formatted(text) {
      if (!text.trim()) return '';
      const key = createHash('sha256').update(text).digest('base64');
      const known = rendered.get(key);
      if (known !== undefined) {
        rendered.delete(key);
        rendered.set(key, known);
        return known;
      }
      let pending = rendering.get(key);
      if (!pending) {
        pending = run<string>({ kind: 'markdown', text }, markdownMs).then(
          (html) => {
            rendered.set(key, html);
            if (rendered.size > cachedTexts) rendered.delete(rendered.keys().next().value!);
            return html;
          },
          () => null,
        );
        rendering.set(key, pending);
        void pending.finally(() => rendering.delete(key));
      }
      return (await pending) ?? plainParagraphs(text);
    },
    async questions(format, text) {
      try {
        return await run<ImportResult>({ kind: 'questions', format, text }, questionsMs);
      } catch (error) {
        if (error instanceof Error && /queue is at limit/.test(error.message))
          throw new AppError('unavailable', 'errors.busy', { seconds: 5 });
        throw new AppError('invalid_input', 'quiz.import.too_complex');
      }
    },
    async close() {
      const closing = pool;
      pool = null;
      await closing?.destroy();
    },
  };
}
