// Browser end-to-end (part of issue 5): a head opens the department report from the home page,
// exports it as XLSX, filters to cabinets with overdue items, drills into one to see which slots
// are overdue, and sends a reminder the instructor then sees.
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../helpers/demo-cabinet.ts';
import { hasBrowser, launchBrowser, logIn, requireBrowserInCi } from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

requireBrowserInCi();

let server: TestServer;
let browser: Browser;

describe.skipIf(!hasBrowser)('the department report (Chromium)', () => {
  beforeAll(async () => {
    server = await startTestServer({ remix: 'build', buildDir: await sharedBuild() });
    browser = await launchBrowser();
    // The instructor's cabinet is open, nothing delivered: its early slots are overdue by now.
    await demoCabinet(server.services.db, 'instructor', 'MATH-101');
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('filters to overdue cabinets and drills into one', async () => {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    await logIn(page, server.url, 'head');
    await page.locator('[data-testid=report-link]').click();
    await expect.poll(() => page.locator('[data-testid=report-row]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=week-chart] polyline').count()).toBe(2);
    // The XLSX opens and has every row of the page plus the header and a totals row.
    const rowsOnPage = await page.locator('[data-testid=report-row]').count();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-testid=export-xlsx]').click(),
    ]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await download.path());
    expect(workbook.worksheets[0]!.rowCount).toBe(rowsOnPage + 2);
    await page.locator('[data-testid=filter-status]').selectOption('overdue');
    const overdue = page.locator('[data-testid=report-row]');
    await expect.poll(() => overdue.count()).toBeGreaterThan(0);
    for (const value of await overdue.evaluateAll((rows) =>
      rows.map((row) => Number(row.getAttribute('data-overdue'))),
    ))
      expect(value).toBeGreaterThan(0);
    await page.locator('[data-testid=report-row]', { hasText: 'MATH-101' }).locator('[data-testid=drill-down]').click();
    await page.waitForURL(/\/cabinets\//);
    // The missing lecture videos are marked overdue on the cabinet's plan.
    await expect
      .poll(() => page.locator('[data-testid=slot][data-slot-kind=lecture_video] [data-testid=slot-overdue]').count())
      .toBeGreaterThan(0);

    // Back on the report, the head reminds the instructor, who then sees it on their home page.
    await page.goBack();
    const entry = page.locator('[data-testid=overdue-instructor]').first();
    await entry.locator('[data-testid=remind]').click();
    await expect.poll(() => entry.locator('[data-testid=reminded]').count()).toBe(1);
    const instructor = await (await browser.newContext()).newPage();
    await logIn(instructor, server.url, 'instructor');
    await expect.poll(() => instructor.locator('[data-testid=notification] li').count()).toBeGreaterThan(0);
  });

  it('takes the vice-rector from the university down to a department', async () => {
    const page = await (await browser.newContext()).newPage();
    await logIn(page, server.url, 'rector');
    await page.locator('[data-testid=report-link]').click();
    await expect.poll(() => page.locator('[data-testid=rollup-row]').count()).toBeGreaterThan(0);
    await page.locator('[data-testid=rollup-link]').first().click();
    await page.waitForURL(/\/reports\/faculties\//);
    await expect.poll(() => page.locator('[data-testid=rollup-row]').count()).toBeGreaterThan(0);
    await page
      .locator('[data-testid=rollup-row]', { hasText: /\S/ })
      .locator('[data-testid=rollup-link]')
      .first()
      .click();
    await page.waitForURL(/\/reports\/departments\//);
    await expect.poll(() => page.locator('[data-testid=department-total]').count()).toBe(1);
  });
});
