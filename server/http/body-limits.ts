// Every request body outside tus uploads has a limit, checked from its declared length before a
// byte is read: url-encoded forms 1 MB, multipart forms (a caption, a GIFT file, a picture, an
// import) 70 MiB, each route checking its own smaller limit as it reads (both configurable:
// FORM_BODY_LIMIT_KB, MULTIPART_BODY_LIMIT_MIB). A body without a declared length (chunked) is
// refused: browsers always declare one for forms. A NUL in the URL is refused too (no text column
// stores one; Postgres would fail on it).
import type { RequestHandler } from 'express';
import type { HttpConfig } from '../config.ts';

export type BodyLimits = HttpConfig['bodyLimits'];
const bodyless = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

export type BodyRefusal = { status: 400 | 411 | 413; messageKey: string; params: Record<string, number> };

/** Why a request must be refused before its body is read, or null. */
export function refuseBody(
  limits: BodyLimits,
  method: string,
  url: string,
  headers: { get(name: string): string | null | undefined },
): BodyRefusal | null {
  if (/%00/i.test(url)) return { status: 400, messageKey: 'errors.invalid_input', params: {} };
  if (bodyless.has(method.toUpperCase())) return null;
  const multipart = (headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/');
  const limit = multipart ? limits.multipart : limits.form;
  const declared = headers.get('content-length');
  if (declared === null || declared === undefined) {
    return headers.get('transfer-encoding') ? { status: 411, messageKey: 'errors.length_required', params: {} } : null;
  }
  // Megabytes as people read them, to one decimal: 1 MB, 73.4 MB.
  return Number(declared) > limit
    ? { status: 413, messageKey: 'errors.body_too_large', params: { maxMb: Math.floor(limit / 100_000) / 10 } }
    : null;
}

export function limitBodies(
  limits: BodyLimits,
  onRefuse: (refusal: BodyRefusal, ...args: Parameters<RequestHandler>) => void,
): RequestHandler {
  return (req, res, next) => {
    const refusal = refuseBody(limits, req.method, req.originalUrl, { get: (name) => req.get(name) ?? null });
    if (!refusal) return next();
    // The rest of the body is not read: the connection closes after the answer.
    res.set('Connection', 'close');
    onRefuse(refusal, req, res, next);
  };
}
