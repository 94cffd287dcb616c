// Uploads nobody will finish: the spool swept of abandoned uploads and of files no upload owns.
import fs from 'node:fs/promises';
import { discardUpload, type UploadDeps } from './uploads.ts';
import { removeSpooled, spoolPaths, uploadIdPattern } from './upload-spool.ts';

/** A spool file with no upload to continue is left this long first: a new upload's row is written before its file, never after. */
const ORPHAN_GRACE_MS = 10 * 60_000;

/**
 * Sets one process's spool right with the database. Each web process runs it over its own spool
 * (every `SPOOL_SWEEP_MINUTES`), so it works where the spool is, wherever the workers run:
 * - an upload whose bytes are still arriving here is marked active, so one long PATCH keeps it alive
 *   for the clean-up job too;
 * - an upload idle for `olderThanMs` is discarded, row and files;
 * - the files of an upload that no longer exists, or that was recorded, are removed.
 */
export async function sweepSpool(
  deps: Pick<UploadDeps, 'db' | 'spoolDir'>,
  olderThanMs: number,
  now = new Date(),
): Promise<{ discarded: number; orphans: number }> {
  const names = await fs.readdir(deps.spoolDir).catch(() => [] as string[]);
  const ids = [...new Set(names.map((name) => name.replace(/\.json$/, '')).filter((id) => uploadIdPattern.test(id)))];
  if (ids.length === 0) return { discarded: 0, orphans: 0 };
  const rows = new Map(
    (
      await deps.db
        .selectFrom('upload')
        .select(['id', 'finished_at', 'last_activity_at'])
        .where('id', 'in', ids)
        .execute()
    ).map((row) => [row.id, row]),
  );
  const cutoff = now.getTime() - olderThanMs;
  let discarded = 0;
  let orphans = 0;
  for (const id of ids) {
    const { data, info } = spoolPaths(deps.spoolDir, id);
    const [written, described] = await Promise.all([fs.stat(data).catch(() => null), fs.stat(info).catch(() => null)]);
    const lastTouched = Math.max(written?.mtimeMs ?? 0, described?.mtimeMs ?? 0);
    const row = rows.get(id);
    if (row && row.finished_at === null) {
      // Activity is the last byte written (the record beside it is written when the upload is made).
      const lastByte = written?.mtimeMs ?? 0;
      if (lastByte > row.last_activity_at.getTime() + 60_000) {
        await deps.db
          .updateTable('upload')
          .set({ last_activity_at: new Date(lastByte) })
          .where('id', '=', id)
          .execute();
      } else if (row.last_activity_at.getTime() < cutoff) {
        await discardUpload(deps, id);
        discarded++;
      }
    } else if (lastTouched < now.getTime() - ORPHAN_GRACE_MS) {
      await removeSpooled(deps.spoolDir, id);
      orphans++;
    }
  }
  return { discarded, orphans };
}

/**
 * Removes uploads with no activity for `olderThanMs` (the clean-up job). Activity is the last
 * request or the last byte written, by the one rule of `sweepSpool`: this machine's spool is swept
 * first, then what the database still says is idle goes. An upload whose bytes arrive on another
 * machine is kept active by that machine's own sweep, which also removes its files once it is gone.
 */
export async function removeAbandonedUploads(
  deps: Pick<UploadDeps, 'db' | 'spoolDir'>,
  olderThanMs: number,
): Promise<number> {
  const { discarded } = await sweepSpool(deps, olderThanMs);
  const cutoff = new Date(Date.now() - olderThanMs);
  const stale = await deps.db
    .selectFrom('upload')
    .select('id')
    .where('finished_at', 'is', null)
    .where('last_activity_at', '<', cutoff)
    .execute();
  for (const { id } of stale) await discardUpload(deps, id);
  return discarded + stale.length;
}
