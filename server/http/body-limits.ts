// Every request body outside tus uploads has a limit, checked from its declared length before a
// byte is read: forms 2 MiB, multipart forms (a caption, a GIFT file, a picture, an import) 70 MiB,
// each route checking its own smaller limit as it reads. A body without a declared length (chunked)
// is refused: browsers always declare one for forms. A NUL in the URL is refused too (no text
// column stores one; Postgres would fail on it).
import type { RequestHandler } from 'express';

export const bodyLimits = { form: 2 * 2 ** 20, multipart: 70 * 2 ** 20 } as const;
const bodyless = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

export type BodyRefusal = { status: 400 | 411 | 413; messageKey: string; params: Record<string, number> };

/** Why a request must be refused before its body is read, or null. */
export function refuseBody(method: string, url: string, headers: { get(name: string): string | null | undefined }): BodyRefusal | null {
  if (/%00/i.test(url)) return { status: 400, messageKey: 'errors.invalid_input', params: {} };
  if (bodyless.has(method.toUpperCase())) return null;
  const multipart = (headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/');
  const limit = multipart ? bodyLimits.multipart : bodyLimits.form;
  const declared = headers.get('content-length');
  if (declared === null || declared === undefined) {
    return headers.get('transfer-encoding') ? { status: 411, messageKey: 'errors.length_required', params: {} } : null;
  }
  return Number(declared) > limit ? { status: 413, messageKey: 'errors.body_too_large', params: { maxMib: limit / 2 ** 20 } } : null;
}

export function limitBodies(onRefuse: (refusal: BodyRefusal, ...args: Parameters<RequestHandler>) => void): RequestHandler {
  return (req, res, next) => {
    const refusal = refuseBody(req.method, req.originalUrl, { get: (name) => req.get(name) ?? null });
    if (!refusal) return next();
    // The rest of the body is not read: the connection closes after the answer.
    res.set('Connection', 'close');
    onRefuse(refusal, req, res, next);
  };
}
