import type { AppLoadContext } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSessionUser, readSessionToken } from '../../server/auth/sessions.ts';
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
    return result instanceof Response ? result : new Response(JSON.stringify((result as { data: unknown }).data), (result as { init: ResponseInit }).init);
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
    const first = await logIn('student@demo.kabinet.kg', 'kabinet-demo', { url: 'https://kabinet.test/login', cookie: planted });
    const second = await logIn('student@demo.kabinet.kg', 'kabinet-demo', { url: 'https://kabinet.test/login', cookie: planted });
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
    const offsite = new Request('http://kabinet.test/login', {
      method: 'POST',
      body: new URLSearchParams({ email: 'student3@demo.kabinet.kg', password: 'kabinet-demo', redirectTo: '//evil.example' }),
    });
    const result = (await loginAction({ request: offsite, params: {}, context: contextFrom('10.0.0.9') })) as Response;
    expect(result.headers.get('location')).toBe('/');
  });

  it('slows down repeated failures for an account with growing delays, even with the right password', async () => {
    const email = 'student4@demo.kabinet.kg';
    for (let i = 0; i < 3; i++) expect((await logIn(email, 'wrong', { ip: `10.1.0.${i}` })).status).toBe(401);
    const fourth = await logIn(email, 'wrong', { ip: '10.1.0.9' });
    expect(fourth.status).toBe(401);
    const blocked = await logIn(email, 'kabinet-demo', { ip: '10.1.0.10' });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const row = await server.services.db.selectFrom('login_throttle').selectAll().where('key', '=', `account:${email}`).executeTakeFirstOrThrow();
    expect(row.failures).toBe(4);
  });

  it('slows down many failures from one address across accounts', async () => {
    for (let i = 0; i < 30; i++) await logIn(`nobody${i}@demo.kabinet.kg`, 'x', { ip: '10.2.0.1' });
    expect((await logIn('nobody-else@demo.kabinet.kg', 'x', { ip: '10.2.0.1' })).status).toBe(401);
    expect((await logIn('student5@demo.kabinet.kg', 'kabinet-demo', { ip: '10.2.0.1' })).status).toBe(429);
    expect((await logIn('student5@demo.kabinet.kg', 'kabinet-demo', { ip: '10.2.0.2' })).status).toBe(302);
  });

  it('logs out by revoking the session in the database', async () => {
    const login = await logIn('head@demo.kabinet.kg', 'kabinet-demo');
    const token = readSessionToken(login.headers.get('set-cookie'));
    const cookie = `kabinet_session=${token}`;
    const response = await logoutAction({ request: new Request('http://kabinet.test/logout', { method: 'POST', headers: { cookie } }), params: {}, context: contextFrom('10.0.0.1') });
    expect(response.status).toBe(302);
    expect(response.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(await findSessionUser(server.services.db, token)).toBeNull();
  });
});
