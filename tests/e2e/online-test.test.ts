// Browser end-to-end: an instructor in New York imports a GIFT bank and creates a test closing at
// 23:59 Bishkek time; a student in Moscow sees it close at 20:59 their time, takes it, loses the
// connection and closes the tab mid-test (the answer is sent when they come back), finishes and
// sees the score; the instructor sees the result per student and per question.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ky } from '../../server/common/dictionaries/ky.ts';
import {
  guardPage,
  hasBrowser,
  launchBrowser,
  logIn as logInAs,
  openWeekOf,
  requireBrowserInCi,
} from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

requireBrowserInCi();

let server: TestServer;
let browser: Browser;
let work: string;
const logIn = (page: Page, account: string) => logInAs(page, server.url, account);

const gift = `// Гео
::Борбор:: Кыргызстандын борбору? {=Бишкек ~Ош ~Талас ~Нарын}

::Көл:: Ысык-Көл — Кыргызстанда. {T}

::Дарыя:: Нарын дарыясы кайсы дарыяга куят? (бир сөз) {=Сырдарыя =Сыр-Дарыя}

::Бузулган:: Бул суроо жабылган эмес {=а ~б
`;

const saveState = (page: Page) => page.locator('[data-testid=save-state]').getAttribute('data-state');

describe.skipIf(!hasBrowser)('an online test from a GIFT file to the results (Chromium)', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-e2e-test-'));
    server = await startTestServer({ remix: 'build', buildDir: await sharedBuild() });
    browser = await launchBrowser();
    await fs.writeFile(path.join(work, 'geo.gift.txt'), gift);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('imports, creates, takes through a dropped connection, and shows the results', async () => {
    const instructor = await (await browser.newContext({ timezoneId: 'America/New_York' })).newPage();
    const instructorGuard = guardPage(instructor);
    await logIn(instructor, 'instructor');
    const open = instructor
      .locator('.card', { hasText: 'MATH-101' })
      .getByRole('button', { name: ky.home.openCabinet });
    await Promise.all([instructor.waitForURL(/\/cabinets\//), open.click()]);
    const cabinetUrl = instructor.url();

    // The bank: three good questions, one reported by its line.
    await instructor.locator('[data-testid=question-bank-link]').click();
    await instructor
      .locator('[data-testid=import-form] input[type=file]')
      .setInputFiles(path.join(work, 'geo.gift.txt'));
    await instructor.locator('[data-testid=import-form] button[type=submit]').click();
    await expect
      .poll(() => instructor.locator('[data-testid=import-report]').textContent())
      .toContain(ky.quiz.import.done.replace('{{count}}', '3'));
    expect(await instructor.locator('[data-testid=import-report] li').textContent()).toContain(
      ky.quiz.import.line.replace('{{line}}', '8'),
    );
    await expect.poll(() => instructor.locator('[data-testid=questions] > li').count()).toBe(3);

    // A test in the first assessment slot, closing at 23:59 Bishkek time (typed in New York).
    await instructor.goto(cabinetUrl);
    const slot = instructor.locator('[data-testid=slot][data-slot-kind=interim_assessment]').first();
    await openWeekOf(slot);
    await slot.locator('details:has([data-testid=quiz-form]) summary').click();
    const form = slot.locator('[data-testid=quiz-form]');
    await form.locator('input[name=title]').fill('География тести');
    await form.locator('input[name=closesAt]').fill('2099-12-01T23:59');
    await form.locator('input[name=timeLimitMinutes]').fill('30');
    await form.locator('input[name=maxScore]').fill('30');
    await form.locator('select[name=reviewPolicy]').selectOption('after_attempt');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => slot.locator('[data-testid=quiz-link]').count()).toBe(1);
    await slot.getByRole('button', { name: ky.cabinet.publish }).click();
    await expect.poll(() => slot.locator('.badge.published').count()).toBe(1);
    const quizUrl = new URL((await slot.locator('[data-testid=quiz-link]').getAttribute('href'))!, server.url).href;

    // The student, in Moscow (UTC+3): 23:59 in Bishkek (UTC+6) is 20:59 for them.
    const studentContext = await browser.newContext({ timezoneId: 'Europe/Moscow' });
    let student = await studentContext.newPage();
    // The test takes the connection away twice: requests failing then are its own doing.
    const offline = /ERR_INTERNET_DISCONNECTED|Failed to fetch|Failed to load resource/;
    let studentGuard = guardPage(student, offline);
    await logIn(student, 'student');
    await student.goto(quizUrl);
    await expect.poll(() => student.locator('dl.rules time').textContent()).toMatch(/20:59 \(Europe\/Moscow\)$/);
    await student.locator('[data-testid=start-attempt]').click();
    await expect.poll(() => student.locator('[data-testid=question]').count()).toBe(3);
    await expect.poll(() => student.locator('[data-testid=time-left]').textContent()).toMatch(/(29|30):\d\d/);

    // A choice is saved at once.
    await student.locator('[data-testid=question][data-kind=single] label', { hasText: 'Бишкек' }).click();
    await expect.poll(() => saveState(student)).toBe('saved');
    // The connection drops: the answer waits on the device, and is sent when it returns.
    await studentContext.setOffline(true);
    await student.locator('[data-testid=question][data-kind=true_false] label').first().click(); // "True" comes first
    await expect.poll(() => saveState(student)).toBe('pending');
    await studentContext.setOffline(false);
    await expect.poll(() => saveState(student), { timeout: 15_000 }).toBe('saved');
    // Offline again, they type the last answer and close the tab.
    await studentContext.setOffline(true);
    await student.locator('[data-testid=question][data-kind=short] input').fill('Сырдарыя');
    await expect.poll(() => saveState(student)).toBe('pending');
    await student.close();
    await studentContext.setOffline(false);
    // Back on the test: the kept answer is sent, and every answer shows again.
    expect(studentGuard.problems()).toEqual([]);
    student = await studentContext.newPage();
    studentGuard = guardPage(student, offline);
    await student.goto(quizUrl);
    const answers = () => server.services.db.selectFrom('quiz_answer').select('answer').execute();
    await expect
      .poll(async () => (await answers()).map((row) => row.answer), { timeout: 15_000 })
      .toContainEqual({ text: 'Сырдарыя' });
    expect(await answers()).toHaveLength(3);
    await expect.poll(() => saveState(student)).toBe('saved');
    expect(await student.locator('[data-testid=question][data-kind=single] input:checked').count()).toBe(1);
    expect(await student.locator('[data-testid=question][data-kind=short] input').inputValue()).toBe('Сырдарыя');

    await student.locator('[data-testid=finish-attempt]').click();
    await expect.poll(() => student.locator('[data-testid=quiz-best]').textContent()).toContain('30');
    expect(await student.locator('[data-testid=review] [data-testid=credit]').allTextContents()).toEqual([
      'Эсептелди: 100 %',
      'Эсептелди: 100 %',
      'Эсептелди: 100 %',
    ]);

    // The instructor: the student's result and how each question went.
    await instructor.goto(quizUrl);
    await expect
      .poll(() =>
        instructor.locator('[data-testid=result-row][data-status=finished] [data-testid=result-best]').textContent(),
      )
      .toBe('30 / 30');
    expect(await instructor.locator('[data-testid=question-stats] tbody tr').count()).toBe(3);
    expect([...instructorGuard.problems(), ...studentGuard.problems()]).toEqual([]);
  });
});
