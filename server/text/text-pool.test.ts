// Text that costs time to parse is parsed off the web thread with a deadline: formatting renders
// safely, pathological instructions fall back to plain paragraphs without holding the event loop,
// and a question bank too complex to parse in time is refused with a translated reason.
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { createTextPool, plainParagraphs } from './text-pool.ts';

const pool = createTextPool();
afterAll(() => pool.close());

/**
 * Whether `work` kept the event loop from turning while it ran: a timer set for "now" when it starts
 * fires only after it ends if the work ran on this thread. An order, not a time: a busy machine
 * slows both alike.
 */
async function holdsTheLoop(work: () => Promise<unknown>): Promise<boolean> {
  let timerAt = Number.POSITIVE_INFINITY;
  const timer = setTimeout(() => (timerAt = performance.now()), 0);
  await work();
  const doneAt = performance.now();
  clearTimeout(timer);
  return !(timerAt < doneAt);
}

describe('the text pool', () => {
  it('renders bold, lists and links, and drops raw HTML and script links', async () => {
    const html = await pool.formatted(
      '**Маанилүү:** отчет\n\n- биринчи\n- экинчи\n\n[Китепкана](https://lib.example.kg) [x](javascript:alert(1))\n\n<script>alert(1)</script><img src=x onerror=alert(1)>',
    );
    expect(html).toContain('<strong>Маанилүү:</strong>');
    expect(html).toContain('<li>экинчи</li>');
    expect(html).toContain('href="https://lib.example.kg" rel="noopener noreferrer nofollow"');
    expect(html).not.toMatch(/<script|onerror|javascript:/i);
  });

  it('shows instructions that cannot be rendered in time as plain paragraphs, never holding the event loop', async () => {
    for (const text of ['>'.repeat(19_999), '*_'.repeat(9_999), `${'*'.repeat(9_999)}a${'*'.repeat(9_999)}`]) {
      let html = '';
      expect(await holdsTheLoop(async () => (html = await pool.formatted(text)))).toBe(false);
      expect(html).toBe(plainParagraphs(text));
    }
    // The measure itself: work on this thread does hold the loop.
    expect(
      await holdsTheLoop(async () => {
        const end = performance.now() + 30;
        while (performance.now() < end);
      }),
    ).toBe(true);
    expect(plainParagraphs('a <b>\nc\n\nd')).toBe('<p>a &#60;b&#62;<br/>c</p>\n<p>d</p>');
  }, 30_000);

  it('parses a 1.9 MB GIFT file off the event loop', async () => {
    const question = (n: number) => `::Q${n}:: Кыргызстандын борбору кайсы? {=Бишкек ~Ош ~Нарын ~Каракол}\n\n`;
    let text = '';
    for (let n = 1; Buffer.byteLength(text) < 1.9e6; n++) text += question(n);
    let imported = 0;
    expect(await holdsTheLoop(async () => (imported = (await pool.questions('gift', text)).questions.length))).toBe(
      false,
    );
    expect(imported).toBe(2_000);
  }, 60_000);

  it('refuses a bank that cannot be parsed in time', async () => {
    const hurried = createTextPool({ questionsMs: 20 });
    try {
      const text = '::Q:: a {=b ~c}\n\n'.repeat(100_000);
      await expect(hurried.questions('gift', text)).rejects.toMatchObject(
        new AppError('invalid_input', 'quiz.import.too_complex'),
      );
    } finally {
      await hurried.close();
    }
  });
});
