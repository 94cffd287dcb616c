// Response headers that make a page hard to abuse: a Content-Security-Policy with a fresh nonce
// per response (scripts only from Kabinet itself, or inline ones Remix wrote with the nonce;
// media and pictures from Kabinet and the S3 store it hands out links to), HSTS when the public
// address is https, and pages marked private and not to be stored (every page shows someone's
// data or a form with a token). Helmet writes the headers; the policy is ours.
import { randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { MediaStorage } from '../storage/media-storage.ts';

export type SecurityOptions = {
  /** https: browsers are told to use nothing else for a year. */
  publicOrigin: string | undefined;
  /** Where presigned media links point (an S3 store), besides Kabinet itself. */
  mediaOrigin: string | null;
  /** The single sign-on provider a form may be redirected to. */
  signOnOrigin: string | null;
  /** Development (Vite's inline scripts and hot reload over a websocket): no policy. */
  development: boolean;
};

/** The nonce of this response's inline scripts (set by `securityHeaders`). */
export const cspNonce = (res: Response): string => res.locals.cspNonce as string;

export function securityHeaders(options: SecurityOptions): RequestHandler {
  const media = ["'self'", 'blob:', ...(options.mediaOrigin ? [options.mediaOrigin] : [])];
  const nonce = (_req: unknown, res: unknown) => `'nonce-${cspNonce(res as Response)}'`;
  const https = options.publicOrigin?.startsWith('https:') ?? false;
  const headers = helmet({
    contentSecurityPolicy: options.development
      ? false
      : {
          useDefaults: false,
          directives: {
            defaultSrc: ["'self'"],
            scriptSrc: ["'self'", nonce],
            // The nonce: a page Kabinet writes itself when something failed (error-responses.ts) styles itself inline.
            styleSrc: ["'self'", nonce],
            imgSrc: [...media, 'data:'],
            mediaSrc: media,
            // hls.js fetches playlists and segments, and runs its worker from a blob.
            connectSrc: media,
            workerSrc: ["'self'", 'blob:'],
            fontSrc: ["'self'"],
            objectSrc: ["'none'"],
            baseUri: ["'self'"],
            frameAncestors: ["'none'"],
            formAction: ["'self'", ...(options.signOnOrigin ? [options.signOnOrigin] : [])],
            ...(https ? { upgradeInsecureRequests: [] } : {}),
          },
        },
    strictTransportSecurity: https ? { maxAge: 365 * 24 * 3600, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  return (req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    headers(req, res, next);
  };
}

/** Pages and their data: private to the person, not to be kept by a browser or a proxy (a route may say otherwise). */
export const privatePages: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'private, no-store');
  next();
};

/** The origin presigned media links point to (an S3 store), or null when media is served by Kabinet. */
export async function directMediaOrigin(storage: MediaStorage): Promise<string | null> {
  // Presigning is computed locally: no request reaches the store.
  const url = await storage.directUrl('csp-probe', {
    fileName: 'probe',
    contentType: 'text/plain',
    disposition: 'inline',
    expiresInSeconds: 60,
  });
  return url ? new URL(url).origin : null;
}
