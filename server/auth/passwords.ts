// Password hashing with scrypt, derived on the password threads (password-pool.ts). New hashes use
// N=2^16, r=8, p=2: one of OWASP's equal minimums, as much work as N=2^17 with p=1 in half the
// memory (64 MiB a hash), so that a core's worth of logins at once stays within memory (decision
// 021). A hash of other parameters still verifies, and is replaced at the next login.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { PasswordLogin } from '../config.ts';
import { isCommonPassword } from './common-passwords.ts';
import type { PasswordPool } from './password-pool.ts';

const params = { N: 2 ** 16, r: 8, p: 2 };
const keyLength = 32;

/** Hashing and checking passwords, on a pool's threads. */
export type Passwords = {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
  /** Whether a new password is one of the common ones (common-passwords.ts). */
  isCommon(password: string): boolean;
  /** Whether a stored hash was made with other parameters than today's (then hash it anew). */
  outdated(stored: string): boolean;
  /** Spends the same time as a real check, so unknown e-mails cannot be told apart by timing. */
  verifyDummy(password: string): Promise<false>;
  /** Who may sign in with a password at all (PASSWORD_LOGIN; password-login.ts). */
  policy: PasswordLogin;
};

export function createPasswords(pool: Pick<PasswordPool, 'derive'>, policy: PasswordLogin): Passwords {
  const derive = (password: string, salt: Buffer, options: typeof params) =>
    pool.derive({ password, salt, keyLength, ...options });
  const hash = async (password: string) => {
    const salt = randomBytes(16);
    const key = await derive(password, salt, params);
    return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  };
  const verify = async (password: string, stored: string) => {
    const [scheme, n, r, p, salt, key] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !key || ![n, r, p].every((value) => /^[0-9]{1,7}$/.test(value ?? '')))
      return false;
    const expected = Buffer.from(key, 'base64url');
    const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
  let dummyHash: Promise<string> | undefined;
  return {
    hash,
    verify,
    isCommon: isCommonPassword,
    policy,
    outdated: (stored) => !stored.startsWith(['scrypt', params.N, params.r, params.p, ''].join('$')),
    async verifyDummy(password) {
      dummyHash ??= hash('dummy-password-for-timing');
      await verify(password, await dummyHash);
      return false;
    },
  };
}
