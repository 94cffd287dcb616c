// Refuses state-changing requests that a browser sent from another site (CSRF), for every route.
import type { RequestHandler } from 'express';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Browsers label cross-site requests with `Sec-Fetch-Site` and send `Origin` on every POST; a
 * request with neither comes from a non-browser client, which carries no ambient cookies to abuse.
 */
export function isCrossOriginMutation(
  method: string,
  headers: { get(name: string): string | null | undefined },
  ownOrigins: string[],
): boolean {
  if (safeMethods.has(method.toUpperCase())) return false;
  const site = headers.get('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = headers.get('origin');
  if (!origin) return false;
  return !ownOrigins.includes(origin);
}

export function sameOriginOnly(options: {
  publicOrigin: string | undefined;
  onRefuse: RequestHandler;
}): RequestHandler {
  return (req, res, next) => {
    const own = [`${req.protocol}://${req.get('host')}`];
    if (options.publicOrigin) own.push(options.publicOrigin);
    const headers = { get: (name: string) => req.get(name) ?? null };
    if (isCrossOriginMutation(req.method, headers, own)) return options.onRefuse(req, res, next);
    next();
  };
}
