// One access-log line per request (pino-http) and the request metrics: method, route, status,
// duration, bytes sent, the signed-in person and a request id (the proxy's X-Request-Id when it
// sends a sane one, else a new one, echoed in the answer so that a person's report can be found).
// Paths are logged without their query and with secrets cut out (sign-in links, media tokens).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHandler, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from '../logger.ts';
import { metrics } from '../metrics.ts';

/** Filled in while a request runs: the route that answered it and who asked. */
export type RequestInfo = {
  route?: string;
  userId?: string;
  /** The signed-in person's lookup, shared by the request's loaders (app/guards.server.ts); an action forgets it. */
  session?: Promise<unknown>;
  socket: Socket;
  bytesBefore: number;
};

export const requestInfo = (res: Response | ServerResponse): RequestInfo =>
  (res as Response).locals.requestInfo as RequestInfo;

const probes = new Set(['/healthz', '/readyz', '/metrics']);
const secretPaths = /^\/(media|sign-in|calendar)\/[^/]+/i;
const saneRequestId = /^[A-Za-z0-9._:-]{8,64}$/;

/** The path as it may be logged. */
export const loggablePath = (url: string): string => {
  const path = url.split('?')[0]!;
  // Decoded as the router decodes it (`/%73ign-in/…` is /sign-in/…), in any case.
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed address: logged as it came.
  }
  return decoded.replace(secretPaths, (_whole, kind: string) => `/${kind.toLowerCase()}/…`).slice(0, 300);
};

function fields(req: IncomingMessage, res: ServerResponse, ms: number) {
  const info = requestInfo(res);
  return {
    method: req.method,
    route: routeOf(req, res),
    path: loggablePath(req.url ?? ''),
    status: res.statusCode,
    ms,
    // The socket as the request began: by the time a hung-up response closes, req.socket may be gone.
    bytes: info.socket.bytesWritten - info.bytesBefore,
    ...(info.userId ? { userId: info.userId } : {}),
  };
}

/** The Remix route that answered, or Express's route pattern, or `unmatched` (a low-cardinality label). */
function routeOf(req: IncomingMessage, res: ServerResponse): string {
  const expressRoute = (req as { route?: { path?: unknown } }).route?.path;
  return (
    requestInfo(res).route ?? (typeof expressRoute === 'string' && expressRoute !== '*' ? expressRoute : 'unmatched')
  );
}

export function accessLog(logger: Logger): RequestHandler[] {
  const start: RequestHandler = (req, res, next) => {
    res.locals.requestInfo = { socket: req.socket, bytesBefore: req.socket.bytesWritten } satisfies RequestInfo;
    const timer = metrics.requestSeconds.startTimer({ method: req.method });
    res.once('close', () => timer({ route: routeOf(req, res), status: `${Math.floor(res.statusCode / 100)}xx` }));
    next();
  };
  const log = pinoHttp({
    logger: logger.pino,
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    genReqId(req, res) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && saneRequestId.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    // Probes are asked every few seconds: logged only when they fail.
    autoLogging: true,
    customLogLevel: (req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : probes.has(req.url ?? '') ? 'silent' : 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    customSuccessObject: (req, res, value: { responseTime: number }) => fields(req, res, value.responseTime),
    customErrorObject: (req, res, _error, value: { responseTime: number }) => fields(req, res, value.responseTime),
  });
  return [start, log];
}
