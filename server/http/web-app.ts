// The Express application: security headers, health, same-origin guard, tus uploads, then Remix.
import { createMediaRoute, MEDIA_PATH } from './media-route.ts';
import { createSubmissionsZipRoute, SUBMISSIONS_ZIP_PATH } from './zip-route.ts';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express, { type Express, type Request as ExpressRequest, type Response as ExpressResponse } from 'express';
import { AppError } from '../errors.ts';
import type { Services } from '../services.ts';
import { negotiateLocale, translatorFor } from '../i18n/i18n.ts';
import { limitBodies } from './body-limits.ts';
import { metricsRoute } from './metrics-route.ts';
import { healthCheck } from './health.ts';
import { accessLog, requestInfo, type RequestInfo } from './access-log.ts';
import { acceptsEncoding, buildRootFiles, precompressedAssets } from './precompressed-assets.ts';
import { answeringBuild } from './remix-answers.ts';
import { asyncRoute, errorResponder } from './error-responses.ts';
import { translatedError } from './request-context.ts';
import { sameOriginOnly } from './same-origin.ts';
import { cspNonce, directMediaOrigin, privatePages, securityHeaders } from './security-headers.ts';
import { createTusEndpoint, UPLOADS_PATH } from './tus-uploads.ts';
import { sendWebResponse, webHeaders, webRequestFrom } from './web-request.ts';

export type RemixMode = 'build' | 'vite' | 'none';

declare module '@remix-run/node' {
  interface AppLoadContext {
    services: Services;
    clientIp: string | null;
    /** This response's Content-Security-Policy nonce (security-headers.ts). */
    cspNonce?: string;
    /** What the access log and metrics learn while the request runs (access-log.ts). */
    requestInfo?: RequestInfo;
  }
}

export type WebApp = {
  app: Express;
  /** Set while the process stops: `/readyz` answers 503 so that a load balancer sends no more. */
  readiness: { draining: boolean };
  close: () => Promise<void>;
};

export async function createWebApp(
  services: Services,
  options: { remix: RemixMode; buildDir?: string },
): Promise<WebApp> {
  const app = express();
  const readiness = { draining: false };
  app.disable('x-powered-by');
  app.set('trust proxy', services.config.trustProxy);
  const closers: Array<() => Promise<void>> = [];

  app.use(accessLog(services.logger));
  app.use((_req, res, next) => {
    // A stopping process answers what arrives on open connections, then lets them close.
    if (readiness.draining) res.set('Connection', 'close');
    next();
  });
  app.use(
    securityHeaders({
      publicOrigin: services.config.publicOrigin,
      mediaOrigin: await directMediaOrigin(services.storage),
      signOnOrigin: services.config.oidc ? new URL(services.config.oidc.issuer).origin : null,
      development: options.remix === 'vite',
    }),
  );
  addCompression(app);

  // Whether to send this process more requests: not while it stops (a load balancer's probe).
  app.get('/readyz', (_req, res) => {
    res.status(readiness.draining ? 503 : 200).json({ ready: !readiness.draining });
  });
  app.get('/metrics', asyncRoute(metricsRoute(services.config.metricsToken)));
  app.get('/healthz', asyncRoute(healthCheck(services)));
  addRequestGuards(app, services);
  closers.push(addMediaAndUploads(app, services));
  if (options.remix === 'vite') closers.push(await addRemixDevelopment(app, services));
  else if (options.remix === 'build')
    await addRemixBuild(app, services, path.resolve(options.buildDir ?? services.config.buildDir));
  // Last: whatever failed above (a malformed address, a file name that cannot exist, the database gone).
  app.use(errorResponder(services.logger));
  return {
    app,
    readiness,
    close: async () => {
      for (const close of closers) await close();
    },
  };
}

/**
 * Text is compressed (pages, data, scripts, styles, playlists); media, uploads and zips never:
 * they are compressed already, and a Range or a Content-Length must stay exact. Pages are
 * compressed with gzip only: brotli (quality 4) halved the cabinet page's requests per second (93
 * against 176 with gzip, 183 uncompressed); scripts and styles come precompressed with brotli's
 * best from the build (precompressed-assets.ts).
 */
function addCompression(app: Express): void {
  app.use((req, _res, next) => {
    const accepted = req.headers['accept-encoding'];
    if (accepted && !req.path.startsWith('/assets/'))
      req.headers['accept-encoding'] = acceptsEncoding(accepted, 'gzip') ? 'gzip' : 'identity';
    next();
  });
  const uncompressed = (path: string) =>
    path.startsWith(MEDIA_PATH) || path.startsWith(UPLOADS_PATH) || path.endsWith('.zip');
  // A partial answer (206) keeps its bytes as they are: its Content-Range counts them.
  app.use(
    compression({
      filter: (req, res) => !uncompressed(req.path) && !res.getHeader('Content-Range') && compression.filter(req, res),
    }),
  );
}

/** Same origin only for what changes anything, and bodies limited everywhere but the tus endpoint (which checks each upload's declared size itself). */
function addRequestGuards(app: Express, services: Services): void {
  const bodyLimit = limitBodies(services.config.http.bodyLimits, (refusal, req, res) => {
    const t = translatorFor(negotiateLocale(webHeaders(req.headers)));
    res.status(refusal.status).type('text/plain').send(t(refusal.messageKey, refusal.params));
  });
  app.use(
    sameOriginOnly({
      publicOrigin: services.config.publicOrigin,
      onRefuse: (req, res) => {
        const { status, message } = translatedError(
          new AppError('cross_origin'),
          negotiateLocale(webHeaders(req.headers)),
        );
        res.status(status).type('text/plain').send(message);
      },
    }),
  );
  app.use((req, res, next) => (req.path.startsWith(UPLOADS_PATH) ? next() : bodyLimit(req, res, next)));
}

/** Media by token, the submissions' zip, and the tus endpoint. Returns how to close the endpoint. */
function addMediaAndUploads(app: Express, services: Services): () => Promise<void> {
  const tus = createTusEndpoint(services);
  app.get(`${MEDIA_PATH}/:token/*`, asyncRoute(createMediaRoute(services.storage, services.mediaTokenKey)));
  app.get(SUBMISSIONS_ZIP_PATH, asyncRoute(createSubmissionsZipRoute(services)));
  app.patch(`${UPLOADS_PATH}/:id`, (req, res) => tus.receivePatch(req, res));
  app.all([UPLOADS_PATH, `${UPLOADS_PATH}/*`], async (req, res) => {
    try {
      await sendWebResponse(req, res, await tus.handle(webRequestFrom(req), req.ip ?? null));
    } catch (error) {
      services.logger.error('tus request failed', { error: String(error) });
      if (!res.headersSent) res.status(500).end();
    }
  });
  return tus.close;
}

const loadContext = (services: Services) => (req: ExpressRequest, res: ExpressResponse) => ({
  services,
  clientIp: req.ip ?? null,
  cspNonce: cspNonce(res),
  requestInfo: requestInfo(res),
});

/** The Remix app through Vite's dev server (npm run dev). Returns how to close it. */
async function addRemixDevelopment(app: Express, services: Services): Promise<() => Promise<void>> {
  const vite = await import('vite');
  const devServer = await vite.createServer({ server: { middlewareMode: true }, appType: 'custom' });
  app.use(devServer.middlewares);
  app.all(
    '*',
    privatePages,
    createRequestHandler({
      build: async () =>
        answeringBuild((await devServer.ssrLoadModule('virtual:remix/server-build')) as ServerBuild, services.logger),
      getLoadContext: loadContext(services),
      mode: 'development',
    }),
  );
  return () => devServer.close();
}

/** The built Remix app, with its assets (precompressed, immutable) and root files. */
async function addRemixBuild(app: Express, services: Services, buildDir: string): Promise<void> {
  app.use('/assets', precompressedAssets(path.join(buildDir, 'client/assets')));
  app.use('/assets', express.static(path.join(buildDir, 'client/assets'), { immutable: true, maxAge: '1y' }));
  app.use(buildRootFiles(path.join(buildDir, 'client')));
  const build = answeringBuild(
    (await import(pathToFileURL(path.join(buildDir, 'server/index.js')).href)) as ServerBuild,
    services.logger,
  );
  app.all(
    '*',
    privatePages,
    createRequestHandler({ build, getLoadContext: loadContext(services), mode: 'production' }),
  );
}
