// Password hashing for tests that log people in without a test server: one pool per test file
// (its idle threads end by themselves).
import { createPasswordPool } from '../../server/auth/password-pool.ts';
import { createPasswords, type Passwords } from '../../server/auth/passwords.ts';

let passwords: Passwords | undefined;

export function testPasswords(): Passwords {
  passwords ??= createPasswords(createPasswordPool(), 'all');
  return passwords;
}
