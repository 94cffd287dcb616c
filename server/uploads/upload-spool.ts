// Where unfinished uploads live: the @tus/file-store layout (`<dir>/<id>` and `<dir>/<id>.json`).
import fs from 'node:fs/promises';
import path from 'node:path';

export const uploadIdPattern = /^[0-9a-f]{32}$/;

export function spoolPaths(spoolDir: string, uploadId: string): { data: string; info: string } {
  // Upload ids are ours (random hex); anything else never becomes a path.
  if (!uploadIdPattern.test(uploadId)) throw new Error(`Invalid upload id: ${uploadId}`);
  const data = path.join(spoolDir, uploadId);
  return { data, info: `${data}.json` };
}

export async function removeSpooled(spoolDir: string, uploadId: string): Promise<void> {
  const { data, info } = spoolPaths(spoolDir, uploadId);
  await Promise.all([fs.rm(data, { force: true }), fs.rm(info, { force: true })]);
}

const flushEveryMs = 100;

/**
 * Flushes a spool file to the disk (`fdatasync`) over and over while it is written, and once more
 * after `stop()`. Otherwise the whole upload waits in the page cache and the fsync that records it
 * writes it all while the client waits: the disk idles during the transfer and the network after
 * it. Flushing as the bytes arrive overlaps the two, and an acknowledged chunk is soon on the disk.
 */
export function keepFlushing(file: string): () => void {
  let writing = true;
  const flushing = (async () => {
    const handle = await fs.open(file, 'r');
    try {
      while (writing) {
        await handle.datasync();
        await new Promise((resolve) => setTimeout(resolve, flushEveryMs));
      }
      await handle.datasync();
    } finally {
      await handle.close();
    }
  })();
  // A failed flush only leaves the work to the fsync that records the upload.
  flushing.catch(() => undefined);
  return () => {
    writing = false;
  };
}
