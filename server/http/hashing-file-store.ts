// The tus spool on local disk, hashing bytes as they arrive so a finished upload is not read again.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';

type Progress = { hash: Hash; offset: number };

/**
 * Keeps a running sha256 per upload in this process. Anything unusual (a write that failed midway,
 * a resume handled by another process, a restart) drops it, and the upload is hashed from disk instead.
 */
export class HashingFileStore extends FileStore {
  readonly #progress = new Map<string, Progress>();

  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    const progress = this.#progress.get(id) ?? (offset === 0 ? { hash: createHash('sha256'), offset: 0 } : undefined);
    this.#progress.delete(id); // only a write that ends consistently puts it back
    if (!progress || progress.offset !== offset) return super.write(readable, id, offset);

    let seen = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        progress.hash.update(chunk);
        seen += chunk.length;
        callback(null, chunk);
      },
    });
    readable.once('error', (error) => tap.destroy(error));
    const newOffset = await super.write(readable.pipe(tap), id, offset);
    if (newOffset === offset + seen) this.#progress.set(id, { hash: progress.hash, offset: newOffset });
    return newOffset;
  }

  /** The digest of a complete upload, if every byte of it passed through this process in order. */
  takeDigest(id: string, size: number | undefined): string | undefined {
    const progress = this.#progress.get(id);
    this.#progress.delete(id);
    return progress && progress.offset === size ? progress.hash.digest('hex') : undefined;
  }

  override async remove(id: string): Promise<void> {
    this.#progress.delete(id);
    return super.remove(id);
  }
}
