// The Express application: security headers, health, same-origin guard, tus uploads, then Remix.
import { createMediaRoute, MEDIA_PATH } from './media-route.ts';
import { createSubmissionsZipRoute, SUBMISSIONS_ZIP_PATH } from './zip-route.ts';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequestHandler } from '@remix-run/express';
import type { ServerBuild } from '@remix-run/node';
import compression from 'compression';
import express, { type Express } from 'express';
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

export async function createWebApp(services: Services, options: { remix: RemixMode; buildDir?: string }): Promise<WebApp> {
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

  // Text is compressed (pages, data, scripts, styles, playlists); media, uploads and zips never:
  // they are compressed already, and a Range or a Content-Length must stay exact.
  // Pages are compressed with gzip only: brotli (quality 4) halved the cabinet page's requests per
  // second (93 against 176 with gzip, 183 uncompressed); scripts and styles come precompressed
  // with brotli's best from the build (precompressed-assets.ts).
  app.use((req, _res, next) => {
    const accepted = req.headers['accept-encoding'];
    if (accepted && !req.path.startsWith('/assets/')) req.headers['accept-encoding'] = acceptsEncoding(accepted, 'gzip') ? 'gzip' : 'identity';
    next();
  });
  const uncompressed = (path: string) => path.startsWith(MEDIA_PATH) || path.startsWith(UPLOADS_PATH) || path.endsWith('.zip');
  // A partial answer (206) keeps its bytes as they are: its Content-Range counts them.
  app.use(compression({ filter: (req, res) => !uncompressed(req.path) && !res.getHeader('Content-Range') && compression.filter(req, res) }));

  // Whether to send this process more requests: not while it stops (a load balancer's probe).
  app.get('/readyz', (_req, res) => {
    res.status(readiness.draining ? 503 : 200).json({ ready: !readiness.draining });
  });

  app.get('/metrics', asyncRoute(metricsRoute(services.config.metricsToken)));

  app.get('/healthz', asyncRoute(healthCheck(services)));

  const bodyLimit = limitBodies(services.config.http.bodyLimits, (refusal, req, res) => {
    const t = translatorFor(negotiateLocale(webHeaders(req.headers)));
    res.status(refusal.status).type('text/plain').send(t(refusal.messageKey, refusal.params));
  });

  app.use(
    sameOriginOnly({
      publicOrigin: services.config.publicOrigin,
      onRefuse: (req, res) => {
        const { status, message } = translatedError(new AppError('cross_origin'), negotiateLocale(webHeaders(req.headers)));
        res.status(status).type('text/plain').send(message);
      },
    }),
  );

  // Bodies are limited everywhere but the tus endpoint, which checks each upload's declared size itself.
  app.use((req, res, next) => (req.path.startsWith(UPLOADS_PATH) ? next() : bodyLimit(req, res, next)));

  const tus = createTusEndpoint(services);
  closers.push(tus.close);
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

  if (options.remix === 'vite') {
    const vite = await import('vite');
    const devServer = await vite.createServer({ server: { middlewareMode: true }, appType: 'custom' });
    closers.push(() => devServer.close());
    app.use(devServer.middlewares);
    app.all(
      '*',
      privatePages,
      createRequestHandler({
        build: async () => answeringBuild((await devServer.ssrLoadModule('virtual:remix/server-build')) as ServerBuild, services.logger),
        getLoadContext: (req, res) => ({ services, clientIp: req.ip ?? null, cspNonce: cspNonce(res), requestInfo: requestInfo(res) }),
        mode: 'development',
      }),
    );
  } else if (options.remix === 'build') {
    const buildDir = path.resolve(options.buildDir ?? services.config.buildDir);
    app.use('/assets', precompressedAssets(path.join(buildDir, 'client/assets')));
    app.use('/assets', express.static(path.join(buildDir, 'client/assets'), { immutable: true, maxAge: '1y' }));
    app.use(buildRootFiles(path.join(buildDir, 'client')));
    const build = answeringBuild((await import(pathToFileURL(path.join(buildDir, 'server/index.js')).href)) as ServerBuild, services.logger);
    app.all('*', privatePages, createRequestHandler({ build, getLoadContext: (req, res) => ({ services, clientIp: req.ip ?? null, cspNonce: cspNonce(res), requestInfo: requestInfo(res) }), mode: 'production' }));
  }
  // Last: whatever failed above (a malformed address, a file name that cannot exist, the database gone).
  app.use(errorResponder(services.logger));
  return { app, readiness, close: async () => { for (const close of closers) await close(); } };
}

