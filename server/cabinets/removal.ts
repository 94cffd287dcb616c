// Undo for instructors: an item or a file is removed (students stop seeing it at once), listed under
// "recently removed" for the retention period, and restored from there. A removed item leaves its
// slot, which a new item may fill; restored, it goes back into the slot if the slot is still free,
// else among the extra items. Every removal and restore is in the audit log; the reports follow
// through their triggers (nothing here counts). After the period, purge-removed.ts deletes the
// stored objects no other row uses.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor, type Principal } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import { isUuid, loadCabinetScope } from './scope.ts';

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
  await requireEditor(trx, user, item.cabinet_id);
  return item;
}

async function requireEditor(db: Kysely<Database>, user: Principal, cabinetId: string): Promise<void> {
  const scope = await loadCabinetScope(db, cabinetId);
  if (!scope) throw new AppError('not_found');
  requirePermission(user, 'cabinet.edit', scope);
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
    const slotId = item.removed_from_slot_id;
    // The slot's row is locked first: two restores (or an upload) cannot both fill it.
    const free = slotId
      ? (await trx.selectFrom('slot').select('id').where('id', '=', slotId).forUpdate().executeTakeFirst()) &&
        !(await trx.selectFrom('item').select('id').where('slot_id', '=', slotId).executeTakeFirst())
      : false;
    await trx
      .updateTable('item')
      .set({
        removed_at: null,
        removed_by: null,
        removed_from_slot_id: null,
        slot_id: free ? slotId : null,
        updated_at: new Date(),
      })
      .where('id', '=', item.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'item.restore',
      objectType: 'item',
      objectId: item.id,
      ip: actor.ip,
      data: { title: item.title, slotId: free ? slotId : null },
    });
    return { intoSlot: Boolean(free) };
  });
}

/** A file of a live item in a cabinet the user edits (locked), removed or not as asked; not_found otherwise. */
async function editableFile(trx: Transaction<Database>, user: Principal, fileId: string, removed: boolean) {
  if (!isUuid(fileId)) throw new AppError('not_found');
  const file = await trx
    .selectFrom('media_file as f')
    .innerJoin('item', 'item.id', 'f.item_id')
    .select(['f.id', 'f.original_name', 'f.item_id', 'f.deleted_at', 'f.replaced_by_file_id', 'item.cabinet_id'])
    .where('f.id', '=', fileId)
    .where('f.deleted_at', removed ? 'is not' : 'is', null)
    .where('f.objects_purged_at', 'is', null)
    .where('item.removed_at', 'is', null)
    .forUpdate('f')
    .executeTakeFirst();
  if (!file) throw new AppError('not_found');
  await requireEditor(trx, user, file.cabinet_id);
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

/** Restores a removed file into its item. A replaced version is history, not restored this way. */
export async function restoreFile(db: Db, actor: Actor, fileId: string, retentionMs: number, now = new Date()) {
  await db.transaction().execute(async (trx) => {
    const file = await editableFile(trx, actor.user, fileId, true);
    if (file.replaced_by_file_id) throw new AppError('not_found');
    requireRestorable(file.deleted_at, retentionMs, now);
    await trx.updateTable('media_file').set({ deleted_at: null, deleted_by: null }).where('id', '=', file.id).execute();
    await trx.updateTable('item').set({ updated_at: new Date() }).where('id', '=', file.item_id).execute();
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
  await requireEditor(db, user, cabinetId);
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
