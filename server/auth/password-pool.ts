// Password hashing off the thread pool that serves file I/O: scrypt (128 MiB, a few hundred ms
// each) on a pool of worker threads sized to the cores, with a bounded queue. Node's own
// `crypto.scrypt` runs on libuv's 4 threads, which every file read and write waits for too: 40
// logins at once held up an 81-byte download for 36 s (decision 021).
import os from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../errors.ts';
import type { DeriveTask } from './password-worker.ts';

/** Threads: one per core (at most 4: each scrypt takes 128 MiB while it runs). */
export const passwordThreads = Math.max(1, Math.min(4, os.availableParallelism()));
/** Hashes waiting beyond the running ones; more are refused (503, try again shortly). */
export const passwordQueueLimit = passwordThreads * 16;
/** What a refused caller is told to wait: about the time the queue takes to drain. */
export const busyRetryAfterSeconds = 5;

export type PasswordPool = {
  derive(task: DeriveTask): Promise<Buffer>;
  close(): Promise<void>;
};

/**
 * The pool, made by the services (server/services.ts) and passed to whoever hashes. Made from this
 * module as Node loads it from source: a copy bundled into the Remix build would look for the
 * worker file beside the bundle.
 */
export function createPasswordPool(): PasswordPool {
  let pool: Piscina | null = null;
  const thePool = () =>
    (pool ??= new Piscina({
      filename: new URL('./password-worker.ts', import.meta.url).href,
      minThreads: 0,
      maxThreads: passwordThreads,
      maxQueue: passwordQueueLimit,
      // Idle threads end (and with them their memory); the first login after a quiet spell starts one.
      idleTimeout: 30_000,
    }));
  return {
    async derive(task) {
      try {
        const key: Uint8Array = await thePool().run(task);
        return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
      } catch (error) {
        if (error instanceof Error && /queue is at limit|No task queue available/.test(error.message)) {
          throw new AppError('unavailable', 'login.busy', { seconds: busyRetryAfterSeconds });
        }
        throw error;
      }
    },
    async close() {
      const closing = pool;
      pool = null;
      await closing?.destroy();
    },
  };
}
