// One's own account from the sign-in side: changing the password ends the other sessions (and keeps
// this one), a wrong or common password is refused; the sessions list and signing out everywhere;
// "forgot password" says the same for a known and an unknown address; a disabled person cannot
// sign in and their sessions are gone.
import type { AppLoadContext } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, findSessionUser } from '../../server/auth/sessions.ts';
import { setDisabled } from '../../server/admin/person-access.ts';
import { principal } from '../../tests/helpers/demo-cabinet.ts';
import { routeRequest, settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import * as account from './account.tsx';
import * as forgot from './forgot-password.tsx';
import * as login from './login.tsx';

let server: TestServer;
let context: AppLoadContext;
beforeAll(async () => {
  server = await startTestServer();
  context = { services: server.services, clientIp: '10.5.0.1' };
});
afterAll(() => server?.close());

const sessionOf = async (account: string) => {
  const token = await createSession(server.services.db, {
    userId: await server.userId(account),
    ttlMs: 3600_000,
    ip: null,
    userAgent: 'test',
  });
  return { token, cookie: `kabinet_session=${token}` };
};
const post = (
  route: { action: (args: never) => Promise<unknown> },
  path: string,
  cookie: string | undefined,
  form: Record<string, string>,
) =>
  settle(() =>
    (route.action as (args: unknown) => Promise<unknown>)({
      request: routeRequest(path, cookie, form),
      params: {},
      context,
    }),
  );
const alive = async (token: string) => (await findSessionUser(server.services.db, token)) !== null;

describe('my account', () => {
  it('changes the password only with the right current one, refuses a common one, and ends the other sessions', async () => {
    const here = await sessionOf('student33');
    const elsewhere = await sessionOf('student33');
    const change = (current: string, next: string, confirm = next) =>
      post(account, '/account', here.cookie, { intent: 'password', current, next, confirm });
    const wrong = await change('not-my-password', 'a fresh passphrase');
    expect([statusOf(wrong), (wrong as { data: { error: { messageKey: string } } }).data.error.messageKey]).toEqual([
      400,
      'account.currentWrong',
    ]);
    const common = await change('kabinet-demo', 'qwertyuiop');
    expect((common as { data: { error: { messageKey: string } } }).data.error.messageKey).toBe('signIn.passwordCommon');
    expect(await alive(elsewhere.token)).toBe(true);
    expect(statusOf(await change('kabinet-demo', 'a fresh passphrase'))).toBe(200);
    expect([await alive(here.token), await alive(elsewhere.token)]).toEqual([true, false]);
    const withNew = await settle(() =>
      login.action({
        request: routeRequest('/login', undefined, {
          email: 'student33@demo.kabinet.kg',
          password: 'a fresh passphrase',
        }),
        params: {},
        context,
      }),
    );
    expect(statusOf(withNew)).toBe(302);
  });

  it('lists my sessions and signs me out everywhere else, or everywhere', async () => {
    const here = await sessionOf('student34');
    const other = await sessionOf('student34');
    const page = (await account.loader({ request: routeRequest('/account', here.cookie), params: {}, context })) as {
      sessions: Array<{ current: boolean }>;
    };
    expect(page.sessions.map((s) => s.current).sort()).toEqual([false, true]);
    expect(statusOf(await post(account, '/account', here.cookie, { intent: 'end-others' }))).toBe(200);
    expect([await alive(here.token), await alive(other.token)]).toEqual([true, false]);
    const out = await post(account, '/account', here.cookie, { intent: 'end-all' });
    expect([statusOf(out), (out as Response).headers.get('location')]).toEqual([302, '/login']);
    expect(await alive(here.token)).toBe(false);
  });

  it('is closed to the disabled: no sign-in, no session', async () => {
    const before = await sessionOf('student35');
    await setDisabled(
      server.services.db,
      { user: await principal(server.services.db, 'admin'), ip: null },
      await server.userId('student35'),
      true,
    );
    expect(await alive(before.token)).toBe(false);
    const attempt = await settle(() =>
      login.action({
        request: routeRequest('/login', undefined, { email: 'student35@demo.kabinet.kg', password: 'kabinet-demo' }),
        params: {},
        context,
      }),
    );
    expect(statusOf(attempt)).toBe(401);
  });
});

describe('forgot password', () => {
  it('answers the same for a known and an unknown address', async () => {
    const known = await post(forgot, '/forgot-password', undefined, { email: 'student36@demo.kabinet.kg' });
    const unknown = await post(forgot, '/forgot-password', undefined, { email: 'nobody.at.all@demo.kabinet.kg' });
    expect(known).toEqual(unknown);
    expect(known).toEqual({ sent: true, error: null });
  });
});
