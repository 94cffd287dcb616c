// PATCH /uploads/<id>: the bytes of a tus upload, streamed from the socket straight into the spool file.
import { once } from 'node:events';
import fs from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Locker, Upload } from '@tus/server';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { AppError, infrastructureError } from '../errors.ts';
import { keepFlushing, spoolPaths, uploadIdPattern } from '../uploads/upload-spool.ts';
import { metrics } from '../metrics.ts';

const TUS_VERSION = '1.0.0';
/** How long a refused request's body is still read (and dropped) so that its client reads the answer. */
const LINGER_MS = 2000;
const OFFSET_CONTENT_TYPE = 'application/offset+octet-stream';

export type PatchDeps = {
  spoolDir: string;
  locker: Locker;
  /** The upload as the tus datastore stored it at creation: its size and metadata (not its offset). */
  readUpload(uploadId: string): Promise<Upload>;
  /** Throws unless the request's user may continue this upload. */
  authorize(req: ExpressRequest, uploadId: string): Promise<void>;
  /** How many bytes from an upload's start the content check reads. */
  headBytes: number;
  /** Throws (having discarded the upload) unless its first `headBytes` are what it claims to be. */
  checkHead(upload: Upload, head: Buffer): Promise<void>;
  /** Records a complete upload; the answer's extra headers. */
  finish(req: ExpressRequest, upload: Upload): Promise<Record<string, string>>;
  /** Answers a refused request (translated, with its status). */
  refuse(req: ExpressRequest, res: ExpressResponse, error: unknown): void;
};

/** The offset a PATCH claims, once its upload id, offset and content type are well-formed. */
function claimedOffset(req: ExpressRequest, uploadId: string): string {
  if (!uploadIdPattern.test(uploadId)) throw new AppError('not_found');
  const offsetHeader = req.get('upload-offset') ?? '';
  if (!/^\d{1,15}$/.test(offsetHeader)) throw new AppError('invalid_upload', 'upload.bad_offset');
  if (req.get('content-type') !== OFFSET_CONTENT_TYPE)
    throw new AppError('unsupported_type', 'upload.bad_content_type');
  return offsetHeader;
}

/** What becomes of a refused request's body, by when it was refused. */
function letTheBodyGo(
  req: ExpressRequest,
  res: ExpressResponse,
  { bodyRead, refusedEarly }: { bodyRead: boolean; refusedEarly: boolean },
): void {
  if (!bodyRead) {
    // Refused before reading: answer, then let the rest of the body go by.
    res.once('finish', () => req.resume());
  } else if (refusedEarly) {
    // Refused by its first bytes while the rest still arrives (and is dropped): answered at
    // once, and the connection is closed a moment later, not with the answer (no `Connection:
    // close`, which closes at once): a socket closed with bytes unread is reset, and the
    // client would lose the answer with it. A body that did end leaves the connection as it is.
    res.once('finish', () => setTimeout(() => (req.complete ? undefined : req.socket?.destroy()), LINGER_MS).unref());
  } else {
    // Refused while reading (the disk filled up): the rest of the body is not read; the connection closes.
    res.set('Connection', 'close');
  }
}

/**
 * The tus PATCH request without @tus/server's web-stream adapters. The benchmark showed those
 * adapters (web stream → Node stream → proxy → limiter → file) cost more CPU and garbage than the
 * rest of the upload path together (decision 008); the rules are tus 1.0's core protocol, and
 * @tus/server still answers every other request (creation, HEAD, DELETE, OPTIONS) on the same
 * datastore and the same locker, so a resumed upload's HEAD still stops a stalled PATCH.
 */
export function createPatchReceiver(deps: PatchDeps) {
  return async function receivePatch(req: ExpressRequest, res: ExpressResponse): Promise<void> {
    const uploadId = req.params.id ?? '';
    let bodyRead = false;
    let refusedEarly = false;
    try {
      if (req.get('tus-resumable') !== TUS_VERSION) {
        res.status(412).set('Tus-Version', TUS_VERSION).end();
        return;
      }
      const offsetHeader = claimedOffset(req, uploadId);
      // Size and metadata never change once the upload exists: read them while the request is
      // authorized. The offset is the spool file's length, read once this request holds the upload.
      const stored = deps.readUpload(uploadId);
      stored.catch(() => undefined);
      await deps.authorize(req, uploadId);

      const gone = new AbortController();
      const stop = new AbortController();
      res.once('close', () => gone.abort());
      const lock = deps.locker.newLock(uploadId);
      // Another request for this upload (a client resuming after a dropped connection) asks this
      // one to let go: stop reading, keep what was written.
      await lock.lock(gone.signal, async () => stop.abort());
      const file = spoolPaths(deps.spoolDir, uploadId).data;
      let upload: Upload;
      try {
        upload = await stored;
        upload.offset = await spoolLength(file);
        if (upload.offset !== Number(offsetHeader))
          throw new AppError('conflict', 'upload.offset_mismatch', { offset: upload.offset });
        const room = (upload.size ?? 0) - upload.offset;
        const declared = req.get('content-length');
        if (declared !== undefined && Number(declared) > room)
          throw new AppError('upload_too_large', 'upload.body_too_long');
        // The content check reads the upload's first bytes as they arrive: a wrong file is refused
        // after them, not after its last byte. A file shorter than that is checked whole at the end.
        const sniff =
          upload.offset < deps.headBytes && (upload.size ?? 0) > deps.headBytes
            ? await headSniffer(file, upload, deps)
            : null;
        bodyRead = true;
        // A wrong file is answered at once, while its bytes still arrive (and are dropped).
        let refuseNow: (error: unknown) => void = () => undefined;
        const refused = new Promise<never>(
          (_, reject) => (refuseNow = (error) => ((refusedEarly = true), reject(error))),
        );
        refused.catch(() => undefined);
        upload.offset += await Promise.race([
          writeBody(req, file, upload.offset, room, stop.signal, sniff, refuseNow),
          refused,
        ]);
      } finally {
        await lock.unlock();
      }
      const headers: Record<string, string> = { 'Tus-Resumable': TUS_VERSION, 'Upload-Offset': String(upload.offset) };
      if (upload.offset === upload.size) Object.assign(headers, await deps.finish(req, upload));
      if (!res.writableEnded && !res.destroyed) res.status(204).set(headers).end();
    } catch (error) {
      letTheBodyGo(req, res, { bodyRead, refusedEarly });
      if (!res.headersSent && !res.destroyed) deps.refuse(req, res, error);
    }
  };
}

/** How many bytes of an upload have arrived: its spool file's length (gone: not found). */
async function spoolLength(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    throw new AppError('not_found');
  }
}

/** Takes each arriving chunk; once the head is complete, returns the content check's promise (once). */
type Sniffer = (chunk: Buffer) => Promise<void> | null;

/** Collects an upload's first `headBytes` (those already in the spool file, then the arriving ones) for `checkHead`. */
async function headSniffer(
  file: string,
  upload: Upload,
  deps: Pick<PatchDeps, 'headBytes' | 'checkHead'>,
): Promise<Sniffer> {
  const parts = upload.offset > 0 ? [await readStart(file, upload.offset)] : [];
  let collected = upload.offset;
  let done = false;
  return (chunk) => {
    if (done) return null;
    parts.push(chunk);
    collected += chunk.length;
    if (collected < deps.headBytes) return null;
    done = true;
    return deps.checkHead(upload, Buffer.concat(parts).subarray(0, deps.headBytes));
  };
}

async function readStart(file: string, length: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Appends the request body at `offset`, at most `room` bytes, and returns how many were written.
 * A client that goes away, or a newer request that takes the upload over, ends the body early:
 * what reached the file stays, and tus resumes from there.
 */
async function writeBody(
  req: ExpressRequest,
  file: string,
  offset: number,
  room: number,
  stop: AbortSignal,
  sniff: Sniffer | null,
  refuse: (error: unknown) => void,
): Promise<number> {
  let received = 0;
  let refused = false;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (refused) return done(); // dropped: the answer is on its way
      if (received > room) return done(new AppError('upload_too_large', 'upload.body_too_long'));
      // The chunk that completes the head waits for the content check (back-pressure, for a moment).
      const judged = sniff?.(chunk);
      if (!judged) return done(null, chunk);
      judged.then(
        () => done(null, chunk),
        (error: unknown) => {
          refused = true;
          refuse(error);
          done();
        },
      );
    },
  });
  // A large buffer lets writes queue while one is on the disk, so they go out together (writev).
  const out = fs.createWriteStream(file, { flags: 'r+', start: offset, highWaterMark: 1024 * 1024 });
  const stopFlushing = keepFlushing(file);
  metrics.uploadsInFlight.inc();
  try {
    await pipeline(req, limit, out, { signal: stop });
  } catch (error) {
    if (error instanceof AppError) throw error;
    // The disk is full: what was written stays, and the upload resumes once there is room.
    const storageFull = infrastructureError(error);
    if (storageFull) throw storageFull;
    // The client went away or the upload was taken over: not an error of this upload.
  } finally {
    if (!out.closed) await once(out, 'close');
    stopFlushing();
    metrics.uploadsInFlight.dec();
    metrics.uploadBytes.inc(out.bytesWritten);
  }
  return out.bytesWritten;
}
