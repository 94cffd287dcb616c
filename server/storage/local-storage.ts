// Media storage on local disk: objects are files under one root folder.
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { assertValidKey, type ByteRange, type MediaStorage, type ReadOptions } from './media-storage.ts';

async function fsyncPath(target: string): Promise<void> {
  const handle = await fs.open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function createLocalStorage(root: string): MediaStorage {
  const pathOf = (key: string) => {
    assertValidKey(key);
    return path.join(root, key);
  };
  return {
    kind: 'local',
    async putFile(key, localPath) {
      const target = pathOf(key);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fsyncPath(localPath);
      // Linked or copied under a temporary name, then renamed: a replaced object (a master playlist
      // growing from the playable stage to the full ladder) is never missing for a moment.
      const partial = `${target}.partial`;
      await fs.rm(partial, { force: true });
      try {
        // Same disk: a hard link costs nothing and leaves the caller's file in place until it commits.
        // The caller must then never rewrite that file in place (it would change the stored object).
        await fs.link(localPath, partial);
      } catch (error) {
        if (!['EXDEV', 'EPERM', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
        await fs.copyFile(localPath, partial);
        await fsyncPath(partial);
      }
      await fs.rename(partial, target);
      // Storing the very file stored before (the same master playlist once more): both names were
      // links to one file, and rename leaves both.
      await fs.rm(partial, { force: true });
      await fsyncPath(path.dirname(target));
    },
    filePath: pathOf,
    async read(key, range?: ByteRange, options?: ReadOptions) {
      const file = pathOf(key);
      await fs.access(file);
      return createReadStream(file, {
        ...(options?.chunkBytes ? { highWaterMark: options.chunkBytes } : {}),
        ...(range ? { start: range.start, end: range.end } : {}),
      });
    },
    async size(key) {
      try {
        return (await fs.stat(pathOf(key))).size;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
    async remove(key) {
      await fs.rm(pathOf(key), { force: true });
    },
    async list(prefix) {
      const base = path.join(root, prefix);
      const entries = await fs.readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
        .sort();
    },
    async directUrl() {
      return null;
    },
  };
}
