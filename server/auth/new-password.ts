// The one check of a new password (NIST SP 800-63B): long enough, not too long to hash, not a
// common password; no composition rules.
import { AppError } from '../errors.ts';
import { passwordLimits } from '../common/password-rules.ts';
import type { Passwords } from './passwords.ts';

/** `passwords` knows the common ones (loaded by the services from source, not from the Remix bundle). */
export function checkNewPassword(password: string, passwords: Pick<Passwords, 'isCommon'>): void {
  const length = [...password].length;
  if (length < passwordLimits.min)
    throw new AppError('invalid_input', 'signIn.passwordTooShort', { count: passwordLimits.min });
  if (length > passwordLimits.max)
    throw new AppError('invalid_input', 'signIn.passwordTooLong', { count: passwordLimits.max });
  if (passwords.isCommon(password)) throw new AppError('invalid_input', 'signIn.passwordCommon');
}
