// Hashed scripts and styles served as compressed once at build time (vite.config.ts writes a
// `.br` at brotli's best and a `.gz` beside each): a phone gets the smallest bytes, and the server
// spends no CPU compressing the same file for every visitor. Anything else under /assets falls
// through to express.static.
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';

/** Whether an Accept-Encoding header accepts `encoding` (by name or `*`, with a quality above 0). */
export function acceptsEncoding(header: string | undefined, encoding: string): boolean {
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const quality = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    const named = name.trim().toLowerCase();
    if ((named === encoding || named === '*') && (quality === undefined || Number(quality.slice(2)) > 0)) return true;
  }
  return false;
}

const types: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

export function precompressedAssets(assetsDir: string): RequestHandler {
  // The build does not change while the process runs: which files have compressed twins is read once.
  const available = new Set(fs.existsSync(assetsDir) ? fs.readdirSync(assetsDir) : []);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = path.posix.basename(req.path);
    const type = types[path.extname(name)];
    if (!type || name !== req.path.slice(1) || !available.has(name)) return next();
    const accepted = req.get('accept-encoding');
    const encoding =
      acceptsEncoding(accepted, 'br') && available.has(`${name}.br`)
        ? 'br'
        : acceptsEncoding(accepted, 'gzip') && available.has(`${name}.gz`)
          ? 'gzip'
          : null;
    res.vary('Accept-Encoding');
    if (!encoding) return next();
    res.sendFile(
      path.join(assetsDir, `${name}.${encoding === 'br' ? 'br' : 'gz'}`),
      {
        immutable: true,
        maxAge: '1y',
        headers: { 'Content-Type': type, 'Content-Encoding': encoding },
      },
      (error) => error && next(error),
    );
  };
}

/**
 * The build's files at the top of its client folder (favicon.ico…), listed once: a page address
 * goes straight on to Remix instead of costing a file-system lookup on every request.
 */
export function buildRootFiles(clientDir: string): RequestHandler {
  const names = new Set(
    fs.existsSync(clientDir)
      ? fs
          .readdirSync(clientDir, { withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => `/${entry.name}`)
      : [],
  );
  const serve = express.static(clientDir, { maxAge: '1h' });
  return (req, res, next) => (names.has(req.path) ? serve(req, res, next) : next());
}
