// After the retention period, what an instructor removed (an item's files, a file, a replaced
// version) loses its stored objects: the original and the published renditions, unless another row
// still uses them (a copy in another term's cabinet shares them). The rows stay, marked purged, as
// the audit's and the history's subjects. Run daily by the worker (purge-removed job).
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { MediaStorage } from '../storage/media-storage.ts';

type PurgeRow = {
  id: string;
  storage_key: string;
  hls_prefix: string | null;
  poster_key: string | null;
  thumbnails_key: string | null;
};

/** Files past their retention, marked purged in one statement; their keys no other unpurged row uses. */
async function markBatch(db: Db, cutoff: Date, limit: number): Promise<{ rows: PurgeRow[]; unshared: Set<string> }> {
  return db.transaction().execute(async (trx) => {
    const marked = await sql<PurgeRow>`
      update media_file f set objects_purged_at = now()
      where f.id in (
        select f2.id from media_file f2 join item i on i.id = f2.item_id
        where f2.objects_purged_at is null
          and (f2.deleted_at < ${cutoff} or i.removed_at < ${cutoff})
        order by f2.id
        limit ${limit}
        for update of f2, i skip locked)
      returning f.id, f.storage_key, f.hls_prefix, f.poster_key, f.thumbnails_key`.execute(trx);
    const keys = marked.rows.flatMap((row) =>
      [row.storage_key, row.hls_prefix, row.poster_key, row.thumbnails_key].filter((key) => key !== null),
    );
    if (!keys.length) return { rows: marked.rows, unshared: new Set() };
    // Still used by a row that keeps its objects (a live file, or one removed but restorable).
    const shared = await sql<{ key: string }>`
      select k.key from unnest(${keys}::text[]) k (key)
      where exists (
        select 1 from media_file f
        where f.objects_purged_at is null
          and (f.storage_key = k.key or f.hls_prefix = k.key or f.poster_key = k.key or f.thumbnails_key = k.key))`.execute(
      trx,
    );
    const used = new Set(shared.rows.map((row) => row.key));
    return { rows: marked.rows, unshared: new Set(keys.filter((key) => !used.has(key))) };
  });
}

/** The objects of one purged file whose keys no one else uses: the original, and everything under its renditions' prefix. */
async function removeObjects(storage: MediaStorage, row: PurgeRow, unshared: Set<string>): Promise<number> {
  const keys: string[] = [];
  for (const key of [row.storage_key, row.poster_key, row.thumbnails_key]) if (key && unshared.has(key)) keys.push(key);
  if (row.hls_prefix && unshared.has(row.hls_prefix)) keys.push(...(await storage.list(`${row.hls_prefix}/`)));
  const unique = [...new Set(keys)];
  await Promise.all(unique.map((key) => storage.remove(key)));
  return unique.length;
}

/**
 * Purges what was removed before `now - retentionMs`, a batch at a time. Returns how many files were
 * purged and how many objects deleted. A row is marked before its objects go: a crash in between
 * leaves a few objects nobody points at (harmless, and no longer restorable anyway), never a row
 * that points at nothing.
 */
export async function purgeRemoved(
  deps: { db: Db; storage: MediaStorage },
  retentionMs: number,
  now = new Date(),
  batch = 200,
): Promise<{ files: number; objects: number }> {
  const cutoff = new Date(now.getTime() - retentionMs);
  let files = 0;
  let objects = 0;
  for (;;) {
    const { rows, unshared } = await markBatch(deps.db, cutoff, batch);
    for (const row of rows) objects += await removeObjects(deps.storage, row, unshared);
    files += rows.length;
    if (rows.length < batch) return { files, objects };
  }
}
