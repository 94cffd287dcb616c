// Items: what an instructor delivers into a slot (or as an extra), and who may see their files.
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Database, ItemStatus, MediaFile } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type CabinetScope, type Principal, type Actor } from '../auth/permissions.ts';
import { tellPublished } from '../notices/notices.ts';
import { AppError } from '../errors.ts';
import { isUuid, loadCabinetScope } from './scope.ts';

export const itemFieldsSchema = z.object({
  title: z.string().trim().min(1, 'item.title_required').max(200, 'item.title_too_long'),
  description: z.string().trim().max(5000, 'item.description_too_long').default(''),
});
export type ItemFields = z.infer<typeof itemFieldsSchema>;

/** The cabinet's scope when the user may edit it; not_found or forbidden otherwise. */
export async function editableCabinet(
  db: Kysely<Database>,
  user: Principal | null,
  cabinetId: string,
): Promise<CabinetScope> {
  const scope = await loadCabinetScope(db, cabinetId);
  if (!scope) throw new AppError('not_found');
  requirePermission(user, 'cabinet.edit', scope);
  return scope;
}

async function loadItem(db: Kysely<Database>, itemId: string) {
  if (!isUuid(itemId)) return null;
  // A removed item is not edited; it is restored first (removal.ts).
  return (
    db.selectFrom('item').selectAll().where('id', '=', itemId).where('removed_at', 'is', null).executeTakeFirst() ??
    null
  );
}

/** Creates an extra item; the same `requestKey` again (a double submit) returns the first item. */
export async function createExtraItem(
  db: Db,
  actor: Actor,
  cabinetId: string,
  fields: ItemFields,
  requestKey?: string,
): Promise<string> {
  await editableCabinet(db, actor.user, cabinetId);
  return db.transaction().execute(async (trx) => {
    const item = await trx
      .insertInto('item')
      .values({
        cabinet_id: cabinetId,
        title: fields.title,
        description: fields.description,
        created_by: actor.user.id,
        request_key: requestKey ?? null,
      })
      .onConflict((oc) => oc.columns(['cabinet_id', 'request_key']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!item) {
      const existing = await trx
        .selectFrom('item')
        .select('id')
        .where('cabinet_id', '=', cabinetId)
        .where('request_key', '=', requestKey ?? '')
        .executeTakeFirstOrThrow();
      return existing.id;
    }
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'item.create',
      objectType: 'item',
      objectId: item.id,
      ip: actor.ip,
      data: { cabinetId, title: fields.title },
    });
    return item.id;
  });
}

async function editableItem(db: Kysely<Database>, user: Principal | null, itemId: string) {
  const item = await loadItem(db, itemId);
  if (!item) throw new AppError('not_found');
  await editableCabinet(db, user, item.cabinet_id);
  return item;
}

export async function updateItem(db: Db, actor: Actor, itemId: string, fields: ItemFields): Promise<void> {
  await editableItem(db, actor.user, itemId);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('item')
      .set({ title: fields.title, description: fields.description, updated_at: new Date() })
      .where('id', '=', itemId)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'item.update',
      objectType: 'item',
      objectId: itemId,
      ip: actor.ip,
      data: fields,
    });
  });
}

export async function setItemStatus(db: Db, actor: Actor, itemId: string, status: ItemStatus): Promise<void> {
  const item = await editableItem(db, actor.user, itemId);
  if (item.status === status) return; // a double submit changes nothing
  if (status === 'published') {
    // Something to publish: a file, or an assignment or a test students answer.
    const { something } = await db
      .selectNoFrom((eb) =>
        eb
          .or([
            eb.exists(
              eb.selectFrom('media_file').select('id').where('item_id', '=', itemId).where('deleted_at', 'is', null),
            ),
            eb.exists(eb.selectFrom('assignment').select('id').where('item_id', '=', itemId)),
            eb.exists(eb.selectFrom('quiz').select('id').where('item_id', '=', itemId)),
          ])
          .as('something'),
      )
      .executeTakeFirstOrThrow();
    if (!something) throw new AppError('invalid_input', 'item.publish_needs_file');
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('item')
      .set({ status, published_at: status === 'published' ? new Date() : null, updated_at: new Date() })
      .where('id', '=', itemId)
      .execute();
    if (status === 'published') await tellPublished(trx, itemId);
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: `item.${status === 'published' ? 'publish' : 'unpublish'}`,
      objectType: 'item',
      objectId: itemId,
      ip: actor.ip,
    });
  });
}

/** The item of a slot, created (as a draft titled after the slot) by its first upload. */
export async function slotItemId(
  trx: Transaction<Database>,
  slotId: string,
  title: string,
  userId: string,
): Promise<string> {
  const slot = await trx
    .selectFrom('slot')
    .select(['id', 'cabinet_id'])
    .where('id', '=', slotId)
    .executeTakeFirstOrThrow();
  const inserted = await trx
    .insertInto('item')
    .values({ cabinet_id: slot.cabinet_id, slot_id: slot.id, title, created_by: userId })
    .onConflict((oc) => oc.column('slot_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const existing = await trx.selectFrom('item').select('id').where('slot_id', '=', slotId).executeTakeFirstOrThrow();
  return existing.id;
}

export type FileInCabinet = {
  file: MediaFile;
  cabinet: CabinetScope;
  cabinetId: string;
  status: ItemStatus;
  title: string;
};

/** A live file with its item and where its cabinet sits (for the permission module), or null. */
export async function loadFileInCabinet(db: Db, fileId: string): Promise<FileInCabinet | null> {
  if (!isUuid(fileId)) return null;
  const file = await db
    .selectFrom('media_file')
    .selectAll()
    .where('id', '=', fileId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!file) return null;
  const item = await db
    .selectFrom('item')
    .select(['cabinet_id', 'status', 'title'])
    .where('id', '=', file.item_id)
    .where('removed_at', 'is', null)
    .executeTakeFirst();
  if (!item) return null;
  const cabinet = await loadCabinetScope(db, item.cabinet_id);
  return cabinet ? { file, cabinet, cabinetId: item.cabinet_id, status: item.status, title: item.title } : null;
}

/** A file as the downloader may get it, or not_found when this user may not see it. */
export async function fileForDownload(db: Db, user: Principal | null, fileId: string): Promise<MediaFile> {
  const found = await loadFileInCabinet(db, fileId);
  if (!found) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'item.view', { cabinet: found.cabinet, status: found.status });
  return found.file;
}
