// Answers a download of a stored file: byte ranges for resumable downloads, safe headers, S3 redirect.
import { Readable } from 'node:stream';
import { parse as parseRange } from 'range-parser';
import type { MediaFile } from '../../db/schema.ts';
import { isInlineType } from '../uploads/file-types.ts';
import { contentDisposition, type ByteRange, type MediaStorage } from '../storage/media-storage.ts';

/**
 * The one byte range a request asks for: what download managers and players send. `unsatisfiable`
 * answers 416; anything else (no header, several ranges) gets the whole file.
 */
export function requestedRange(
  size: number,
  header: string | null | undefined,
): ByteRange | 'unsatisfiable' | undefined {
  const parsed = header ? parseRange(size, header) : undefined;
  if (parsed && parsed.code & 2) return 'unsatisfiable';
  return parsed && parsed.code === 0 && parsed.type === 'bytes' && parsed.ranges.length === 1
    ? parsed.ranges[0]
    : undefined;
}

/** What a download needs of a stored file: a lecture's material or a student's submission. */
export type StoredFile = Pick<MediaFile, 'storage_key' | 'original_name' | 'content_type' | 'sha256' | 'byte_size'>;

export async function fileResponse(storage: MediaStorage, file: StoredFile, request: Request): Promise<Response> {
  const disposition = isInlineType(file.content_type) ? 'inline' : 'attachment';
  const headers = new Headers({
    'Content-Type': file.content_type,
    'Content-Disposition': contentDisposition(disposition, file.original_name),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, max-age=0, must-revalidate',
    'Accept-Ranges': 'bytes',
    ETag: `"${file.sha256}"`,
    // A PDF opened inline runs in the browser's viewer; nothing of ours should run beside it.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
  });

  const direct = await storage.directUrl(file.storage_key, {
    fileName: file.original_name,
    contentType: file.content_type,
    disposition,
    expiresInSeconds: 300,
  });
  if (direct) {
    headers.set('Location', direct);
    return new Response(null, { status: 302, headers });
  }

  if (request.headers.get('if-none-match') === headers.get('ETag')) return new Response(null, { status: 304, headers });
  const size = Number(file.byte_size);
  const range = requestedRange(size, request.headers.get('range'));
  if (range === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }
  if (request.method === 'HEAD') {
    headers.set('Content-Length', String(size));
    return new Response(null, { status: 200, headers });
  }
  const stream = await storage.read(file.storage_key, range);
  if (range) {
    headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    headers.set('Content-Length', String(range.end - range.start + 1));
  } else {
    headers.set('Content-Length', String(size));
  }
  return new Response(Readable.toWeb(stream) as ReadableStream, { status: range ? 206 : 200, headers });
}
