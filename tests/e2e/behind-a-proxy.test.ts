// Kabinet behind one TLS reverse proxy (TRUST_PROXY=1, PUBLIC_ORIGIN https), over real HTTP to the
// built app: the client address is the one the proxy saw (a forged X-Forwarded-For changes
// nothing), and the session cookie is Secure although the proxy talks plain HTTP to Kabinet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedBuild } from '../helpers/build-app.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let server: TestServer;
const origin = 'https://kabinet.example.kg';

beforeAll(async () => {
  server = await startTestServer({
    remix: 'build',
    buildDir: await sharedBuild(),
    env: { TRUST_PROXY: '1', PUBLIC_ORIGIN: origin },
  });
}, 240_000);
afterAll(() => server?.close());

/** A login as the proxy forwards it: the client's own X-Forwarded-For, then the address the proxy saw. */
function logIn(email: string, password: string, forwardedFor: string) {
  return fetch(`${server.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      origin,
      'content-type': 'application/x-www-form-urlencoded',
      'x-forwarded-for': forwardedFor,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'kabinet.example.kg',
    },
    body: new URLSearchParams({ email, password, redirectTo: '/' }),
  });
}

describe('behind a reverse proxy', () => {
  it('throttles by the address the proxy saw, whatever the client claims', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++)
      statuses.push((await logIn('student30@demo.kabinet.kg', 'wrong', `203.0.113.${i}, 198.51.100.7`)).status);
    expect(statuses.slice(0, 6).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(6)).toEqual([429, 429]);
    const row = await server.services.db
      .selectFrom('login_throttle')
      .select('key')
      .where('key', 'like', 'pair:student30@%')
      .executeTakeFirstOrThrow();
    expect(row.key).toBe('pair:student30@demo.kabinet.kg|198.51.100.7');
  });

  it('marks the session cookie Secure when the public address is https', async () => {
    const response = await logIn('student29@demo.kabinet.kg', 'kabinet-demo', '198.51.100.8');
    expect(response.status).toBe(302);
    expect(response.headers.get('set-cookie')).toMatch(/; Secure/i);
  });
});
