// Opens a zip (an XLSX workbook, or a zip of CSV files) without trusting it: the central directory's
// sizes are checked against limits before anything is unpacked, and yauzl stops any entry that
// unpacks to more than it declared. A zip bomb is refused with the limit named, not unpacked.
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ImportProblem } from './import-problem.ts';

/** The whole archive unpacked, one entry unpacked (a sheet or the shared strings), and how many entries. */
export type ZipLimits = { maxUnpackedBytes: number; maxEntryBytes: number; maxEntries: number };

export type SafeZip = {
  /** Entry names (files only), in the archive's order. */
  names: string[];
  /** The unpacked bytes of one entry, as a stream (checked against its declared size while read). */
  open(name: string): Promise<Readable>;
  close(): void;
};

const openZip = (path: string) =>
  new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false },
      (error, zip) => (error ? reject(error) : resolve(zip)),
    ),
  );

/** Whether the file is a zip at all (its first bytes), so that a workbook with another extension is still read as one. */
export function looksLikeZip(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
}

export async function openSafeZip(path: string, limits: ZipLimits): Promise<SafeZip> {
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch {
    throw new ImportProblem('not_a_zip');
  }
  const entries = new Map<string, Entry>();
  let unpacked = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: Entry) => {
        if (!entry.fileName.endsWith('/')) {
          unpacked += entry.uncompressedSize;
          entries.set(entry.fileName, entry);
          if (entry.uncompressedSize > limits.maxEntryBytes)
            return reject(
              new ImportProblem('zip_too_large_unpacked', { maxMib: Math.floor(limits.maxEntryBytes / 2 ** 20) }),
            );
        }
        if (entries.size > limits.maxEntries)
          return reject(new ImportProblem('zip_too_many_entries', { count: limits.maxEntries }));
        if (unpacked > limits.maxUnpackedBytes)
          return reject(
            new ImportProblem('zip_too_large_unpacked', { maxMib: Math.floor(limits.maxUnpackedBytes / 2 ** 20) }),
          );
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', () => reject(new ImportProblem('not_a_zip')));
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }
  return {
    names: [...entries.keys()],
    open: (name) =>
      new Promise((resolve, reject) => {
        const entry = entries.get(name);
        if (!entry) return reject(new ImportProblem('not_a_zip'));
        zip.openReadStream(entry, (error, stream) =>
          error ? reject(new ImportProblem('not_a_zip')) : resolve(stream),
        );
      }),
    close: () => zip.close(),
  };
}
