// Worker thread of password-pool.ts: derives a scrypt key. It runs below the web thread's priority
// (nice 5): pages and downloads come first when the cores are busy with logins.
import { scryptSync } from 'node:crypto';
import { lowerThisThreadsPriority } from '../thread-priority.ts';

lowerThisThreadsPriority(5);

export type DeriveTask = { password: string; salt: Uint8Array; N: number; r: number; p: number; keyLength: number };

export default function derive(task: DeriveTask): Uint8Array {
  const key = scryptSync(task.password.normalize('NFKC'), task.salt, task.keyLength, {
    N: task.N,
    r: task.r,
    p: task.p,
    maxmem: 256 * task.N * task.r,
  });
  return new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
}
