// `/media/<token>/…` tokens: an HMAC of user, video, published output and expiry, carried in the path.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MediaConfig } from '../config.ts';

export type MediaGrant = { userId: string; mediaFileId: string; attempt: string; expiresAt: number };

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const tokenPattern = new RegExp(`^(${uuid})\\.([0-9a-f]{12})\\.(${uuid})\\.(\\d{1,12})\\.([A-Za-z0-9_-]{43})$`);

const mac = (key: Buffer, body: string) => createHmac('sha256', key).update(body).digest('base64url');

/**
 * The key from `MEDIA_TOKEN_SECRET`, else one made once and kept in the data folder (enough for one
 * machine; several web machines must share the variable).
 */
export function loadTokenKey(media: Pick<MediaConfig, 'tokenSecret'>, dataDir: string): Buffer {
  if (media.tokenSecret) return Buffer.from(media.tokenSecret);
  const file = path.join(dataDir, 'media-token.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Whoever wrote it first, every process reads the same key.
  return fs.readFileSync(file);
}

/** Issued only after the permission module said the user may watch this video. */
export function signMediaToken(key: Buffer, grant: MediaGrant): string {
  const body = `${grant.mediaFileId}.${grant.attempt}.${grant.userId}.${Math.floor(grant.expiresAt / 1000)}`;
  return `${body}.${mac(key, body)}`;
}

/** The grant a token carries, or null when it is malformed, forged or expired. Touches no database. */
export function verifyMediaToken(key: Buffer, token: string, now = Date.now()): MediaGrant | null {
  const match = tokenPattern.exec(token);
  if (!match) return null;
  const [, mediaFileId = '', attempt = '', userId = '', expires = '', signature = ''] = match;
  const expected = Buffer.from(mac(key, `${mediaFileId}.${attempt}.${userId}.${expires}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const expiresAt = Number(expires) * 1000;
  if (expiresAt <= now) return null;
  return { mediaFileId, attempt, userId, expiresAt };
}
