import { describe, expect, it } from 'vitest';
import { delaySeconds } from './login.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

describe('password hashing', () => {
  it('uses scrypt N=2^17 r=8 with a random salt and verifies only the right password', async () => {
    const a = await hashPassword('сырсөз-123');
    const b = await hashPassword('сырсөз-123');
    expect(a).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('сырсөз-123', a)).toBe(true);
    expect(await verifyPassword('сырсөз-124', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});

describe('login delays', () => {
  it('grow with each failure past the free ones, up to a cap', () => {
    const throttle = { freeFailures: 3, maxDelaySeconds: 900 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => delaySeconds(n, throttle))).toEqual([0, 0, 0, 1, 2, 4, 8]);
    expect(delaySeconds(50, throttle)).toBe(900);
  });
});
