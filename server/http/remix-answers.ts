// Every Remix loader and action answers a refusal or an outage instead of failing: an AppError, the
// database gone (503 with Retry-After) or the disk full (507) thrown anywhere in a route — also from
// a query the route did not wrap — becomes the Response the route's error boundary translates.
// Done once here, on the server build's route modules, rather than in each of some fifty routes.
// The same wrapper names the request's route for the access log and the metrics: the deepest
// route whose loader or action ran.
import type { ServerBuild } from '@remix-run/node';
import { answerableError, httpStatusOf, isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { RequestInfo } from './access-log.ts';

type Handler = (args: { context?: { requestInfo?: RequestInfo } }) => unknown;

export function answeringBuild(build: ServerBuild, logger: Logger): ServerBuild {
  let outageLoggedAt = 0;
  const depth = (id: string | undefined): number => (id ? 1 + depth(build.routes[id]?.parentId) : 0);
  const answering = (id: string, handler: Handler | undefined): Handler | undefined =>
    handler &&
    (async (args) => {
      const info = args.context?.requestInfo;
      if (info && depth(id) >= depth(info.route)) info.route = id;
      try {
        return await handler(args);
      } catch (error) {
        const answer = error instanceof Response ? null : answerableError(error);
        if (!answer) throw error;
        if (!isAppError(error) && Date.now() - outageLoggedAt > 10_000) {
          outageLoggedAt = Date.now();
          logger.warn('answering while the database or storage is away', { status: httpStatusOf(answer.code), error: String(error) });
        }
        const seconds = answer.params.seconds;
        const retry = (answer.code === 'unavailable' || answer.code === 'too_many_requests') && seconds !== undefined;
        throw Response.json({ messageKey: answer.messageKey, params: answer.params }, { status: httpStatusOf(answer.code), headers: retry ? { 'Retry-After': String(seconds) } : {} });
      }
    });
  const routes = Object.fromEntries(
    Object.entries(build.routes).map(([id, route]) => {
      if (!route) return [id, route];
      const module = route.module as unknown as Record<string, unknown>;
      return [id, { ...route, module: { ...module, loader: answering(id, module.loader as Handler | undefined), action: answering(id, module.action as Handler | undefined) } }];
    }),
  );
  return { ...build, routes } as ServerBuild;
}
