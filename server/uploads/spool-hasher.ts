// sha256 and CRC-32 of spooled uploads computed on a worker thread that follows each file as it grows, so the
// thread receiving uploads never hashes and a finished upload is not read again.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { spoolPaths } from './upload-spool.ts';

export type SpoolHasher = {
  /** Start following an upload's spool file (tus appends only, so its prefix never changes). */
  follow(uploadId: string): void;
  /** sha256 and CRC-32 of the first `size` bytes once the file has them all; from scratch if it was not followed. */
  digest(uploadId: string, size: number): Promise<Checksums>;
  forget(uploadId: string): void;
  close(): Promise<void>;
};

/** A stored file's checksums: sha256 (hex) identifies it, CRC-32 goes into zips. */
export type Checksums = { sha256: string; crc32: number };

type Reply = { requestId: string; digest?: string; crc32?: number; error?: string };

export function createSpoolHasher(spoolDir: string): SpoolHasher {
  const worker = new Worker(new URL('./spool-hasher-worker.ts', import.meta.url));
  worker.unref();
  const pending = new Map<string, { resolve: (checksums: Checksums) => void; reject: (error: Error) => void }>();
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.requestId);
    pending.delete(reply.requestId);
    if (reply.digest && reply.crc32 !== undefined) waiter?.resolve({ sha256: reply.digest, crc32: reply.crc32 });
    else waiter?.reject(new Error(reply.error ?? 'hash failed'));
  });
  worker.on('error', (error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  });
  return {
    follow(uploadId) {
      worker.postMessage({ type: 'follow', uploadId, path: spoolPaths(spoolDir, uploadId).data });
    },
    digest(uploadId, size) {
      const requestId = randomUUID();
      return new Promise((resolve, reject) => {
        pending.set(requestId, { resolve, reject });
        worker.postMessage({ type: 'digest', uploadId, path: spoolPaths(spoolDir, uploadId).data, size, requestId });
      });
    },
    forget(uploadId) {
      worker.postMessage({ type: 'forget', uploadId });
    },
    async close() {
      await worker.terminate();
    },
  };
}
