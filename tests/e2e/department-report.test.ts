// Browser end-to-end (part of issue 5): a head opens the department report from the home page,
// exports it as XLSX, filters to cabinets with overdue items, drills into one to see which slots
// are overdue and comes back, and sends a reminder the instructor then sees. Every report reads on
// a phone without the page scrolling sideways, fits a laptop, and prints every column on A4
// landscape (issue 19).
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../helpers/demo-cabinet.ts';
import {
  guardPage,
  hasBrowser,
  launchBrowser,
  logIn,
  requireBrowserInCi,
  scrollsSideways,
} from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

requireBrowserInCi();

const screenshots = path.join(os.tmpdir(), 'kabinet-screens');
mkdirSync(screenshots, { recursive: true });

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
    const guard = guardPage(page);
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

    // Back on the report (its link), the head reminds the instructor, who then sees it on their home page.
    await page.locator('[data-testid=report-back]').click();
    await page.waitForURL(/\/reports\/departments\//);
    const entry = page.locator('[data-testid=overdue-instructor]').first();
    await entry.locator('[data-testid=remind]').click();
    await expect.poll(() => entry.locator('[data-testid=reminded]').count()).toBe(1);
    const instructor = await (await browser.newContext()).newPage();
    await logIn(instructor, server.url, 'instructor');
    await expect.poll(() => instructor.locator('[data-testid=notification] li').count()).toBeGreaterThan(0);
    expect(guard.problems()).toEqual([]);
  });

  it('takes the vice-rector from the university down to a department', async () => {
    const page = await (await browser.newContext()).newPage();
    const guard = guardPage(page);
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
    // And back up the same way: the faculty, then the university.
    await page.locator('[data-testid=report-up]').click();
    await page.waitForURL(/\/reports\/faculties\//);
    await page.locator('[data-testid=report-up]').click();
    await page.waitForURL(/\/reports\/university/);
    expect(guard.problems()).toEqual([]);
  });

  it('reads on a phone without sideways scrolling, fits a laptop, and prints every column on A4 landscape', async () => {
    const reports = [
      { account: 'head', table: 'report-table', columns: 15 },
      { account: 'rector', table: 'rollup-table', columns: 11 },
    ];
    for (const { account, table, columns } of reports) {
      for (const width of [390, 1366]) {
        const context = await browser.newContext({ viewport: { width, height: 844 } });
        const page = await context.newPage();
        const guard = guardPage(page);
        await logIn(page, server.url, account);
        await page.locator('[data-testid=report-link]').click();
        const tableBox = page.locator(`[data-testid=${table}]`);
        await tableBox.waitFor();
        await page.screenshot({ path: `${screenshots}/report-${account}-${width}.png`, fullPage: true });
        expect({ account, width, sideways: await scrollsSideways(page) }).toEqual({ account, width, sideways: false });
        // On a laptop the whole table is in view; on a phone it scrolls in its own box.
        const fits = await tableBox.evaluate((t) => t.scrollWidth <= (t.parentElement?.clientWidth ?? 0) + 1);
        if (width === 1366) expect({ account, fits }).toEqual({ account, fits: true });
        expect(await tableBox.locator('thead th').count()).toBe(columns);
        // The printout: A4 landscape less its margins is 277 mm, 1047 CSS px; every column on it.
        await page.setViewportSize({ width: 1047, height: 740 });
        await page.emulateMedia({ media: 'print' });
        const printed = await tableBox.evaluate((t) => ({
          right: Math.round(t.getBoundingClientRect().right),
          hidden: [...t.querySelectorAll('th')].filter((th) => th.getBoundingClientRect().width === 0).length,
        }));
        expect({ account, ...printed }).toEqual({ account, right: printed.right, hidden: 0 });
        expect(printed.right).toBeLessThanOrEqual(1047);
        await page.screenshot({ path: `${screenshots}/report-${account}-print.png`, fullPage: true });
        expect(guard.problems()).toEqual([]);
        await context.close();
      }
    }
  });
});
