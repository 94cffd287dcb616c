// Browser end-to-end: an instructor creates an assignment and publishes it; a student is told (a
// notification leads to it), uploads a file and submits; the instructor grades from the keyboard
// and exports the grades; the student sees the grade and feedback (told again) and subscribes to
// the calendar feed with the deadline; another student cannot open the file.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
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

describe.skipIf(!hasBrowser)('an assignment from creation to the grade (Chromium)', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-e2e-assignment-'));
    server = await startTestServer({ remix: 'build', buildDir: await sharedBuild() });
    browser = await launchBrowser();
    await fs.writeFile(path.join(work, 'Лаб-1.pdf'), Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(50_000)]));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('creates, submits, grades with the keyboard, exports, and shows the grade', async () => {
    const instructor = await (await browser.newContext({ acceptDownloads: true })).newPage();
    const instructorGuard = guardPage(instructor);
    await logIn(instructor, 'instructor');
    const open = instructor
      .locator('.card', { hasText: 'MATH-101' })
      .getByRole('button', { name: ky.home.openCabinet });
    await Promise.all([instructor.waitForURL(/\/cabinets\//), open.click()]);
    const slot = instructor.locator('[data-testid=slot][data-slot-kind=interim_assessment]').first();
    await openWeekOf(slot);
    await slot.locator('details:has([data-testid=assignment-form]) summary').click();
    const form = slot.locator('[data-testid=assignment-form]');
    await form.locator('input[name=title]').fill('Лабораториялык иш 1');
    await form.locator('textarea[name=instructions]').fill('Отчетту PDF менен жибериңиз.');
    await form.locator('input[name=dueAt]').fill('2099-12-01T23:59');
    await form.locator('input[name=allowedExtensions]').fill('pdf');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => slot.locator('[data-testid=assignment-link]').count()).toBe(1);
    await slot.getByRole('button', { name: ky.cabinet.publish }).click();
    await expect.poll(() => slot.locator('.badge.published').count()).toBe(1);
    const assignmentUrl = new URL(
      (await slot.locator('[data-testid=assignment-link]').getAttribute('href'))!,
      server.url,
    ).href;

    // The student is told: a new notification in the header leads to the assignment.
    const student = await (await browser.newContext()).newPage();
    const studentGuard = guardPage(student);
    await logIn(student, 'student');
    expect(await student.locator('[data-testid=unread]').textContent()).toBe('1 жаңы');
    await student.locator('[data-testid=notifications-link]').click();
    const notice = student.locator('[data-testid=notice]', { hasText: 'Лабораториялык иш 1' });
    await expect.poll(() => notice.textContent()).toContain('жаңы тапшырма');
    await Promise.all([student.waitForURL(assignmentUrl), notice.locator('[data-testid=open-notice]').click()]);
    await expect.poll(() => student.locator('[data-testid=unread]').count()).toBe(0);

    // The student uploads a PDF (resumable tus) and submits it with a comment.
    await expect.poll(() => student.locator('[data-testid=countdown]').textContent()).toMatch(/\d+ к \d\d:\d\d:\d\d/);
    await student.locator('input[type=file]').setInputFiles(path.join(work, 'Лаб-1.pdf'));
    await expect.poll(() => student.locator('[data-testid=drafts] li').count(), { timeout: 30_000 }).toBe(1);
    await student.locator('textarea[name=text]').fill('Даяр');
    await student.locator('[data-testid=submit-work]').click();
    await expect.poll(() => student.locator('[data-testid=version]').count()).toBe(1);
    const fileHref = await student.locator('[data-testid=version] a').first().getAttribute('href');

    // The instructor grades from the keyboard: the score has the focus, Enter saves.
    await instructor.goto(assignmentUrl);
    await expect.poll(() => instructor.locator('[data-testid=roster] tr[data-status=submitted]').count()).toBe(1);
    await instructor.locator('[data-testid=roster] tr[data-status=submitted] a').first().click();
    await expect.poll(() => instructor.locator('[data-testid=grade-one]').count()).toBe(1);
    await instructor.keyboard.type('8.5');
    await instructor.keyboard.press('Tab');
    await instructor.keyboard.type('Жакшы, бирок корутунду жок.');
    await instructor.locator('[data-testid=grade-one] input[name=score]').press('Enter');
    await expect.poll(() => instructor.locator('[data-testid=roster] tr[data-status=graded]').count()).toBe(1);
    const [download] = await Promise.all([
      instructor.waitForEvent('download'),
      instructor.getByRole('link', { name: 'XLSX' }).click(),
    ]);
    const saved = path.join(work, 'grades.xlsx');
    await download.saveAs(saved);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(saved);
    const scores = workbook.worksheets[0]!.getColumn(6).values.filter((value) => typeof value === 'number');
    expect(scores).toEqual([8.5]);

    // The student sees the grade and the feedback; another student cannot fetch the file.
    await student.reload();
    await expect
      .poll(() => student.locator('[data-testid=my-grade]').textContent())
      .toContain('Жакшы, бирок корутунду жок.');
    expect(await student.locator('[data-testid=my-grade]').textContent()).toContain('8,5'); // the Kyrgyz decimal comma
    await student.goto(`${server.url}/notifications`);
    expect(await student.locator('[data-testid=notice]').first().textContent()).toContain(
      '): 100 ичинен 8,5, пикир менен',
    );

    // The private calendar address, made on the account page, lists the deadline for a phone's calendar.
    await student.goto(`${server.url}/account`);
    await student.locator('[data-testid=calendar-create]').click();
    const address = (await student.locator('[data-testid=calendar-address]').textContent())!;
    expect(address).toMatch(new RegExp(`^${server.url}/calendar/[A-Za-z0-9_-]{43}\\.ics$`));
    const feed = await student.request.get(address);
    expect(feed.headers()['content-type']).toContain('text/calendar');
    expect((await feed.text()).replace(/\r\n /g, '')).toContain('Мөөнөт: Лабораториялык иш 1');

    const other = await (await browser.newContext()).newPage();
    await logIn(other, 'student2');
    expect((await other.request.get(`${server.url}${fileHref}`)).status()).toBe(404);
    expect([...instructorGuard.problems(), ...studentGuard.problems()]).toEqual([]);
  }, 240_000);
});
