// Every page each role can reach, in Kyrgyz at 390 px (a phone) and 1366 px (a laptop), and in
// Russian and English at 390 px (where a longer word breaks a layout first), with a
// cabinet that holds a published lecture, a practical material, an assignment and a test: no page
// scrolls sideways, none logs a console error, throws, or fails a request, and (at 1366 px) axe-core
// finds no serious or critical accessibility violation. Links are followed as a person would,
// from the home page; downloads and sign-out are not pages.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  guardPage,
  hasBrowser,
  launchBrowser,
  logIn,
  requireBrowserInCi,
  scrollsSideways,
} from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { seedCourseContent } from '../helpers/course-content.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

requireBrowserInCi();

let server: TestServer;
let browser: Browser;

/** A page's path with ids made alike: one visit per kind of page. */
const shapeOf = (path: string) => path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id').replace(/\?.*$/, '');
/** Not pages: files, exports, media, sign-out, the language switch. */
const notAPage =
  /^\/(files|submission-files|media|logout|language|uploads)\b|\.(csv|xlsx|zip|gift|ics)(\?|$)|\/images\//;
const MAX_PAGES = 30;

type Finding = { account: string; width: number; path: string; what: string };

async function visit(page: Page, url: string, width: number, findings: Finding[], account: string) {
  const guard = guardPage(page);
  const response = await page.goto(url);
  await page.waitForLoadState('networkidle');
  const path = new URL(url).pathname;
  const note = (what: string) => findings.push({ account, width, path: shapeOf(path), what });
  if (!response || response.status() >= 400) note(`status ${response?.status()}`);
  if (!(await page.evaluate(() => '__remixRouter' in window))) note('not hydrated');
  if (await scrollsSideways(page))
    note(`scrolls sideways: ${await page.evaluate(() => document.documentElement.scrollWidth)} px`);
  for (const problem of guard.problems()) note(problem);
  if (width === 1366) {
    const { violations } = await new AxeBuilder({ page }).analyze();
    for (const violation of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
      note(
        `axe ${violation.impact} ${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
      );
  }
  page.removeAllListeners();
  return page.$$eval('a[href^="/"]', (links) => links.map((link) => link.getAttribute('href')!));
}

/** Follows links from the home page, breadth first, one visit per kind of page. */
async function crawl(
  account: string,
  width: number,
  locale: 'ky' | 'ru' | 'en' = 'ky',
): Promise<{ visited: string[]; findings: Finding[] }> {
  await server.services.db
    .updateTable('app_user')
    .set({ locale })
    .where('id', '=', await server.userId(account))
    .execute();
  const context = await browser.newContext({ viewport: { width, height: 844 } });
  const page = await context.newPage();
  await logIn(page, server.url, account);
  const seen = new Set<string>();
  const queue = ['/'];
  const findings: Finding[] = [];
  while (queue.length && seen.size < MAX_PAGES) {
    const next = queue.shift()!;
    if (seen.has(shapeOf(next))) continue;
    seen.add(shapeOf(next));
    for (const link of await visit(page, `${server.url}${next}`, width, findings, account))
      if (!notAPage.test(link) && !seen.has(shapeOf(link))) queue.push(link);
  }
  await context.close();
  return { visited: [...seen], findings };
}

describe.skipIf(!hasBrowser)('every page of every role (Chromium)', () => {
  beforeAll(async () => {
    server = await startTestServer({ remix: 'build', buildDir: await sharedBuild() });
    browser = await launchBrowser();
    await seedCourseContent(server);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const expectedPages: Record<string, string[]> = {
    student: ['/', '/cabinets/:id', '/watch/:id', '/assignments/:id', '/quizzes/:id', '/account'],
    instructor: ['/', '/cabinets/:id', '/cabinets/:id/questions', '/watch/:id', '/assignments/:id', '/quizzes/:id'],
    head: ['/', '/reports/departments/:id', '/departments/:id/teaching', '/cabinets/:id', '/watch/:id'],
    dean: ['/', '/reports/faculties/:id', '/reports/departments/:id', '/cabinets/:id'],
    rector: ['/', '/reports/university', '/reports/faculties/:id', '/reports/departments/:id'],
    admin: [
      '/',
      '/admin',
      '/admin/people',
      '/admin/people/:id',
      '/admin/imports',
      '/admin/audit',
      '/reports/university',
    ],
  };

  it.each(Object.keys(expectedPages))(
    '%s: no sideways scroll, no console error, no serious accessibility violation',
    async (account) => {
      for (const [locale, width] of [
        ['ky', 390],
        ['ky', 1366],
        ['ru', 390],
        ['en', 390],
      ] as const) {
        const { visited, findings } = await crawl(account, width, locale);
        expect({ locale, width, visited }).toMatchObject({ visited: expect.arrayContaining(expectedPages[account]!) });
        expect({ locale, findings }).toEqual({ locale, findings: [] });
      }
    },
    420_000,
  );
});
