// The common passwords a new password may not be (NIST SP 800-63B): zxcvbn's list of 49,000
// passwords people actually use (MIT), and the few words of this app's own. Loaded once, lower case.
import { createRequire } from 'node:module';

const ourOwn = [
  'kabinet-demo',
  'kabinetdemo',
  'kabinet123',
  'kabinet2026',
  'kabinet2027',
  'sirsoz12345',
  'parol12345',
  'пароль12345',
  'сырсөз12345',
];

let common: Set<string> | null = null;

function list(): Set<string> {
  if (!common) {
    const passwords: string[] = createRequire(import.meta.url)('@zxcvbn-ts/language-common/src/passwords.json');
    common = new Set([...passwords, ...ourOwn].map((password) => password.toLowerCase()));
  }
  return common;
}

export function isCommonPassword(password: string): boolean {
  return list().has(password.normalize('NFKC').toLowerCase());
}
