// The sign-in link page: a live link asks for the password and signs the person in; a dead one says
// so with 404 and nothing about whom it was for.
import type { AppLoadContext } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSessionUser, readSessionToken } from '../../server/auth/sessions.ts';
import { createSignInLink } from '../../server/auth/sign-in-links.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { action, loader } from './sign-in.$token.tsx';

let server: TestServer;
let context: AppLoadContext;
beforeAll(async () => {
  server = await startTestServer();
  context = { services: server.services, clientIp: '127.0.0.1' };
});
afterAll(() => server?.close());

const get = (token: string) =>
  settle(() => loader({ request: new Request(`http://kabinet.test/sign-in/${token}`), params: { token }, context }));
const post = (token: string, password: string, confirm = password) =>
  settle(() =>
    action({
      request: new Request(`http://kabinet.test/sign-in/${token}`, {
        method: 'POST',
        body: new URLSearchParams({ password, confirm }),
      }),
      params: { token },
      context,
    }),
  );

describe('/sign-in/<token>', () => {
  it('sets the password and signs in once; afterwards the link is dead', async () => {
    const userId = await server.userId('student12');
    const token = await createSignInLink(server.services.db, { userId, createdBy: null, ip: null });
    const page = (await get(token)) as { data: { person: { email: string } } };
    expect(page.data.person.email).toBe('student12@demo.kabinet.kg');
    expect(statusOf(await post(token, 'long enough one', 'long enough two'))).toBe(400);
    expect(statusOf(await post(token, 'short'))).toBe(400);
    const done = (await post(token, 'long enough passphrase')) as Response;
    expect(done.status).toBe(302);
    const user = await findSessionUser(server.services.db, readSessionToken(done.headers.get('set-cookie')));
    expect(user?.id).toBe(userId);
    expect(statusOf(await get(token))).toBe(404);
    expect(statusOf(await post(token, 'another passphrase'))).toBe(404);
  });

  it('answers 404 for a made-up, malformed or expired link', async () => {
    expect(statusOf(await get('x'.repeat(43)))).toBe(404);
    expect(statusOf(await get('../../etc/passwd'))).toBe(404);
    const token = await createSignInLink(server.services.db, {
      userId: await server.userId('student13'),
      createdBy: null,
      ip: null,
      ttlMs: -1000,
    });
    expect(statusOf(await get(token))).toBe(404);
    expect(((await get(token)) as { data: { person: unknown } }).data.person).toBeNull();
  });
});
