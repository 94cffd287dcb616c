import { describe, expect, it } from 'vitest';
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
