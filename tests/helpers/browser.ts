// The system Chromium for end-to-end tests (CHROMIUM_PATH, else /usr/bin/chromium), driven by playwright-core.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const hasBrowser = existsSync(chromiumPath);

/** Without a browser the end-to-end tests skip, except in CI, where a missing browser fails the run. */
export function requireBrowserInCi(): void {
  if (!hasBrowser && process.env.CI === 'true') {
    throw new Error(`CI=true but no Chromium at ${chromiumPath}: install Debian's chromium or set CHROMIUM_PATH.`);
  }
  if (!hasBrowser) process.stdout.write(`\n[e2e] skipped: no Chromium at ${chromiumPath} (set CHROMIUM_PATH)\n`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Logs a demo account in through the login form, as a person does. */
export async function logIn(page: Page, baseUrl: string, account: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=email]', `${account}@demo.kabinet.kg`);
  await page.fill('input[name=password]', 'kabinet-demo');
  await Promise.all([page.waitForURL(`${baseUrl}/`), page.click('button[type=submit]:not([name])')]);
}

/**
 * Collects what must not happen on a page: console errors, uncaught page errors, failed requests
 * (a download the test cancels itself is not one; `expected` matches what the test itself causes,
 * such as requests failing while it takes the connection away). Check `problems()` is empty at the end.
 */
export function guardPage(page: Page, expected?: RegExp): { problems: () => string[] } {
  const problems: string[] = [];
  const unexpected = () => problems.filter((problem) => !expected?.test(problem));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? '';
    if (!failure.includes('ERR_ABORTED')) problems.push(`request failed: ${request.url()} ${failure}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) problems.push(`server error: ${response.status()} ${response.url()}`);
  });
  return { problems: unexpected };
}

/** Whether the page is wider than its window (it would scroll sideways on a phone). */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/**
 * Unfolds the cabinet week a slot (or anything in a week) sits in, as a person does: by its number
 * in the sticky week row. Weeks other than the current and the next are folded.
 */
export async function openWeekOf(target: Locator): Promise<Locator> {
  const week = await target.first().evaluate((element) => {
    const details = element.closest('details.week') as HTMLDetailsElement | null;
    return details && !details.open ? details.id : null;
  });
  if (week) {
    const page = target.page();
    await page.locator(`[data-testid=week-nav] a[href="#${week}"]`).click();
    await page.locator(`#${week}[open]`).waitFor();
  }
  return target;
}
