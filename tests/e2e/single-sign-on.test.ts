// Single sign-on against a real OpenID provider on loopback (oidc-provider), over real HTTP to the
// built app: imported people found by verified e-mail, by the registrar's id and then by the
// provider's subject; and every way a sign-in can be wrong refused without a session: a forged
// state, a callback in another browser, a replayed code, an ID token for another client or past
// its time, an unverified e-mail, a stranger, a disabled person, a cancelled sign-in. Password
// sign-in limited to staff, or off, with students made on first sign-in when asked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport } from '../../server/admin/import/run-import.ts';
import { findUserByCookie } from '../../server/auth/sessions.ts';
import { ky } from '../../server/common/dictionaries/ky.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { sheet } from '../helpers/import-files.ts';
import { startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let provider: TestProvider;
/** Accounts from the registrar; passwords for staff only; no strangers. */
let kabinet: TestServer;
/** Single sign-on only; a stranger with a university address becomes a student. */
let open: TestServer;

const sso = (provider: TestProvider, more: Record<string, string>) => ({
  OIDC_ISSUER: provider.issuer,
  OIDC_CLIENT_ID: provider.clientId,
  OIDC_CLIENT_SECRET: provider.clientSecret,
  ...more,
});

beforeAll(async () => {
  provider = await startTestProvider();
  const buildDir = await sharedBuild();
  kabinet = await startTestServer({
    remix: 'build',
    buildDir,
    env: sso(provider, {
      OIDC_DISPLAY_NAME: 'KNU ID',
      OIDC_EXTERNAL_ID_CLAIM: 'employee_id',
      OIDC_SCOPES: 'openid email profile employee',
      PASSWORD_LOGIN: 'staff',
    }),
  });
  open = await startTestServer({
    remix: 'build',
    buildDir,
    env: sso(provider, { OIDC_CREATE_STUDENTS: 'true', OIDC_EMAIL_DOMAINS: 'university.kg', PASSWORD_LOGIN: 'none' }),
  });
  provider.allowRedirects([`${kabinet.url}/auth/oidc/callback`, `${open.url}/auth/oidc/callback`]);
}, 240_000);
afterAll(async () => {
  await kabinet?.close();
  await open?.close();
  await provider?.close();
});

/** A browser without scripts: its own cookies per site, redirects followed by hand. */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookies = this.jar.get(target.host) ?? new Map<string, string>();
    const headers = new Headers(init.headers);
    if (cookies.size) headers.set('cookie', [...cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    if (init.method === 'POST') headers.set('origin', target.origin);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
      if (attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute)) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(target.host, cookies);
    return response;
  }

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    this.jar.set(host, (this.jar.get(host) ?? new Map()).set(name, value));
  }
}

/** Presses the sign-in button: the address of the provider's page the browser is sent to. */
async function pressSso(browser: Browser, server: TestServer, redirectTo = '/'): Promise<string> {
  const response = await browser.request(`${server.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ intent: 'sso', redirectTo }),
  });
  expect(response.status).toBe(302);
  const location = response.headers.get('location')!;
  expect(location.startsWith(provider.issuer)).toBe(true);
  return location;
}

/** Goes through the provider's pages as `subject`: the callback address it sends the browser back to. */
async function atProvider(browser: Browser, authorizationUrl: string, subject: string | null): Promise<string> {
  provider.signInAs(subject);
  let url = authorizationUrl;
  for (let hop = 0; hop < 10; hop++) {
    const response = await browser.request(url);
    const location = response.headers.get('location');
    expect(location, `the provider answered ${response.status} at ${url}`).toBeTruthy();
    url = new URL(location!, url).href;
    if (!url.startsWith(provider.issuer)) return url;
  }
  throw new Error('the provider kept redirecting');
}

async function signIn(
  server: TestServer,
  subject: string | null,
  options: { browser?: Browser; redirectTo?: string } = {},
) {
  const browser = options.browser ?? new Browser();
  const callbackUrl = await atProvider(browser, await pressSso(browser, server, options.redirectTo), subject);
  expect(callbackUrl.startsWith(`${server.url}/auth/oidc/callback?`)).toBe(true);
  const response = await browser.request(callbackUrl);
  return {
    browser,
    callbackUrl,
    response,
    body: response.status === 200 || response.status >= 400 ? await response.text() : '',
  };
}

/** The person the session cookie of a callback's answer belongs to, or null. */
async function sessionOf(server: TestServer, response: Response) {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith('kabinet_session='));
  return line ? findUserByCookie(server.services.db, line.split(';')[0]) : null;
}

let registrarCounter = 0;
/** A person the registrar's files brought in (no password yet), as the import makes them. */
async function imported(
  server: TestServer,
  person: { email: string; name: string; role?: 'instructor' },
): Promise<{ id: string; externalId: string }> {
  const externalId = `T-${Date.now()}-${registrarCounter++}`;
  const { code } = await server.services.db
    .selectFrom('department')
    .select('code')
    .orderBy('code')
    .executeTakeFirstOrThrow();
  const kinds = [sheet('people', ['external_id', 'email', 'full_name'], [[externalId, person.email, person.name]])];
  if (person.role) kinds.push(sheet('roles', ['person', 'role', 'scope_code'], [[externalId, person.role, code]]));
  const report = await runImport(server.services.db, {
    rows: kinds,
    fileName: 'people.xlsx',
    options: { termCode: null, sync: false },
    apply: true,
    applyValidOnly: false,
    actor: { id: null, ip: null },
  });
  expect(report).toMatchObject({ outcome: 'applied', problemCount: 0 });
  const row = await server.services.db
    .selectFrom('app_user')
    .select(['id', 'password_hash'])
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  expect(row.password_hash).toBeNull();
  return { id: row.id, externalId };
}

const identities = (server: TestServer, userId: string) =>
  server.services.db.selectFrom('external_identity').selectAll().where('user_id', '=', userId).execute();
const translated = (key: Exclude<keyof typeof ky.sso, `${string}_${string}`>, email = '') =>
  ky.sso[key].replace('{{email}}', email);

describe('single sign-on', () => {
  it('signs in an imported instructor by verified e-mail, then by the remembered subject', async () => {
    const person = await imported(kabinet, {
      email: 'aibek.toktogulov@university.kg',
      name: 'Токтогулов Айбек',
      role: 'instructor',
    });
    provider.accounts.set('sub-aibek', {
      email: 'Aibek.Toktogulov@University.kg',
      email_verified: true,
      name: 'Aibek Toktogulov',
    });
    const first = await signIn(kabinet, 'sub-aibek', { redirectTo: '/account' });
    expect(first.response.status).toBe(302);
    expect(first.response.headers.get('location')).toBe('/account');
    expect((await sessionOf(kabinet, first.response))?.id).toBe(person.id);
    // The binding cookie is gone with the sign-in it bound.
    expect(first.browser.cookie(kabinet.url, 'kabinet_sso')).toBeUndefined();
    expect(await identities(kabinet, person.id)).toEqual([
      expect.objectContaining({ issuer: provider.issuer, subject: 'sub-aibek' }),
    ]);

    // The provider changes the address: the subject still finds the same person.
    provider.accounts.set('sub-aibek', {
      email: 'a.toktogulov@university.kg',
      email_verified: true,
      name: 'Aibek Toktogulov',
    });
    const second = await signIn(kabinet, 'sub-aibek');
    expect((await sessionOf(kabinet, second.response))?.id).toBe(person.id);
    const links = await kabinet.services.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', '=', person.id)
      .where('action', '=', 'sso.link')
      .execute();
    expect(links).toHaveLength(1);
  });

  it('finds a person by the registrar id claim, whatever the e-mail says, in the language chosen on the login page', async () => {
    const person = await imported(kabinet, {
      email: 'nurlan.asanov@university.kg',
      name: 'Асанов Нурлан',
      role: 'instructor',
    });
    provider.accounts.set('sub-nurlan', {
      email: 'nurlan@mail.example',
      email_verified: false,
      employee_id: person.externalId,
    });
    const browser = new Browser();
    browser.setCookie(kabinet.url, 'kabinet_lang', 'ru');
    const { response } = await signIn(kabinet, 'sub-nurlan', { browser, redirectTo: '//evil.example/' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
    const user = await sessionOf(kabinet, response);
    expect(user).toMatchObject({ id: person.id, locale: 'ru' });
  });

  it('refuses a forged state, and the sign-in it belonged to is over', async () => {
    provider.accounts.set('sub-state', { email: 'student3@demo.kabinet.kg', email_verified: true });
    const browser = new Browser();
    const callbackUrl = await atProvider(browser, await pressSso(browser, kabinet), 'sub-state');
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'attacker-chosen-state');
    const refused = await browser.request(forged.href);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(translated('failed'));
    expect(await sessionOf(kabinet, refused)).toBeNull();
    const again = await browser.request(callbackUrl);
    expect(again.status).toBe(400);
    expect(await again.text()).toContain(translated('expired'));
  });

  it('refuses a callback opened in another browser (a login planted by someone else), and the real one still works', async () => {
    provider.accounts.set('sub-plant', { email: 'student4@demo.kabinet.kg', email_verified: true });
    const attacker = new Browser();
    const callbackUrl = await atProvider(attacker, await pressSso(attacker, kabinet), 'sub-plant');
    const victim = new Browser();
    const planted = await victim.request(callbackUrl);
    expect(planted.status).toBe(400);
    expect(await sessionOf(kabinet, planted)).toBeNull();
    const own = await attacker.request(callbackUrl);
    expect(own.status).toBe(302);
    expect((await sessionOf(kabinet, own))?.email).toBe('student4@demo.kabinet.kg');
  });

  it('refuses a callback used twice, and a used code carried into a new sign-in', async () => {
    provider.accounts.set('sub-replay', { email: 'student5@demo.kabinet.kg', email_verified: true });
    const { browser, callbackUrl, response } = await signIn(kabinet, 'sub-replay');
    expect(response.status).toBe(302);
    const replay = await browser.request(callbackUrl);
    expect(replay.status).toBe(400);
    expect(await sessionOf(kabinet, replay)).toBeNull();
    // A fresh sign-in (a new binding and state) carrying the used code: the provider refuses it.
    const fresh = new URL(await pressSso(browser, kabinet));
    const smuggled = new URL(callbackUrl);
    smuggled.searchParams.set('state', fresh.searchParams.get('state')!);
    const refused = await browser.request(smuggled.href);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(translated('failed'));
    expect(await sessionOf(kabinet, refused)).toBeNull();
  });

  it('gives one session from one sign-in, however many callbacks race with its cookie', async () => {
    provider.accounts.set('sub-race', { email: 'student8@demo.kabinet.kg', email_verified: true });
    const browser = new Browser();
    const callbackUrl = await atProvider(browser, await pressSso(browser, kabinet), 'sub-race');
    const cookie = `kabinet_sso=${browser.cookie(kabinet.url, 'kabinet_sso')}`;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => fetch(callbackUrl, { headers: { cookie }, redirect: 'manual' })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([302, ...Array<number>(9).fill(400)]);
    const sessions = await kabinet.services.db
      .selectFrom('session')
      .select('token_hash')
      .where('user_id', '=', await kabinet.userId('student8'))
      .execute();
    expect(sessions).toHaveLength(1);
  });

  it('refuses an ID token made for another client, one past its time, and one signed by another key', async () => {
    provider.accounts.set('sub-token', { email: 'student6@demo.kabinet.kg', email_verified: true });
    const now = Math.floor(Date.now() / 1000);
    const tampered = [
      { change: (claims: Record<string, unknown>) => ({ ...claims, aud: 'another-app' }), signer: 'provider' },
      {
        change: (claims: Record<string, unknown>) => ({ ...claims, iat: now - 7200, exp: now - 3600 }),
        signer: 'provider',
      },
      { change: (claims: Record<string, unknown>) => claims, signer: 'stranger' },
    ] as const;
    for (const { change, signer } of tampered) {
      provider.tamper(change, signer);
      try {
        const { response, body } = await signIn(kabinet, 'sub-token');
        expect(response.status).toBe(400);
        expect(body).toContain(translated('failed'));
        expect(await sessionOf(kabinet, response)).toBeNull();
      } finally {
        provider.tamper(null);
      }
    }
    // The same sign-in untouched works: the refusals were for the tampered claim alone.
    expect((await signIn(kabinet, 'sub-token')).response.status).toBe(302);
  });

  it('refuses an e-mail the provider has not verified, a stranger, a disabled person, and a cancelled sign-in', async () => {
    provider.accounts.set('sub-unverified', { email: 'student7@demo.kabinet.kg', email_verified: false });
    const unverified = await signIn(kabinet, 'sub-unverified');
    expect(unverified.response.status).toBe(403);
    expect(unverified.body).toContain(translated('unverified', 'student7@demo.kabinet.kg'));
    expect(
      await kabinet.services.db
        .selectFrom('external_identity')
        .select('subject')
        .where('subject', '=', 'sub-unverified')
        .execute(),
    ).toEqual([]);

    provider.accounts.set('sub-stranger', { email: 'stranger@university.kg', email_verified: true });
    const stranger = await signIn(kabinet, 'sub-stranger');
    expect(stranger.response.status).toBe(403);
    expect(stranger.body).toContain(translated('unknown', 'stranger@university.kg'));
    expect(
      await kabinet.services.db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', 'stranger@university.kg')
        .execute(),
    ).toEqual([]);

    await kabinet.services.db
      .updateTable('app_user')
      .set({ disabled_at: new Date() })
      .where('email', '=', 'student9@demo.kabinet.kg')
      .execute();
    provider.accounts.set('sub-disabled', { email: 'student9@demo.kabinet.kg', email_verified: true });
    const disabled = await signIn(kabinet, 'sub-disabled');
    expect(disabled.response.status).toBe(403);
    expect(disabled.body).toContain(translated('disabled'));

    const cancelled = await signIn(kabinet, null);
    expect(cancelled.response.status).toBe(400);
    expect(cancelled.body).toContain(translated('cancelled'));
    for (const attempt of [unverified, stranger, disabled, cancelled])
      expect(await sessionOf(kabinet, attempt.response)).toBeNull();
  });

  it('keeps at most 200 sign-ins under way per address, forgetting the oldest, so the next one always starts', async () => {
    const oidc = kabinet.services.oidc!;
    const starts = [];
    for (let i = 0; i < 230; i++)
      starts.push(
        await oidc.start(kabinet.services.db, {
          redirectTo: '/',
          ip: '2001:db8:1:2:3:4:5:6',
          redirectUri: `${kabinet.url}/auth/oidc/callback`,
        }),
      );
    // Another address of the same IPv6 /64 is the same party.
    await oidc.start(kabinet.services.db, {
      redirectTo: '/',
      ip: '2001:db8:1:2::99',
      redirectUri: `${kabinet.url}/auth/oidc/callback`,
    });
    const pending = await kabinet.services.db
      .selectFrom('oidc_login')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('ip', '=', '2001:db8:1:2::/64')
      .executeTakeFirstOrThrow();
    expect(pending.n).toBe('200');
    expect(starts.at(-1)!.authorizationUrl.startsWith(provider.issuer)).toBe(true);
  });

  it('lets staff use passwords and sends students to single sign-on (PASSWORD_LOGIN=staff)', async () => {
    const login = (email: string) =>
      new Browser().request(`${kabinet.url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email, password: 'kabinet-demo' }),
      });
    const student = await login('student10@demo.kabinet.kg');
    expect(student.status).toBe(403);
    expect(await student.text()).toContain(ky.login.useSso);
    expect(await sessionOf(kabinet, student)).toBeNull();
    expect((await login('instructor@demo.kabinet.kg')).status).toBe(302);
    const page = await (await fetch(`${kabinet.url}/login`)).text();
    expect(page).toContain(ky.sso.button.replace('{{name}}', 'KNU ID'));
    expect(page).toContain('name="password"');
  });
});

describe('single sign-on only, students made at first sign-in (PASSWORD_LOGIN=none, OIDC_CREATE_STUDENTS)', () => {
  it('makes a student of a verified university address, refuses other domains and every password', async () => {
    provider.accounts.set('sub-new', {
      email: 'new.student@university.kg',
      email_verified: true,
      name: 'Жаңы Студент',
    });
    const { response } = await signIn(open, 'sub-new');
    expect(response.status).toBe(302);
    const user = await sessionOf(open, response);
    expect(user).toMatchObject({
      email: 'new.student@university.kg',
      fullName: 'Жаңы Студент',
      roles: [],
      groupIds: [],
    });
    const created = await open.services.db
      .selectFrom('audit_event')
      .select('action')
      .where('object_id', '=', user!.id)
      .where('action', '=', 'sso.create_student')
      .execute();
    expect(created).toHaveLength(1);

    provider.accounts.set('sub-gmail', { email: 'someone@gmail.com', email_verified: true });
    const outside = await signIn(open, 'sub-gmail');
    expect(outside.response.status).toBe(403);
    expect(outside.body).toContain(translated('domain', 'someone@gmail.com'));
    expect(
      await open.services.db.selectFrom('app_user').select('id').where('email', '=', 'someone@gmail.com').execute(),
    ).toEqual([]);

    const password = await new Browser().request(`${open.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'admin@demo.kabinet.kg', password: 'kabinet-demo' }),
    });
    expect(password.status).toBe(403);
    const page = await (await fetch(`${open.url}/login`)).text();
    expect(page).not.toContain('name="password"');
    expect(page).toContain(ky.sso.buttonDefault);
  });
});
