// Worker thread of spool-hasher.ts: hashes each followed file (sha256 and CRC-32, one read) up to
// its current end, again and again.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import zlib from 'node:zlib';
import { lowerThisThreadsPriority } from '../thread-priority.ts';

type Waiter = { size: number; requestId: string };
type Followed = {
  path: string;
  hash: Hash;
  crc32: number;
  offset: number;
  fd: number | null;
  waiters: Waiter[];
  idleSince: number;
};
type Message =
  | { type: 'follow'; uploadId: string; path: string }
  | { type: 'digest'; uploadId: string; path: string; size: number; requestId: string }
  | { type: 'forget'; uploadId: string };

const followed = new Map<string, Followed>();
const buffer = Buffer.allocUnsafe(1024 * 1024);
const sliceBytes = 64 * 1024 * 1024; // per file per turn, so that messages are not held up
const giveUpAfterMs = 10 * 60 * 1000; // an upload that stopped growing is hashed from scratch if it resumes
let timer: NodeJS.Timeout | null = null;

/**
 * Hashing is background work until an upload is complete: this thread runs at the lowest priority
 * (nice 19), so that on a busy machine the threads that receive bytes and answer requests have the
 * cores first. It falls behind during an upload and catches up in the gaps; at nice 10 it took enough
 * of them to cost the benchmark's 8 MiB uploads 6–11 % (decision 017). It shares the idle cores
 * with ffmpeg (also nice 19) thread for thread.
 */
lowerThisThreadsPriority(19);

const start = (path: string): Followed => ({
  path,
  hash: createHash('sha256'),
  crc32: 0,
  offset: 0,
  fd: null,
  waiters: [],
  idleSince: Date.now(),
});

function drop(uploadId: string): void {
  const entry = followed.get(uploadId);
  if (entry?.fd !== null && entry?.fd !== undefined) fs.closeSync(entry.fd);
  followed.delete(uploadId);
}

/** Reads what the file has gained since the last turn; true when it reached the file's end. */
function advance(entry: Followed): boolean {
  if (entry.fd === null) {
    try {
      entry.fd = fs.openSync(entry.path, 'r');
    } catch {
      return true; // not created yet
    }
  }
  let read = 0;
  while (read < sliceBytes) {
    const bytes = fs.readSync(entry.fd, buffer, 0, buffer.length, entry.offset);
    if (bytes === 0) return true;
    entry.hash.update(buffer.subarray(0, bytes));
    entry.crc32 = zlib.crc32(buffer.subarray(0, bytes), entry.crc32);
    entry.offset += bytes;
    entry.idleSince = Date.now();
    read += bytes;
  }
  return false;
}

function answer(uploadId: string, entry: Followed): void {
  for (const waiter of [...entry.waiters]) {
    if (entry.offset < waiter.size) continue;
    entry.waiters.splice(entry.waiters.indexOf(waiter), 1);
    if (entry.offset === waiter.size)
      parentPort!.postMessage({
        requestId: waiter.requestId,
        digest: entry.hash.copy().digest('hex'),
        crc32: entry.crc32,
      });
    else parentPort!.postMessage({ requestId: waiter.requestId, error: `file is longer than ${waiter.size} bytes` });
    drop(uploadId);
  }
}

function turn(): void {
  timer = null;
  let busy = false;
  for (const [uploadId, entry] of followed) {
    let atEnd: boolean;
    try {
      atEnd = advance(entry);
    } catch (error) {
      for (const waiter of entry.waiters)
        parentPort!.postMessage({ requestId: waiter.requestId, error: String(error) });
      drop(uploadId);
      continue;
    }
    if (!atEnd) busy = true;
    if (atEnd && entry.waiters.length) {
      // The upload is complete when a digest is asked for: what is on disk now is all there is.
      for (const waiter of entry.waiters.filter((w) => entry.offset < w.size)) {
        parentPort!.postMessage({
          requestId: waiter.requestId,
          error: `file has ${entry.offset} of ${waiter.size} bytes`,
        });
        entry.waiters.splice(entry.waiters.indexOf(waiter), 1);
      }
    }
    answer(uploadId, entry);
    if (followed.has(uploadId) && !entry.waiters.length && Date.now() - entry.idleSince > giveUpAfterMs) drop(uploadId);
  }
  if (followed.size) timer = setTimeout(turn, busy ? 0 : 20);
}

function schedule(): void {
  if (timer === null) timer = setTimeout(turn, 0);
}

parentPort!.on('message', (message: Message) => {
  if (message.type === 'forget') return drop(message.uploadId);
  const entry = followed.get(message.uploadId) ?? start(message.path);
  followed.set(message.uploadId, entry);
  if (message.type === 'digest') entry.waiters.push({ size: message.size, requestId: message.requestId });
  schedule();
});
