// Browser end-to-end: an instructor writes a multiple-choice question with partial weights in the
// bank's editor, tries it in the preview as the student will see it, saves it, edits it; a student
// then answers it in a test and earns what its weights say.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ky } from '../../server/common/dictionaries/ky.ts';
import { setItemStatus } from '../../server/cabinets/items.ts';
import { createQuiz } from '../../server/quizzes/quizzes.ts';
import { guardPage, hasBrowser, launchBrowser, logIn as logInAs, requireBrowserInCi } from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { demoCabinet } from '../helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

requireBrowserInCi();

let server: TestServer;
let browser: Browser;
const logIn = (page: Page, account: string) => logInAs(page, server.url, account);

describe.skipIf(!hasBrowser)('a question written in the editor, answered by a student (Chromium)', () => {
  beforeAll(async () => {
    server = await startTestServer({ remix: 'build', buildDir: await sharedBuild() });
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('writes, previews, saves and edits; the student answers it for its weights', async () => {
    const { db } = server.services;
    const cabinet = await demoCabinet(db, 'instructor', 'MATH-101');
    const instructor = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    const instructorGuard = guardPage(instructor);
    await logIn(instructor, 'instructor');
    await instructor.goto(`${server.url}/cabinets/${cabinet.cabinetId}/questions`);
    await instructor.locator('[data-testid=write-question] summary').click();
    const editor = instructor.locator('[data-testid=write-question] [data-testid=question-editor]');
    await editor.getByLabel(ky.quiz.editor.kind).selectOption('multiple');
    await editor.getByLabel(ky.quiz.editor.stem).fill('Кайсылары Кыргызстандын дарыялары?');
    await editor.getByRole('button', { name: ky.quiz.editor.addRow }).click();
    const rows = editor.locator('.editor-row');
    const choices: [string, string][] = [
      ['Нарын', '50'],
      ['Чүй', '50'],
      ['Амазонка', '-100'],
    ];
    for (const [i, [text, weight]] of choices.entries()) {
      await rows
        .nth(i)
        .getByLabel(ky.quiz.editor.choice.replace('{{n}}', String(i + 1)))
        .fill(text);
      await rows.nth(i).getByLabel(ky.quiz.editor.weight).fill(weight);
    }
    await rows.nth(2).getByLabel(ky.quiz.editor.feedback).fill('Амазонка Түштүк Америкада.');

    // The preview is the student's question: the choices as checkboxes, without the weights.
    const preview = editor.locator('[data-testid=question-preview]');
    expect(await preview.locator('.stem').textContent()).toBe('Кайсылары Кыргызстандын дарыялары?');
    expect(await preview.locator('label.choice').allTextContents()).toEqual([' Нарын', ' Чүй', ' Амазонка']);
    await preview.locator('label.choice', { hasText: 'Чүй' }).click();
    expect(await preview.locator('input[type=checkbox]:checked').count()).toBe(1);
    expect(await preview.textContent()).not.toContain('50');

    await editor.locator('[data-testid=save-question]').click();
    await expect.poll(() => instructor.locator('[data-testid=question-saved]').count()).toBe(1);
    const listed = instructor.locator('[data-testid=questions] > li');
    await expect.poll(() => listed.count()).toBe(1);
    expect(await instructor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // Edited: the stem reworded.
    await listed.locator('.edit-question summary').click();
    await listed.getByLabel(ky.quiz.editor.stem).fill('Кайсы дарыялар Кыргызстанда агат?');
    await listed.locator('[data-testid=save-question]').click();
    await expect.poll(() => listed.locator('p').first().textContent()).toBe('Кайсы дарыялар Кыргызстанда агат?');

    const assessment = cabinet.slots.find((slot) => slot.kind === 'interim_assessment')!;
    const quizId = await createQuiz(
      db,
      { user: cabinet.user, ip: null },
      { cabinetId: cabinet.cabinetId, slotId: assessment.id },
      {
        title: 'Дарыялар',
        instructions: '',
        opensAt: '',
        closesAt: '2099-12-01T23:59',
        timeLimitMinutes: null,
        attemptsAllowed: 2,
        shuffleQuestions: false,
        shuffleAnswers: false,
        drawCount: null,
        reviewPolicy: 'after_attempt',
        maxScore: 10,
      },
    );
    const { item_id: itemId } = await db
      .selectFrom('quiz')
      .select('item_id')
      .where('id', '=', quizId)
      .executeTakeFirstOrThrow();
    await setItemStatus(db, { user: cabinet.user, ip: null }, itemId, 'published');

    // The student answers one of the two right choices: half the marks, with the wrong choice's feedback unseen.
    const student = await (await browser.newContext()).newPage();
    const studentGuard = guardPage(student);
    await logIn(student, 'student');
    await student.goto(`${server.url}/quizzes/${quizId}`);
    await student.locator('[data-testid=start-attempt]').click();
    const question = student.locator('[data-testid=question][data-kind=multiple]');
    await expect.poll(() => question.locator('.stem').textContent()).toBe('Кайсы дарыялар Кыргызстанда агат?');
    await question.locator('label', { hasText: 'Нарын' }).click();
    await expect.poll(() => student.locator('[data-testid=save-state]').getAttribute('data-state')).toBe('saved');
    await student.locator('[data-testid=finish-attempt]').click();
    await expect
      .poll(() => student.locator('[data-testid=review] [data-testid=credit]').allTextContents())
      .toEqual(['Эсептелди: 50 %']);
    expect(await student.locator('[data-testid=quiz-best]').textContent()).toContain('5');
    expect([...instructorGuard.problems(), ...studentGuard.problems()]).toEqual([]);
  }, 240_000);
});
