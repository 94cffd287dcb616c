// GET /media/<token>/<file>: published HLS output, authorized by the token alone (no database).
import type { Readable } from 'node:stream';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import { requestedRange } from '../media/file-response.ts';
import { verifyMediaToken } from '../media/media-token.ts';
import { publishedContentTypes, storageKeys, type MediaStorage } from '../storage/media-storage.ts';
import { requestInfo } from './access-log.ts';

export const MEDIA_PATH = '/media';

// What the transcoder writes: a rendition folder and a short name (longer ones name nothing, and the file system would refuse them).
const filePattern = /^(?:[a-z0-9]{1,32}\/)?[a-z0-9_]{1,64}\.(m3u8|ts|jpg|vtt)$/;

/**
 * A token opens the files of one video's published output for one user until it expires; a forged,
 * expired or edited token gets 403. Segments and pictures under a prefix are written once; the
 * playlists change (the master when the full ladder replaces the playable stage, a first rendition's
 * while it grows, decision 033): they are revalidated, the rest may be cached for as long as the
 * token lives. With S3 storage the
 * bytes are proxied: a redirect would move the playlist's base URL away from the token (decision 009).
 */
export function createMediaRoute(storage: MediaStorage, tokenKey: Buffer) {
  return async (req: ExpressRequest, res: ExpressResponse): Promise<void> => {
    const grant = verifyMediaToken(tokenKey, req.params.token ?? '');
    const file = (req.params as Record<string, string>)[0] ?? '';
    const match = filePattern.exec(file);
    if (!grant) {
      res.status(403).type('text/plain').send('Forbidden\n');
      return;
    }
    requestInfo(res).userId = grant.userId;
    if (!match) {
      res.status(404).end();
      return;
    }
    const key = `${storageKeys.hls(grant.mediaFileId, grant.attempt)}/${file}`;
    const size = await storage.size(key);
    if (size === null) {
      res.status(404).end();
      return;
    }
    const maxAge = Math.max(0, Math.floor((grant.expiresAt - Date.now()) / 1000));
    res.set({
      'Content-Type': publishedContentTypes[match[1]!]!,
      'Cache-Control': match[1] === 'm3u8' ? 'private, no-cache' : `private, max-age=${maxAge}, immutable`,
      'Accept-Ranges': 'bytes',
      'X-Content-Type-Options': 'nosniff',
    });
    const range = requestedRange(size, req.headers.range);
    if (range === 'unsatisfiable') {
      res.status(416).set('Content-Range', `bytes */${size}`).end();
      return;
    }
    res.status(range ? 206 : 200).set('Content-Length', String(range ? range.end - range.start + 1 : size));
    if (range) res.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const body: Readable = await storage.read(key, range);
    body.on('error', () => res.destroy());
    body.pipe(res);
  };
}
