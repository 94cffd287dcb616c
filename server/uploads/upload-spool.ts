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
