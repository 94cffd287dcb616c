// Every failure outside Remix ends here, as an answer people can read: routes are wrapped so that a
// rejected promise reaches the last handler (Express 4 would leave it unhandled), and the last
// handler answers in the asker's language — a page for a browser, a line of text for a program —
// with the status that says what happened. Nothing of the inside (a stack, a path) leaves the server.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors.ts';
import { negotiateLocale, translatorFor } from '../i18n/i18n.ts';
import type { Locale } from '../../db/schema.ts';
import type { Logger } from '../logger.ts';
import { escapeHtml } from '../text/escape-html.ts';
import { loggablePath } from './access-log.ts';
import { translatedError } from './request-context.ts';
import { webHeaders } from './web-request.ts';

/** An async route whose failures go to the error handler instead of nowhere. */
export function asyncRoute(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    handler(req, res).catch(next);
  };
}

/** What Express and the file system throw for a request that names nothing that can exist. */
function requestError(error: unknown): AppError | null {
  if (error instanceof URIError) return new AppError('invalid_input', 'errors.bad_url');
  const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
  if (code === 'ENAMETOOLONG' || code === 'ENOENT' || code === 'ENOTDIR') return new AppError('not_found');
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new AppError(status === 413 ? 'upload_too_large' : 'invalid_input');
  return null;
}

export function errorResponder(logger: Logger): ErrorRequestHandler {
  let outageLoggedAt = 0;
  return (error: unknown, req, res, _next) => {
    const locale = negotiateLocale(webHeaders(req.headers));
    const answer = translatedError(requestError(error) ?? error, locale);
    if (answer.bug)
      logger.error('request failed', {
        method: req.method,
        path: loggablePath(req.originalUrl),
        error: error instanceof Error ? error.stack : String(error),
      });
    else if (answer.status >= 500 && Date.now() - outageLoggedAt > 10_000) {
      outageLoggedAt = Date.now();
      logger.warn('answering while the database or storage is away', { status: answer.status, error: String(error) });
    }
    if (res.headersSent) {
      // Part of an answer is out: the client must see it broken, not complete.
      res.destroy();
      return;
    }
    res.status(answer.status).set({ 'Cache-Control': 'no-store', 'Content-Language': locale });
    if (answer.retryAfter !== null) res.set('Retry-After', String(answer.retryAfter));
    if (req.accepts(['text/plain', 'text/html']) !== 'text/html') {
      res.type('text/plain').send(`${answer.message}\n`);
      return;
    }
    res
      .type('html')
      .send(errorDocument(locale, answer.status, answer.message, res.locals.cspNonce as string | undefined));
  };
}

/** A small page that says what went wrong, for a browser that asked for a page (its style carries the response's CSP nonce). */
export function errorDocument(locale: Locale, status: number, message: string, nonce: string | undefined): string {
  const t = translatorFor(locale);
  const title = escapeHtml(t('errors.title', { status }));
  const style = nonce
    ? `<style nonce="${escapeHtml(nonce)}">body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem}</style>`
    : '';
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>${style}</head>` +
    `<body><h1>${title}</h1><p>${escapeHtml(message)}</p><p><a href="/">${escapeHtml(t('nav.home'))}</a></p></body></html>`
  );
}
