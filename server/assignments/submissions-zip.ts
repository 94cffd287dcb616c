// All students' latest submitted files as one zip, streamed: one file is read at a time, stored
// without compression (documents and photos are compressed already), so memory stays flat however
// large the group's work is.
import type { Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { MediaStorage } from '../storage/media-storage.ts';

export type ZipEntry = { storage_key: string; original_name: string; byte_size: string | number; full_name: string; version: number };

/** Folder per student (`Асанов Бакыт/essay.pdf`); a name taken twice gets ` (2)`. */
export function zipPaths(entries: Pick<ZipEntry, 'original_name' | 'full_name'>[]): string[] {
  const used = new Set<string>();
  // Characters Windows and zip tools refuse in names, and control characters (below U+0020).
  const clean = (name: string) => [...name].map((c) => ('\\/:*?"<>|'.includes(c) || c < ' ' ? '_' : c)).join('').trim() || '_';
  return entries.map((entry) => {
    const base = `${clean(entry.full_name)}/${clean(entry.original_name)}`;
    let candidate = base;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = base.replace(/(\.[^./]*)?$/, (ext) => ` (${n})${ext}`);
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

export function zipOfFiles(storage: MediaStorage, entries: ZipEntry[]): Readable {
  const zip = new ZipFile();
  const paths = zipPaths(entries);
  entries.forEach((entry, i) => {
    // Lazy: the stored object is opened only when the zip reaches it.
    zip.addReadStreamLazy(paths[i]!, { size: Number(entry.byte_size), compress: false }, (done) => {
      storage.read(entry.storage_key).then((stream) => done(null, stream), (error: unknown) => done(error, undefined as never));
    });
  });
  zip.end();
  return zip.outputStream as Readable;
}
