// The password threads: keys as node:crypto derives them, and a queue that refuses what it cannot
// hold (a clean "busy, try again in a few seconds") instead of growing without end.
import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPasswordPool, passwordQueueLimit, passwordThreads } from './password-pool.ts';

const pool = createPasswordPool();
const deriveKey = pool.derive;

const task = (password: string, N = 2 ** 10) => ({
  password,
  salt: Buffer.from('0123456789abcdef'),
  N,
  r: 8,
  p: 1,
  keyLength: 32,
});

describe('password threads', () => {
  it('derive the same key as scrypt on the calling thread', async () => {
    const key = await deriveKey(task('сырсөз-123'));
    expect(key.equals(scryptSync('сырсөз-123', Buffer.from('0123456789abcdef'), 32, { N: 2 ** 10, r: 8, p: 1 }))).toBe(
      true,
    );
  });

  it('refuse with "busy" what goes beyond the running and queued hashes', async () => {
    const asked = passwordThreads + passwordQueueLimit + 20;
    const results = await Promise.allSettled(
      Array.from({ length: asked }, (_, i) => deriveKey(task(`p${i}`, 2 ** 14))),
    );
    const refused = results.filter((result) => result.status === 'rejected');
    expect(refused.length).toBeGreaterThanOrEqual(20);
    for (const result of refused)
      expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'unavailable', messageKey: 'login.busy' });
    expect(results.filter((result) => result.status === 'fulfilled').length).toBeGreaterThanOrEqual(passwordQueueLimit);
  });
});
