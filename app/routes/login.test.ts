import { sql } from 'kysely';
import { throttleKeys } from '../../server/auth/login-throttle.ts';
import type { AppLoadContext } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidc } from '../../server/auth/oidc.ts';
import { findSessionUser, readSessionToken } from '../../server/auth/sessions.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { freePort } from '../../tests/helpers/free-port.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { action as logoutAction } from './logout.tsx';
import { action as loginAction } from './login.tsx';

let server: TestServer;
const contextFrom = (ip: string): AppLoadContext => ({ services: server.services, clientIp: ip });

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function logIn(email: string, password: string, options: { ip?: string; url?: string; cookie?: string } = {}) {
  const request = new Request(options.url ?? 'http://kabinet.test/login', {
    method: 'POST',
    headers: options.cookie ? { cookie: options.cookie } : {},
    body: new URLSearchParams({ email, password, redirectTo: '/cabinets/x' }),
  });
  try {
    const result = await loginAction({ request, params: {}, context: contextFrom(options.ip ?? '10.0.0.1') });
    return result instanceof Response
      ? result
      : new Response(JSON.stringify((result as { data: unknown }).data), (result as { init: ResponseInit }).init);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe('login', () => {
  it('logs in with the demo password and sets a safe session cookie', async () => {
    const response = await logIn('Instructor@demo.kabinet.kg', 'kabinet-demo');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/cabinets/x');
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^kabinet_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const user = await findSessionUser(server.services.db, readSessionToken(cookie));
    expect(user?.email).toBe('instructor@demo.kabinet.kg');
  });

  it('marks the cookie Secure over https and issues a new session id at every login', async () => {
    const planted = 'kabinet_session=' + 'a'.repeat(43);
    const first = await logIn('student@demo.kabinet.kg', 'kabinet-demo', {
      url: 'https://kabinet.test/login',
      cookie: planted,
    });
    const second = await logIn('student@demo.kabinet.kg', 'kabinet-demo', {
      url: 'https://kabinet.test/login',
      cookie: planted,
    });
    expect(first.headers.get('set-cookie')).toMatch(/Secure/);
    const a = readSessionToken(first.headers.get('set-cookie'));
    const b = readSessionToken(second.headers.get('set-cookie'));
    expect(a).not.toBe(b);
    expect(a).not.toBe('a'.repeat(43));
  });

  it('refuses a wrong password with a translated message and never redirects to another site', async () => {
    const response = await logIn('student2@demo.kabinet.kg', 'wrong');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { messageKey: 'login.invalid', params: {} } });
    const payloads = [
      '//evil.example',
      '/%09/evil.example/',
      '/\t/evil.example',
      '/\\evil.example',
      '/%2F%2Fevil.example',
      '/%5Cevil.example',
      'https://evil.example',
      '/\r\nLocation: https://evil.example',
      'javascript:alert(1)',
      '/.//evil.example',
      '/..//evil.example',
      '/x/../..//evil.example',
    ];
    for (const redirectTo of payloads) {
      const offsite = new Request('http://kabinet.test/login', {
        method: 'POST',
        body: new URLSearchParams({ email: 'student3@demo.kabinet.kg', password: 'kabinet-demo', redirectTo }),
      });
      const result = (await loginAction({
        request: offsite,
        params: {},
        context: contextFrom('10.0.0.9'),
      })) as Response;
      expect([redirectTo, result.headers.get('location')]).toEqual([redirectTo, '/']);
    }
    const onsite = new Request('http://kabinet.test/login', {
      method: 'POST',
      body: new URLSearchParams({
        email: 'student3@demo.kabinet.kg',
        password: 'kabinet-demo',
        redirectTo: '/reports/university?asOf=2026-10-01',
      }),
    });
    expect(
      ((await loginAction({ request: onsite, params: {}, context: contextFrom('10.0.0.9') })) as Response).headers.get(
        'location',
      ),
    ).toBe('/reports/university?asOf=2026-10-01');
  });

  it('answers a waiting attempt with 429 and Retry-After, and the right password from another address still gets in', async () => {
    const email = 'student4@demo.kabinet.kg';
    for (let i = 0; i < 6; i++) expect((await logIn(email, 'wrong', { ip: '10.1.0.1' })).status).toBe(401);
    // The sixth failure blocked this address for a second. On a busy machine a password check can
    // take that long, so the block is stretched (as more failures would) before the next attempt.
    const stretched = await sql`
      update login_throttle set blocked_until = now() + interval '30 seconds'
      where key = ${throttleKeys(email, '10.1.0.1').pair} and failures >= 6`.execute(server.services.db);
    expect(Number(stretched.numAffectedRows)).toBeGreaterThan(0);
    const blocked = await logIn(email, 'kabinet-demo', { ip: '10.1.0.1' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await logIn(email, 'kabinet-demo', { ip: '10.1.0.2' })).status).toBe(302);
  });

  it('makes the language chosen on the login page the person’s', async () => {
    const response = await logIn('student6@demo.kabinet.kg', 'kabinet-demo', { cookie: 'kabinet_lang=en' });
    expect(response.status).toBe(302);
    const user = await findSessionUser(server.services.db, readSessionToken(response.headers.get('set-cookie')));
    expect(user?.locale).toBe('en');
  });

  it('ends a session left unused: staff after a working day, students after a month', async () => {
    const head = await logIn('head2@demo.kabinet.kg', 'kabinet-demo');
    const student = await logIn('student8@demo.kabinet.kg', 'kabinet-demo');
    const [headToken, studentToken] = [head, student].map((response) =>
      readSessionToken(response.headers.get('set-cookie'))!,
    );
    const ids = [await server.userId('head2'), await server.userId('student8')];
    const idle = (hours: number) =>
      server.services.db
        .updateTable('session')
        .set({ last_seen_at: new Date(Date.now() - hours * 3600_000) })
        .where('user_id', 'in', ids)
        .execute();
    await idle(9);
    expect(
      await findSessionUser(server.services.db, headToken ?? null, server.services.config.sessionIdleMs),
    ).toBeNull();
    expect(
      await findSessionUser(server.services.db, studentToken ?? null, server.services.config.sessionIdleMs),
    ).not.toBeNull();
    await idle(31 * 24);
    expect(
      await findSessionUser(server.services.db, studentToken ?? null, server.services.config.sessionIdleMs),
    ).toBeNull();
  });

  it('logs out by revoking the session in the database', async () => {
    const login = await logIn('head@demo.kabinet.kg', 'kabinet-demo');
    const token = readSessionToken(login.headers.get('set-cookie'));
    const cookie = `kabinet_session=${token}`;
    const response = await logoutAction({
      request: new Request('http://kabinet.test/logout', { method: 'POST', headers: { cookie } }),
      params: {},
      context: contextFrom('10.0.0.1'),
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await findSessionUser(server.services.db, token)).toBeNull();
  });

  it('says when the university sign-in cannot be reached, and when to try again', async () => {
    const closed = await freePort();
    const oidc = createOidc(
      loadConfig({ OIDC_ISSUER: `http://127.0.0.1:${closed}`, OIDC_CLIENT_ID: 'kabinet' }).oidc!,
      createLogger('silent'),
    );
    const request = new Request('http://kabinet.test/login', {
      method: 'POST',
      body: new URLSearchParams({ intent: 'sso', redirectTo: '/' }),
    });
    const result = await settle(() =>
      loginAction({ request, params: {}, context: { services: { ...server.services, oidc }, clientIp: '10.0.0.9' } }),
    );
    expect(statusOf(result)).toBe(503);
    expect(result).toMatchObject({
      data: { error: { messageKey: 'sso.unavailable', params: { seconds: 30 } } },
      init: { headers: { 'Retry-After': '30' } },
    });
  });
});
