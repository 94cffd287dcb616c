// All students' latest submitted files as one zip, streamed: files are read one after another,
// stored without compression (documents and photos are compressed already), and on local disk into
// a few reused buffers, each taken back once the socket has sent it, so memory stays flat however
// large the group's work is (decision 011). The layout, with every file's size and CRC-32 kept when
// it arrived, is known before the first byte (zip-layout.ts): an exact length, and any range.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Db } from '../../db/client.ts';
import type { MediaStorage } from '../storage/media-storage.ts';
import { partsInRange, zipLayout } from './zip-layout.ts';

export type ZipEntry = {
  storage_key: string;
  original_name: string;
  byte_size: string | number;
  crc32: number;
  full_name: string;
  version: number;
};

/** Rows as latestSubmissionFiles gives them: the CRC-32 may be missing for files from before it was kept. */
export type SubmittedFileRow = Omit<ZipEntry, 'crc32'> & {
  id: string;
  crc32: string | number | null;
  created_at: Date;
};

/**
 * The files with every CRC-32 known: one missing (a file from before they were kept) is computed
 * from storage once and kept, so that only the first download of old work reads it twice.
 */
export async function withKnownChecksums(db: Db, storage: MediaStorage, rows: SubmittedFileRow[]): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  for (const row of rows) {
    let crc32 = row.crc32 === null ? null : Number(row.crc32);
    if (crc32 === null) {
      crc32 = 0;
      for await (const chunk of await storage.read(row.storage_key)) crc32 = zlib.crc32(chunk as Buffer, crc32);
      await db.updateTable('submission_file').set({ crc32 }).where('id', '=', row.id).execute();
    }
    entries.push({ ...row, crc32 });
  }
  return entries;
}

/** An ETag that changes whenever the zip's bytes would: which files, their names, sizes and checksums. */
export function zipTag(entries: ZipEntry[], modified: Date): string {
  const hash = createHash('sha256').update(String(modified.getTime()));
  for (const entry of entries)
    hash.update(
      `\0${entry.storage_key}\0${entry.original_name}\0${entry.full_name}\0${entry.byte_size}\0${entry.crc32}`,
    );
  return `"zip-${hash.digest('base64url').slice(0, 22)}"`;
}

/** Folder per student (`Асанов Бакыт/essay.pdf`); a name taken twice gets ` (2)`. */
export function zipPaths(entries: Pick<ZipEntry, 'original_name' | 'full_name'>[]): string[] {
  const used = new Set<string>();
  // Characters Windows and zip tools refuse in names, and control characters (below U+0020).
  const clean = (name: string) =>
    [...name]
      .map((c) => ('\\/:*?"<>|'.includes(c) || c < ' ' ? '_' : c))
      .join('')
      .trim() || '_';
  return entries.map((entry) => {
    const base = `${clean(entry.full_name)}/${clean(entry.original_name)}`;
    let candidate = base;
    for (let n = 2; used.has(candidate.toLowerCase()); n++)
      candidate = base.replace(/(\.[^./]*)?$/, (ext) => ` (${n})${ext}`);
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

const CHUNK_BYTES = 1024 * 1024;
const POOL_BUFFERS = 6;

/**
 * A few buffers the zip reads into, lent out as views and taken back by `release` once the socket
 * has sent them. Without it every 1 MiB read was a new buffer, and V8 collects those only when 64 MB
 * of them have piled up.
 */
class BufferPool {
  private free: Buffer[];
  private waiting: ((buffer: Buffer) => void)[] = [];
  private lent = new WeakMap<Buffer, Buffer>();
  constructor(count: number, size: number) {
    this.free = Array.from({ length: count }, () => Buffer.allocUnsafeSlow(size));
  }
  take(): Promise<Buffer> {
    const buffer = this.free.pop();
    return buffer ? Promise.resolve(buffer) : new Promise((resolve) => this.waiting.push(resolve));
  }
  lend(buffer: Buffer, length: number): Buffer {
    const view = buffer.subarray(0, length);
    this.lent.set(view, buffer);
    return view;
  }
  /** Gives back a chunk the zip sent; anything not lent by the pool (zip headers) is ignored. */
  release(chunk: Buffer): void {
    const buffer = this.lent.get(chunk);
    if (!buffer) return;
    this.lent.delete(chunk);
    this.giveBack(buffer);
  }
  giveBack(buffer: Buffer): void {
    const next = this.waiting.shift();
    if (next) next(buffer);
    else this.free.push(buffer);
  }
}

/** Bytes `from`…`to` (inclusive) of a file read into the pool's buffers, one chunk at a time. */
function pooledFile(file: string, pool: BufferPool, from: number, to: number): Readable {
  let handle: fs.FileHandle | null = null;
  let position = from;
  return new Readable({
    highWaterMark: 1,
    async read() {
      try {
        handle ??= await fs.open(file, 'r');
        const buffer = await pool.take();
        if (this.destroyed) return pool.giveBack(buffer);
        const wanted = Math.min(buffer.length, to + 1 - position);
        const { bytesRead } = wanted > 0 ? await handle.read(buffer, 0, wanted, position) : { bytesRead: 0 };
        position += bytesRead;
        if (bytesRead > 0) {
          this.push(pool.lend(buffer, bytesRead));
        } else {
          pool.giveBack(buffer);
          this.push(null);
        }
      } catch (error) {
        this.destroy(error as Error);
      }
    },
    destroy(error, done) {
      const closing = handle?.close();
      handle = null;
      void Promise.resolve(closing).then(
        () => done(error),
        () => done(error),
      );
    },
  });
}

/**
 * Reads the next file once ahead into the page cache (one reused buffer, nothing kept), so that the
 * disk works on it while the current one goes out through the socket.
 */
async function warm(file: string, buffer: Buffer, stop: AbortSignal): Promise<void> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return;
  try {
    for (let position = 0; !stop.aborted;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

export type ZipStream = {
  stream: Readable;
  /** The whole zip's size. */
  totalBytes: number;
  /** The socket has sent this chunk: its buffer may be read into again. */
  release(chunk: Buffer): void;
  /** The client went away: stop reading. */
  abort(): void;
};

export type ZipPlan = ReturnType<typeof zipLayout>;

/** The zip's layout: every header built, every offset and the length known. */
export function planZip(entries: ZipEntry[], modified: Date): ZipPlan {
  const paths = zipPaths(entries);
  return zipLayout(
    entries.map((entry, i) => ({
      name: paths[i]!,
      size: Number(entry.byte_size),
      crc32: entry.crc32,
      key: entry.storage_key,
    })),
    modified,
  );
}

/** The planned zip's bytes, or only `range.start`…`range.end`. */
export function zipOfFiles(storage: MediaStorage, plan: ZipPlan, range?: { start: number; end: number }): ZipStream {
  const { parts, totalBytes } = plan;
  const pool = new BufferPool(POOL_BUFFERS, CHUNK_BYTES);
  const warmBuffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  const stop = new AbortController();
  let current: Readable | null = null;
  const filePath = storage.filePath?.bind(storage);
  const wanted = partsInRange(parts, range?.start ?? 0, range?.end ?? totalBytes - 1);
  const fileKeys = wanted.flatMap(({ part }) => ('key' in part ? [part.key] : []));

  async function* bytes(): AsyncGenerator<Buffer> {
    let files = 0;
    let warming: Promise<void> = Promise.resolve();
    for (const { part, from, to } of wanted) {
      if (stop.signal.aborted) return;
      if ('bytes' in part) {
        yield part.bytes.subarray(from, to + 1);
        continue;
      }
      // Lazily: a stored object is opened only when the zip reaches it; the next one is read ahead into the page cache.
      const next = fileKeys[++files];
      if (filePath && next)
        warming = warming.then(() => warm(filePath(next), warmBuffer, stop.signal)).catch(() => undefined);
      current = filePath
        ? pooledFile(filePath(part.key), pool, from, to)
        : await storage.read(part.key, { start: from, end: to }, { chunkBytes: CHUNK_BYTES });
      for await (const chunk of current) yield chunk as Buffer;
      current = null;
    }
  }

  const stream = Readable.from(bytes(), { objectMode: false, highWaterMark: 1 });
  return {
    stream,
    totalBytes,
    release: (chunk) => pool.release(chunk),
    abort() {
      stop.abort();
      current?.destroy();
      stream.destroy();
    },
  };
}
