// Calling Remix loaders and actions directly in tests: what they return or throw, and its status.

/** The value a loader or action returned, or the Response it threw (refusals are thrown). */
export async function settle(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return await call();
  } catch (thrown) {
    return thrown;
  }
}

/** A Response's status, or that of Remix's `data(…, { status })`, or 200. */
export const statusOf = (value: unknown): number =>
  value instanceof Response ? value.status : ((value as { init?: { status?: number } } | null)?.init?.status ?? 200);

/** A request as a browser sends it to a route: a GET, or a POST of a form; with a session cookie or none. */
export function routeRequest(path: string, cookie: string | undefined, form?: Record<string, string>): Request {
  const headers: Record<string, string> = cookie ? { cookie } : {};
  return new Request(
    `http://kabinet.test${path}`,
    form ? { method: 'POST', headers, body: new URLSearchParams(form) } : { headers },
  );
}
