// Hands Express requests to @tus/server as web Requests, with the body gathered into 1 MiB pieces.
// (PATCH bodies do not come through here: tus-patch.ts receives them; see decision 008.)
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';

const pieceBytes = 1024 * 1024;
const flushAfterMs = 200;

/** Stops gathering a request's body and discards what is left of it (see `sendWebResponse`). */
const stopGathering = new WeakMap<ExpressRequest, () => void>();

/**
 * The socket delivers 64 KiB at a time, and every stage after it (tus's stream adapters, its size
 * limiter, the file write) pays CPU and garbage per piece. Gathering 1 MiB first makes a gigabyte
 * 1 024 pieces instead of 16 384. A slow sender's bytes still reach the disk within
 * `flushAfterMs`, and a sender that disconnects ends the body normally, so whatever arrived is
 * kept and the upload resumes from there (as @tus/server does on its own when a client aborts).
 */
function gatheredBody(req: ExpressRequest): ReadableStream<Uint8Array> {
  let parts: Buffer[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  const stop = () => {
    closed = true;
    if (timer) clearTimeout(timer);
    parts = [];
    req.off('data', onData);
    req.resume();
  };
  let onData: (chunk: Buffer) => void = () => undefined;
  stopGathering.set(req, stop);
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const flush = () => {
          if (timer) clearTimeout(timer);
          timer = null;
          if (size === 0 || closed) return;
          controller.enqueue(parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size));
          parts = [];
          size = 0;
          if ((controller.desiredSize ?? 1) <= 0) req.pause();
        };
        const end = () => {
          if (closed) return;
          flush();
          closed = true;
          controller.close();
        };
        onData = (chunk) => {
          parts.push(chunk);
          size += chunk.length;
          if (size >= pieceBytes) flush();
          else timer ??= setTimeout(flush, flushAfterMs);
        };
        req.on('data', onData);
        req.once('end', end);
        req.once('close', end);
        req.once('error', end);
      },
      pull() {
        req.resume();
      },
      // tus stopped reading (a refusal): nothing more may be enqueued; drain the rest.
      cancel: stop,
    },
    { highWaterMark: pieceBytes, size: (chunk) => chunk.byteLength },
  );
}

/** Node's request headers as web Headers. */
export function webHeaders(headers: IncomingHttpHeaders): Headers {
  const result = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') result.set(name, value);
    else if (Array.isArray(value)) for (const item of value) result.append(name, item);
  }
  return result;
}

export function webRequestFrom(req: ExpressRequest): Request {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'OPTIONS';
  return new Request(`${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`, {
    method: req.method,
    headers: webHeaders(req.headers),
    body: hasBody ? gatheredBody(req) : null,
    duplex: 'half',
  } as RequestInit & { duplex: 'half' });
}

export async function sendWebResponse(req: ExpressRequest, res: ExpressResponse, response: Response): Promise<void> {
  // An answer sent before the body was read (a refusal): drop the rest of the body instead of
  // leaving the connection stalled on it.
  res.once('finish', () => {
    if (!req.readableEnded) stopGathering.get(req)?.();
  });
  res.status(response.status);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (!response.body) {
    res.end();
    return;
  }
  Readable.fromWeb(response.body as NodeReadableStream).pipe(res);
}
