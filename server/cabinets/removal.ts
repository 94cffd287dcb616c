// Undo for instructors: an item or a file is removed (students stop seeing it at once), listed under
// "recently removed" for the retention period, and restored from there. A removed item leaves its
// slot, which a new item may fill; restored, it goes back into the slot if the slot is still free,
// else among the extra items. Every removal and restore is in the audit log; the reports follow
// through their triggers (nothing here counts). After the period, purge-removed.ts deletes the
// stored objects no other row uses.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Actor, Principal } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { editableCabinet } from './items.ts';
import { isUuid } from './scope.ts';

/** An item of a cabinet the user edits (locked for the change), removed or not as asked; not_found otherwise. */
async function editableItem(trx: Transaction<Database>, user: Principal, itemId: string, removed: boolean) {
  if (!isUuid(itemId)) throw new AppError('not_found');
  const item = await trx
    .selectFrom('item')
    .select(['id', 'cabinet_id', 'slot_id', 'title', 'removed_at', 'removed_from_slot_id'])
    .where('id', '=', itemId)
    .where('removed_at', removed ? 'is not' : 'is', null)
    .forUpdate()
    .executeTakeFirst();
  if (!item) throw new AppError('not_found');
  await editableCabinet(trx, user, item.cabinet_id);
  return item;
}

/** A removal older than the retention period is past restoring (its objects may be gone). */
function requireRestorable(removedAt: Date | null, retentionMs: number, now: Date): void {
  if (!removedAt || removedAt.getTime() < now.getTime() - retentionMs)
    throw new AppError('conflict', 'removal.expired');
}

export async function removeItem(db: Db, actor: Actor, itemId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const item = await editableItem(trx, actor.user, itemId, false);
    await trx
      .updateTable('item')
      .set({
        removed_at: new Date(),
        removed_by: actor.user.id,
        removed_from_slot_id: item.slot_id,
        slot_id: null,
        updated_at: new Date(),
      })
      .where('id', '=', item.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'item.remove',
      objectType: 'item',
      objectId: item.id,
      ip: actor.ip,
      data: { title: item.title, slotId: item.slot_id },
    });
  });
}

const isUniqueViolation = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

/**
 * Takes an item out of "removed": into its slot when the slot is still free, else among the extra
 * items. The slot's row is locked, and a new item an upload puts into the slot at the same moment
 * (which the lock does not stop) is met by the unique slot: the restore then goes to the extras.
 */
async function backIntoSlot(trx: Transaction<Database>, itemId: string, slotId: string | null): Promise<boolean> {
  const restore = (slot: string | null) =>
    trx
      .updateTable('item')
      .set({ removed_at: null, removed_by: null, removed_from_slot_id: null, slot_id: slot, updated_at: new Date() })
      .where('id', '=', itemId)
      .execute();
  const slot = slotId
    ? await trx.selectFrom('slot').select('id').where('id', '=', slotId).forUpdate().executeTakeFirst()
    : undefined;
  const taken = slot && (await trx.selectFrom('item').select('id').where('slot_id', '=', slot.id).executeTakeFirst());
  if (!slot || taken) {
    await restore(null);
    return false;
  }
  await sql`savepoint into_slot`.execute(trx);
  try {
    await restore(slot.id);
    return true;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await sql`rollback to savepoint into_slot`.execute(trx);
    await restore(null);
    return false;
  }
}

/** Restores an item: into its slot when the slot is still free (`intoSlot`), else among the extra items. */
export async function restoreItem(
  db: Db,
  actor: Actor,
  itemId: string,
  retentionMs: number,
  now = new Date(),
): Promise<{ intoSlot: boolean }> {
  return db.transaction().execute(async (trx) => {
    const item = await editableItem(trx, actor.user, itemId, true);
    requireRestorable(item.removed_at, retentionMs, now);
    const intoSlot = await backIntoSlot(trx, item.id, item.removed_from_slot_id);
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'item.restore',
      objectType: 'item',
      objectId: item.id,
      ip: actor.ip,
      data: { title: item.title, slotId: intoSlot ? item.removed_from_slot_id : null },
    });
    return { intoSlot };
  });
}

/** A file of a live item in a cabinet the user edits (locked), removed or not as asked; not_found otherwise. */
async function editableFile(trx: Transaction<Database>, user: Principal, fileId: string, removed: boolean) {
  if (!isUuid(fileId)) throw new AppError('not_found');
  const file = await trx
    .selectFrom('media_file as f')
    .innerJoin('item', 'item.id', 'f.item_id')
    .select([
      'f.id',
      'f.original_name',
      'f.item_id',
      'f.deleted_at',
      'f.replaced_by_file_id',
      'f.processing_state',
      'item.cabinet_id',
    ])
    .where('f.id', '=', fileId)
    .where('f.deleted_at', removed ? 'is not' : 'is', null)
    .where('f.objects_purged_at', 'is', null)
    .where('item.removed_at', 'is', null)
    .forUpdate('f')
    .executeTakeFirst();
  if (!file) throw new AppError('not_found');
  await editableCabinet(trx, user, file.cabinet_id);
  return file;
}

export async function removeFile(db: Db, actor: Actor, fileId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const file = await editableFile(trx, actor.user, fileId, false);
    await trx
      .updateTable('media_file')
      .set({ deleted_at: new Date(), deleted_by: actor.user.id })
      .where('id', '=', file.id)
      .execute();
    await trx.updateTable('item').set({ updated_at: new Date() }).where('id', '=', file.item_id).execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'file.remove',
      objectType: 'media_file',
      objectId: file.id,
      ip: actor.ip,
      data: { itemId: file.item_id, name: file.original_name },
    });
  });
}

/**
 * Restores a removed file into its item. A replaced version is history, not restored this way. A
 * lecture removed before it was processed (its job found it gone) is queued again.
 */
export async function restoreFile(
  deps: { db: Db; queue: Pick<JobQueue, 'enqueue'> },
  actor: Actor,
  fileId: string,
  retentionMs: number,
  now = new Date(),
) {
  const { db } = deps;
  await db.transaction().execute(async (trx) => {
    const file = await editableFile(trx, actor.user, fileId, true);
    if (file.replaced_by_file_id) throw new AppError('not_found');
    requireRestorable(file.deleted_at, retentionMs, now);
    await trx.updateTable('media_file').set({ deleted_at: null, deleted_by: null }).where('id', '=', file.id).execute();
    await trx.updateTable('item').set({ updated_at: new Date() }).where('id', '=', file.item_id).execute();
    if (file.processing_state === 'awaiting' || file.processing_state === 'processing')
      await deps.queue.enqueue(trx, 'transcode-video', { mediaFileId: file.id });
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'file.restore',
      objectType: 'media_file',
      objectId: file.id,
      ip: actor.ip,
      data: { itemId: file.item_id, name: file.original_name },
    });
  });
}

export type RemovedEntry = {
  kind: 'item' | 'file';
  id: string;
  name: string;
  /** The item a file was in. */
  itemTitle: string | null;
  removedAt: string;
  /** The last moment it can be restored. */
  restorableUntil: string;
};

/** What the cabinet's instructor removed within the retention period, newest first. */
export async function recentlyRemoved(
  db: Db,
  user: Principal,
  cabinetId: string,
  retentionMs: number,
  now = new Date(),
): Promise<RemovedEntry[]> {
  await editableCabinet(db, user, cabinetId);
  const since = new Date(now.getTime() - retentionMs);
  const rows = await sql<{ kind: 'item' | 'file'; id: string; name: string; item_title: string | null; at: Date }>`
    select 'item' as kind, i.id, i.title as name, null as item_title, i.removed_at as at
    from item i where i.cabinet_id = ${cabinetId} and i.removed_at >= ${since}
    union all
    select 'file', f.id, f.original_name, i.title, f.deleted_at
    from media_file f join item i on i.id = f.item_id
    where i.cabinet_id = ${cabinetId} and i.removed_at is null and f.deleted_at >= ${since}
      and f.replaced_by_file_id is null and f.objects_purged_at is null
    order by at desc
    limit 200`.execute(db);
  return rows.rows.map((row) => ({
    kind: row.kind,
    id: row.id,
    name: row.name,
    itemTitle: row.item_title,
    removedAt: row.at.toISOString(),
    restorableUntil: new Date(row.at.getTime() + retentionMs).toISOString(),
  }));
}
