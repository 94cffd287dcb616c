// The tus spool on local disk: @tus/file-store with larger writes, telling the hasher where files grow.
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileStore } from '@tus/file-store';
import { ERRORS } from '@tus/utils';

// Larger writes than the file store's default (16 KiB): fewer trips through the thread pool.
const writeBufferBytes = 1024 * 1024;

export class SpoolFileStore extends FileStore {
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        callback(null, chunk);
      },
    });
    const file = fs.createWriteStream(path.join(this.directory, id), { flags: 'r+', start: offset, highWaterMark: writeBufferBytes });
    try {
      await pipeline(readable, counter, file);
    } catch {
      // What reached the disk stays; the next HEAD reads the real offset from the file's size.
      throw ERRORS.FILE_WRITE_ERROR;
    }
    return offset + received;
  }
}
