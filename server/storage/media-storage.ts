// The media-storage interface that local disk and S3 both implement, and the one place keys are built.
import type { Readable } from 'node:stream';

export type ByteRange = { start: number; end: number };
/** `chunkBytes`: larger reads for one long sequential reader (a zip of many files); local disk only. */
export type ReadOptions = { chunkBytes?: number };

export type DirectUrlOptions = {
  fileName: string;
  contentType: string;
  disposition: 'inline' | 'attachment';
  expiresInSeconds: number;
};

export interface MediaStorage {
  readonly kind: 'local' | 's3';
  /** Copies a complete local file into storage; the caller removes its file once the copy is recorded. */
  putFile(key: string, localPath: string, contentType: string): Promise<void>;
  /** Reads a stored object, or the inclusive byte range of it. */
  read(key: string, range?: ByteRange, options?: ReadOptions): Promise<Readable>;
  /** Size in bytes, or null when there is no such object. */
  size(key: string): Promise<number | null>;
  remove(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
  /** Local disk only: the object's file, for a reader that manages its own buffers (the zip). */
  filePath?(key: string): string;
  /** A URL the client may fetch directly (S3 presigned GET), or null to stream through Kabinet. */
  directUrl(key: string, options: DirectUrlOptions): Promise<string | null>;
}

/** What the transcoder publishes, by file extension: HLS playlists and segments, thumbnails and their index. */
export const publishedContentTypes: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  jpg: 'image/jpeg',
  vtt: 'text/vtt; charset=utf-8',
};

/** The content type a stored object is written with: published output's own, anything else as bytes. */
export const contentTypeOfKey = (key: string): string =>
  publishedContentTypes[key.split('.').pop() ?? ''] ?? 'application/octet-stream';

const keyPattern = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Keys are built here from ids we made; user-supplied names never become keys or paths. */
export function assertValidKey(key: string): void {
  if (!keyPattern.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new Error(`Invalid storage key: ${key}`);
  }
}

export const storageKeys = {
  original: (fileId: string, extension: string) => `originals/${fileId.slice(0, 2)}/${fileId}/original.${extension}`,
  /** One attempt's HLS output; a new attempt writes beside it, so a published prefix never changes. */
  hls: (fileId: string, attempt: string) => `hls/${fileId.slice(0, 2)}/${fileId}/${attempt}`,
  /** A question's picture, named by its content (a replaced picture gets a new key). */
  questionImage: (questionId: string, sha256: string, extension: string) =>
    `question-images/${questionId.slice(0, 2)}/${questionId}/${sha256}.${extension}`,
};

/** `Content-Disposition` with an ASCII fallback and the UTF-8 name (Kyrgyz and Russian file names). */
export function contentDisposition(disposition: 'inline' | 'attachment', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
