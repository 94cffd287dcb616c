// Browser end-to-end (issue 14): the admin downloads the template, uploads a workbook with three
// faulty rows and sees them with their row numbers, fixes and uploads it again, applies it; a newly
// imported instructor signs in with a sign-in link and opens a cabinet; a head who now also teaches
// sees both their cabinet and their department report. Kyrgyz, at a laptop's and a phone's width.
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KindRows } from '../../server/admin/import/export-university.ts';
import { ky } from '../../server/common/dictionaries/ky.ts';
import { startWorkers } from '../../workers/run-workers.ts';
import {
  guardPage,
  hasBrowser,
  launchBrowser,
  logIn,
  requireBrowserInCi,
  scrollsSideways,
} from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { sheet, tempDir, workbookFile } from '../helpers/import-files.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

requireBrowserInCi();

let server: TestServer;
let browser: Browser;
let dir: string;

/** The registrar's workbook: a new subject and instructor, and the head of AMI teaching too. `faulty` adds three mistakes. */
function registrarFile(term: string, faulty: boolean): KindRows[] {
  return [
    sheet(
      'subjects',
      ['code', 'department_code', 'name_ky', 'lecture_hours', 'practical_hours', 'credits'],
      [
        ['E2E-101', 'AMI', 'Сынак сабагы', 32, 16, 4],
        ['E2E-102', 'AMI', 'Экинчи сынак сабагы', faulty ? 'отуз эки' : 32, 16, 4],
      ],
    ),
    sheet(
      'people',
      ['external_id', 'email', 'full_name', 'language'],
      [
        ['E2E-T1', 'e2e.teacher@university.kg', 'Сыноочу Окутуучу', 'ky'],
        ['E2E-S1', 'e2e.student@university.kg', 'Сыноочу Студент', 'ky'],
        ['E2E-S2', faulty ? 'e2e.student2@' : 'e2e.student2@university.kg', 'Экинчи Сыноочу', 'ru'],
      ],
    ),
    sheet(
      'roles',
      ['person', 'role', 'scope_code'],
      [
        ['E2E-T1', 'instructor', 'AMI'],
        ['head@demo.kabinet.kg', 'instructor', 'AMI'],
      ],
    ),
    sheet('group_members', ['group_code', 'person'], [['ПМИ-1-24', 'E2E-S1']]),
    sheet(
      'teaching',
      ['term_code', 'person', 'subject_code', 'group_codes'],
      [
        [term, 'E2E-T1', 'E2E-101', faulty ? 'ПМИ-1-24 NOPE-1' : 'ПМИ-1-24'],
        [term, 'head@demo.kabinet.kg', 'CS-202', 'ПМИ-2-24з'],
      ],
    ),
  ];
}

async function uploadAndWait(page: Page, file: string): Promise<void> {
  await page.goto(`${server.url}/admin/imports`);
  await page.locator('[data-testid=import-upload] input[type=file]').setInputFiles(file);
  await Promise.all([
    page.waitForURL(/\/admin\/imports\/[0-9a-f-]{36}$/),
    page.locator('[data-testid=import-upload] button[type=submit]').click(),
  ]);
  // The page refreshes itself while the worker reads the file.
  await expect
    .poll(() => page.locator('[data-testid=import-state]').getAttribute('data-state'), { timeout: 30_000 })
    .toBe('previewed');
}

describe.skipIf(!hasBrowser)("bringing in the registrar's files (Chromium)", () => {
  beforeAll(async () => {
    server = await startTestServer({ remix: 'build', buildDir: await sharedBuild() });
    await startWorkers(server.services);
    browser = await launchBrowser();
    dir = await tempDir();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('previews the problems with their rows, applies the fixed file, and the people it brought in work', async () => {
    const term = (await server.services.db.selectFrom('current_term').select('code').executeTakeFirstOrThrow()).code;
    const admin = await (
      await browser.newContext({ acceptDownloads: true, viewport: { width: 1366, height: 768 } })
    ).newPage();
    const adminGuard = guardPage(admin);
    await logIn(admin, server.url, 'admin');
    await admin.locator('[data-testid=admin-link]').click();
    await admin.waitForURL(`${server.url}/admin`);
    await admin.goto(`${server.url}/admin/imports`);
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.locator('[data-testid=template-link]').click(),
    ]);
    const template = new ExcelJS.Workbook();
    await template.xlsx.readFile(await download.path());
    expect(template.worksheets.map((w) => w.name)).toEqual([
      'readme',
      'faculties',
      'departments',
      'subjects',
      'terms',
      'groups',
      'people',
      'roles',
      'group_members',
      'teaching',
    ]);
    expect(template.getWorksheet('readme')!.getCell('A1').text).toBe(ky.import.readme.line1);

    await uploadAndWait(admin, await workbookFile(dir, registrarFile(term, true), 'faulty.xlsx'));
    const problems = admin.locator('[data-testid=import-problem]');
    await expect.poll(() => problems.count()).toBe(3);
    // In the order the kinds are written, each with its row and the cell's text.
    expect(
      await problems.evaluateAll((rows) =>
        rows.map((row) => `${row.children[0]!.textContent}:${row.getAttribute('data-row')}`),
      ),
    ).toEqual(['subjects:3', 'people:4', 'teaching:2']);
    expect(await problems.first().textContent()).toContain('отуз эки');
    expect(await admin.locator('[data-testid=import-problems]').textContent()).toContain(
      ky.import.problems.not_integer,
    );
    // At a phone's width the report still fits the screen.
    await admin.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(admin)).toBe(false);
    await admin.setViewportSize({ width: 1366, height: 768 });

    await uploadAndWait(admin, await workbookFile(dir, registrarFile(term, false), 'fixed.xlsx'));
    await expect.poll(() => problems.count()).toBe(0);
    await admin.locator('[data-testid=import-apply] button[type=submit]').click();
    await expect
      .poll(() => admin.locator('[data-testid=import-state]').getAttribute('data-state'), { timeout: 30_000 })
      .toBe('applied');
    await expect.poll(() => admin.locator('[data-kind=people] [data-count=created]').textContent()).toBe('3');

    // The new instructor gets a sign-in link from the admin.
    await admin.goto(`${server.url}/admin/people?q=E2E-T1`);
    await admin.locator('[data-testid=people] a', { hasText: 'Сыноочу Окутуучу' }).click();
    await admin.locator('button[value=sign-in-link]').click();
    const link = await admin.locator('[data-testid=sign-in-link]').inputValue();
    expect(link).toMatch(/\/sign-in\/[A-Za-z0-9_-]{43}$/);
    await admin.setViewportSize({ width: 390, height: 844 });
    expect(await scrollsSideways(admin)).toBe(false);
    expect(adminGuard.problems()).toEqual([]);

    const teacher = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    const teacherGuard = guardPage(teacher);
    await teacher.goto(link);
    await teacher.fill('input[name=password]', 'a passphrase of my own');
    await teacher.fill('input[name=confirm]', 'a passphrase of my own');
    await Promise.all([
      teacher.waitForURL(`${server.url}/`),
      teacher.locator('button[type=submit]:not([name])').click(),
    ]);
    const card = teacher.locator('[data-testid=teaching] .card', { hasText: 'E2E-101' });
    await card.getByRole('button', { name: ky.home.openCabinet }).click();
    await teacher.waitForURL(/\/cabinets\/[0-9a-f-]{36}$/);
    await expect.poll(() => teacher.locator('h1').textContent()).toContain('Сынак сабагы');
    expect(await scrollsSideways(teacher)).toBe(false);
    expect(teacherGuard.problems()).toEqual([]);

    // The head of AMI now teaches CS-202 too: both their teaching and the department's report.
    const head = await (await browser.newContext({ viewport: { width: 1366, height: 768 } })).newPage();
    const headGuard = guardPage(head);
    await logIn(head, server.url, 'head');
    await expect.poll(() => head.locator('[data-testid=teaching] .card', { hasText: 'CS-202' }).count()).toBe(1);
    await head
      .locator('[data-testid=teaching] .card', { hasText: 'CS-202' })
      .getByRole('button', { name: ky.home.openCabinet })
      .click();
    await head.waitForURL(/\/cabinets\/[0-9a-f-]{36}$/);
    await head.goto(`${server.url}/`);
    await head.locator('[data-testid=report-link]').click();
    await expect.poll(() => head.locator('[data-testid=report-row]', { hasText: 'CS-202' }).count()).toBe(1);
    expect(headGuard.problems()).toEqual([]);
  });
});
