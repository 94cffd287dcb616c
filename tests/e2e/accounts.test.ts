// Browser end-to-end (issue 15), in Kyrgyz: a new instructor opens their invitation on a phone, sets
// a password, signs in on a laptop too, changes the password there, and the phone's session is
// over (the old password with it); an imported instructor signs in through the university's
// single sign-on (a real OpenID provider on loopback) and finds their teaching.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSignInLink } from '../../server/admin/person-access.ts';
import { runImport } from '../../server/admin/import/run-import.ts';
import { signInUrl } from '../../server/auth/sign-in-links.ts';
import { ky } from '../../server/common/dictionaries/ky.ts';
import { principal } from '../helpers/demo-cabinet.ts';
import { guardPage, hasBrowser, launchBrowser, requireBrowserInCi, scrollsSideways } from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { sheet } from '../helpers/import-files.ts';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

requireBrowserInCi();

let server: TestServer;
let provider: TestProvider;
let browser: Browser;

const phone = { width: 390, height: 844 };
const laptop = { width: 1366, height: 768 };

/** The registrar's files bring in an instructor of AMI who teaches a new subject to ПМИ-1-24 this term. */
async function importInstructor(externalId: string, email: string, name: string, subject: string): Promise<string> {
  const { db } = server.services;
  const term = (await db.selectFrom('current_term').select('code').executeTakeFirstOrThrow()).code;
  const report = await runImport(db, {
    rows: [
      sheet(
        'subjects',
        ['code', 'department_code', 'name_ky', 'lecture_hours', 'practical_hours', 'credits'],
        [[subject, 'AMI', `Сабак ${subject}`, 32, 16, 4]],
      ),
      sheet('people', ['external_id', 'email', 'full_name', 'language'], [[externalId, email, name, 'ky']]),
      sheet('roles', ['person', 'role', 'scope_code'], [[externalId, 'instructor', 'AMI']]),
      sheet(
        'teaching',
        ['term_code', 'person', 'subject_code', 'group_codes'],
        [[term, externalId, subject, 'ПМИ-1-24']],
      ),
    ],
    fileName: 'registrar.xlsx',
    options: { termCode: null, sync: false },
    apply: true,
    applyValidOnly: false,
    actor: { id: null, ip: null },
  });
  expect(report).toMatchObject({ outcome: 'applied', problemCount: 0 });
  return (await db.selectFrom('app_user').select('id').where('external_id', '=', externalId).executeTakeFirstOrThrow())
    .id;
}

async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.locator('form:has(input[name=password]) button[type=submit]').click();
}

describe.skipIf(!hasBrowser)('accounts and sign-in (Chromium)', () => {
  beforeAll(async () => {
    provider = await startTestProvider();
    server = await startTestServer({
      remix: 'build',
      buildDir: await sharedBuild(),
      env: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        OIDC_CLIENT_SECRET: provider.clientSecret,
        OIDC_DISPLAY_NAME: 'KNU ID',
      },
    });
    provider.allowRedirects([`${server.url}/auth/oidc/callback`]);
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await provider?.close();
  });

  it('invitation, own password, a second device, a changed password: the first device is signed out', async () => {
    const email = 'jyldyz.invited@university.kg';
    const personId = await importInstructor('INV-1', email, 'Чакырылган Жылдыз', 'INV-101');
    const admin = { user: await principal(server.services.db, 'admin'), ip: '127.0.0.1' };
    const link = signInUrl(
      server.url,
      (await issueSignInLink(server.services.db, admin, personId, { mailer: null, policy: 'all' }))!,
    );

    const first = await (await browser.newContext({ viewport: phone })).newPage();
    const firstGuard = guardPage(first);
    await first.goto(link);
    expect(await first.locator('h1').textContent()).toBe(ky.signIn.title);
    await first.fill('input[name=password]', 'my first passphrase');
    await first.fill('input[name=confirm]', 'my first passphrase');
    await Promise.all([first.waitForURL(`${server.url}/`), first.locator('button[type=submit]:not([name])').click()]);
    await expect.poll(() => first.locator('[data-testid=teaching] .card', { hasText: 'INV-101' }).count()).toBe(1);
    expect(await scrollsSideways(first)).toBe(false);

    const second = await (await browser.newContext({ viewport: laptop })).newPage();
    const secondGuard = guardPage(second);
    await signInWithPassword(second, email, 'my first passphrase');
    await second.waitForURL(`${server.url}/`);
    await second.locator('.account-link').click();
    await second.waitForURL(`${server.url}/account`);
    await expect.poll(() => second.locator('[data-testid=sessions] li').count()).toBe(2);
    await second.fill('input[name=current]', 'my first passphrase');
    await second.fill('input[name=next]', 'a second passphrase');
    await second.fill('input[name=confirm]', 'a second passphrase');
    await second.locator('button[value=password]').click();
    await expect.poll(() => second.locator('[data-testid=password-changed]').count(), { timeout: 20_000 }).toBe(1); // two password hashes on a busy machine
    // This device stays signed in; it is the only session left.
    await second.reload();
    await expect.poll(() => second.locator('[data-testid=sessions] li').count()).toBe(1);

    // The phone's session is over: the next page asks to sign in, and the old password is refused.
    await first.reload();
    await first.waitForURL(/\/login/);
    expect(await first.locator('h1').textContent()).toBe(ky.login.title);
    await first.fill('input[name=email]', email);
    await first.fill('input[name=password]', 'my first passphrase');
    await first.locator('form:has(input[name=password]) button[type=submit]').click();
    await expect.poll(() => first.locator('.form-error').textContent(), { timeout: 20_000 }).toBe(ky.login.invalid); // a password hash on a busy machine
    await first.fill('input[name=password]', 'a second passphrase');
    await Promise.all([
      first.waitForURL(`${server.url}/`),
      first.locator('form:has(input[name=password]) button[type=submit]').click(),
    ]);
    await first.goto(`${server.url}/account`);
    expect(await scrollsSideways(first)).toBe(false);

    // The refused old password is the one failed request either page made, and it was meant.
    expect(firstGuard.problems()).toEqual([
      'console: Failed to load resource: the server responded with a status of 401 (Unauthorized)',
    ]);
    expect(secondGuard.problems()).toEqual([]);
  });

  it('signs an imported instructor in through the university sign-in, on a phone', async () => {
    const email = 'sso.teacher@university.kg';
    await importInstructor('SSO-1', email, 'Бирдиктүү Окутуучу', 'SSO-101');
    provider.accounts.set('knu-sso-teacher', { email, email_verified: true, name: 'SSO Teacher' });
    provider.signInAs('knu-sso-teacher');

    const page = await (await browser.newContext({ viewport: phone })).newPage();
    const guard = guardPage(page);
    await page.goto(`${server.url}/login`);
    const button = page.locator('[data-testid=sso]');
    expect(await button.textContent()).toBe(ky.sso.button.replace('{{name}}', 'KNU ID'));
    expect(await scrollsSideways(page)).toBe(false);
    await Promise.all([page.waitForURL(`${server.url}/`), button.click()]);
    expect(await page.locator('.account-link').textContent()).toContain('Бирдиктүү Окутуучу');
    await expect.poll(() => page.locator('[data-testid=teaching] .card', { hasText: 'SSO-101' }).count()).toBe(1);
    expect(await scrollsSideways(page)).toBe(false);
    expect(guard.problems()).toEqual([]);
  });
});
