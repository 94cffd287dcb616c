// Cuts request bodies that trickle: a connection sending fewer than `minBytesPerSecond` over the
// last `windowMs` while its body is unfinished is closed. Moving uploads are never cut (a village
// connection at 2 KB/s still sends 120 KB a minute), while a client holding hundreds of bodies
// open a byte at a time no longer keeps them forever (requestTimeout is 0 so that long upload
// chunks may take hours). Headers have their own limit (server.headersTimeout).
import type { IncomingMessage, Server } from 'node:http';
import type { Logger } from '../logger.ts';
import { loggablePath } from './access-log.ts';

type Watch = { samples: Array<{ at: number; bytes: number }> };

export function cutSlowSenders(
  server: Server,
  options: { minBytesPerSecond: number; windowMs: number; logger: Logger },
): () => void {
  const { minBytesPerSecond, windowMs, logger } = options;
  const watched = new Map<IncomingMessage, Watch>();
  if (minBytesPerSecond <= 0) return () => undefined;

  server.on('request', (req: IncomingMessage) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (!(declared > 0) && !req.headers['transfer-encoding']) return;
    watched.set(req, { samples: [{ at: Date.now(), bytes: req.socket.bytesRead }] });
    const forget = () => watched.delete(req);
    req.once('end', forget);
    req.once('close', forget);
  });

  // Sampled a few times a window rather than per chunk: no work on the upload's hot path.
  const step = Math.max(100, Math.floor(windowMs / 6));
  const timer = setInterval(() => {
    const now = Date.now();
    for (const [req, watch] of watched) {
      if (req.complete || req.socket.destroyed) {
        watched.delete(req);
        continue;
      }
      watch.samples.push({ at: now, bytes: req.socket.bytesRead });
      while (watch.samples.length > 1 && now - watch.samples[1]!.at >= windowMs) watch.samples.shift();
      const oldest = watch.samples[0]!;
      if (now - oldest.at < windowMs) continue;
      const rate = ((req.socket.bytesRead - oldest.bytes) * 1000) / (now - oldest.at);
      if (rate >= minBytesPerSecond) continue;
      watched.delete(req);
      logger.warn('slow request body cut', {
        method: req.method,
        path: loggablePath(req.url ?? ''),
        bytesPerSecond: Math.round(rate),
        ip: req.socket.remoteAddress,
      });
      req.socket.destroy();
    }
  }, step);
  timer.unref();
  return () => clearInterval(timer);
}
