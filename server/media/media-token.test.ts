import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signMediaToken, verifyMediaToken } from './media-token.ts';

const key = Buffer.from('k'.repeat(32));
const grant = {
  userId: randomUUID(),
  mediaFileId: randomUUID(),
  attempt: 'a1b2c3d4e5f6',
  expiresAt: Date.now() + 60_000,
};

describe('media tokens', () => {
  it('carries its grant back when untouched', () => {
    const verified = verifyMediaToken(key, signMediaToken(key, grant));
    expect(verified).toMatchObject({ userId: grant.userId, mediaFileId: grant.mediaFileId, attempt: grant.attempt });
  });

  it('refuses a token for another video, another user, or another output made by editing it', () => {
    const token = signMediaToken(key, grant);
    expect(verifyMediaToken(key, token.replace(grant.mediaFileId, randomUUID()))).toBeNull();
    expect(verifyMediaToken(key, token.replace(grant.userId, randomUUID()))).toBeNull();
    expect(verifyMediaToken(key, token.replace(grant.attempt, 'ffffffffffff'))).toBeNull();
  });

  it('refuses a forged signature, another key, garbage and an expired token', () => {
    const token = signMediaToken(key, grant);
    expect(verifyMediaToken(key, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(verifyMediaToken(Buffer.from('x'.repeat(32)), token)).toBeNull();
    expect(verifyMediaToken(key, '../../etc/passwd')).toBeNull();
    expect(verifyMediaToken(key, token, grant.expiresAt + 1000)).toBeNull();
  });
});
