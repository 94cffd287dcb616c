// Every Remix loader and action answers a refusal or an outage instead of failing: an AppError, the
// database gone (503 with Retry-After) or the disk full (507) thrown anywhere in a route — also from
// a query the route did not wrap — becomes the Response the route's error boundary translates.
// Done once here, on the server build's route modules, rather than in each of some fifty routes.
// The same wrapper names the request's route for the access log and the metrics: the deepest
// route whose loader or action ran.
import type { AppLoadContext, ServerBuild } from '@remix-run/node';
import { answerableError, httpStatusOf, isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { negotiateLocale, translatorFor } from '../i18n/i18n.ts';
import { errorDocument } from './error-responses.ts';

/** A loader or an action (Remix calls both with the request and our load context). */
type Handler<A extends { request: Request; context: AppLoadContext }, R> = (args: A) => R;

export function answeringBuild(build: ServerBuild, logger: Logger): ServerBuild {
  let outageLoggedAt = 0;
  const depth = (id: string | undefined): number => (id ? 1 + depth(build.routes[id]?.parentId) : 0);
  const answering = <A extends { request: Request; context: AppLoadContext }, R>(
    id: string,
    handler: Handler<A, R> | undefined,
    resource: boolean,
  ) =>
    handler &&
    (async (args: A) => {
      const info = args.context?.requestInfo;
      if (info && depth(id) >= depth(info.route)) info.route = id;
      try {
        return await handler(args);
      } catch (error) {
        // A resource route (a download) has no page to show a refusal on: it answers one itself.
        if (resource && error instanceof Response && args.request)
          throw await readableRefusal(error, args.request, args.context?.cspNonce);
        const answer = error instanceof Response ? null : answerableError(error);
        if (!answer) throw error;
        if (!isAppError(error) && Date.now() - outageLoggedAt > 10_000) {
          outageLoggedAt = Date.now();
          logger.warn('answering while the database or storage is away', {
            status: httpStatusOf(answer.code),
            error: String(error),
          });
        }
        const seconds = answer.params.seconds;
        const retry = (answer.code === 'unavailable' || answer.code === 'too_many_requests') && seconds !== undefined;
        const refusal = Response.json(
          { messageKey: answer.messageKey, params: answer.params },
          { status: httpStatusOf(answer.code), headers: retry ? { 'Retry-After': String(seconds) } : {} },
        );
        throw resource && args.request ? await readableRefusal(refusal, args.request, args.context?.cspNonce) : refusal;
      }
    });
  const routes = Object.fromEntries(
    Object.entries(build.routes).map(([id, route]) => {
      if (!route) return [id, route];
      const module = route.module;
      const resource = !module.default;
      const action = answering(id, module.action, resource);
      return [
        id,
        {
          ...route,
          module: {
            ...module,
            loader: answering(id, module.loader, resource),
            action: action && forgettingSession(action),
          },
        },
      ];
    }),
  );
  return { ...build, routes } as ServerBuild;
}

/** An action may sign someone in or out: the loaders after it look the session up again. */
const forgettingSession =
  <A extends { request: Request; context: AppLoadContext }, R>(action: Handler<A, R>) =>
  async (args: A) => {
    try {
      return await action(args);
    } finally {
      if (args.context?.requestInfo) delete args.context.requestInfo.session;
    }
  };

/**
 * A refusal thrown as `{ messageKey, params }` JSON (orRespond, the answers above), made readable:
 * a translated page for a browser that followed a link, a translated line for a program.
 */
async function readableRefusal(response: Response, request: Request, nonce: string | undefined): Promise<Response> {
  if (response.status < 400 || !response.headers.get('content-type')?.includes('json')) return response;
  const payload = (await response
    .clone()
    .json()
    .catch(() => null)) as { messageKey?: unknown; params?: Record<string, string | number> } | null;
  if (typeof payload?.messageKey !== 'string') return response;
  const locale = negotiateLocale(request.headers);
  const message = translatorFor(locale)(payload.messageKey, payload.params ?? {});
  const headers = new Headers({ 'Cache-Control': 'no-store', 'Content-Language': locale });
  const retryAfter = response.headers.get('Retry-After');
  if (retryAfter) headers.set('Retry-After', retryAfter);
  const wantsPage = (request.headers.get('accept') ?? '').includes('text/html');
  headers.set('Content-Type', wantsPage ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8');
  return new Response(wantsPage ? errorDocument(locale, response.status, message, nonce) : `${message}\n`, {
    status: response.status,
    headers,
  });
}
