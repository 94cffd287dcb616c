// Uploads from start to record: who may send what where, and the checked move into media storage.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { FileKind } from '../../db/schema.ts';
import { requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid, loadCabinetScope } from '../cabinets/scope.ts';
import { uploadScope } from './upload-scope.ts';
import { checkSubmissionUpload } from '../assignments/assignments.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { type MediaStorage } from '../storage/media-storage.ts';
import { detectAcceptedTypeOfHead } from './file-types.ts';
import { kindByName, refusalFor } from '../common/file-kinds.ts';
import { removeSpooled, uploadIdPattern } from './upload-spool.ts';

export type UploadLimits = { video: number; document: number; openPerPerson: number; openBytesPerPerson: number };
export type UploadDeps = { db: Db; storage: MediaStorage; queue: JobQueue; spoolDir: string };

const uuid = z.string().refine(isUuid);
/** The tus `Upload-Metadata` a client sends: where the file goes and what it was called. */
export const uploadMetadataSchema = z
  .object({
    cabinetId: uuid,
    slotId: uuid.optional(),
    itemId: uuid.optional(),
    /** A student's file for an assignment (it stays a draft until they submit). */
    assignmentId: uuid.optional(),
    /** A newer version of this file of the item (`itemId`): on finishing, the old one is kept as history. */
    replacesFileId: uuid.optional(),
    filename: z.string().trim().min(1).max(255),
  })
  // A new extra item is created first (with its request key); an upload goes into a slot, an item or an assignment.
  .refine((value) => [value.slotId, value.itemId, value.assignmentId].filter(Boolean).length === 1, {
    message: 'a slot, an item or an assignment, one of them',
  })
  .refine((value) => !value.replacesFileId || value.itemId, { message: 'a new version goes into its item' });

export function limitFor(kind: FileKind, limits: UploadLimits): number {
  return kind === 'video' || kind === 'audio' ? limits.video : limits.document;
}

const asMiB = (bytes: number) => Math.round(bytes / 1024 / 1024);

type UploadTarget = z.infer<typeof uploadMetadataSchema>;

/** Whether the person may put this file there: the assignment's own rules, or editing the cabinet. */
async function checkTarget(db: Db, user: Principal, target: UploadTarget, size: number): Promise<void> {
  if (target.assignmentId) {
    // A student's file: the assignment's own rules (window, types, size, number of files).
    const rules = await checkSubmissionUpload(db, user, target.assignmentId, { name: target.filename, size });
    if (rules.cabinetId !== target.cabinetId) throw new AppError('not_found');
  } else {
    const cabinet = await loadCabinetScope(db, target.cabinetId);
    if (!cabinet) throw new AppError('not_found');
    requirePermission(user, 'cabinet.edit', cabinet);
  }
}

/**
 * The slot or item the file goes into is one of the cabinet's, and takes this kind of file (a
 * slot's kind decides, for an item in a slot too; an item outside the plan takes any kind).
 */
async function checkPlace(db: Db, target: UploadTarget): Promise<void> {
  if (target.assignmentId) return;
  const place = target.slotId
    ? await db
        .selectFrom('slot')
        .select('kind')
        .where('id', '=', target.slotId)
        .where('cabinet_id', '=', target.cabinetId)
        .executeTakeFirst()
    : await db
        .selectFrom('item')
        .leftJoin('slot', 'slot.id', 'item.slot_id')
        .select('slot.kind')
        .where('item.id', '=', target.itemId ?? '')
        .where('item.cabinet_id', '=', target.cabinetId)
        .where('item.removed_at', 'is', null)
        .executeTakeFirst();
  if (!place) throw new AppError('not_found');
  if (target.replacesFileId) {
    const replaced = await db
      .selectFrom('media_file')
      .select('id')
      .where('id', '=', target.replacesFileId)
      .where('item_id', '=', target.itemId ?? '')
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!replaced) throw new AppError('not_found');
  }
  const refusal = refusalFor(target.filename, place.kind);
  if (refusal) throw new AppError('unsupported_type', refusal, { name: target.filename });
}

/** Records the upload, within the person's limits on open uploads (counted one request at a time). */
async function recordUpload(
  db: Db,
  user: Principal,
  upload: { id: string; size: number; kind: FileKind; target: UploadTarget; limits: UploadLimits },
): Promise<void> {
  const { id, size, kind, target, limits } = upload;
  await db.transaction().execute(async (trx) => {
    // One person's new uploads are counted one at a time: parallel requests cannot all pass the count.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`upload:${user.id}`}, 0))`.execute(trx);
    const open = await trx
      .selectFrom('upload')
      .select((eb) => [eb.fn.countAll<string>().as('n'), sql<string>`coalesce(sum(declared_size), 0)`.as('bytes')])
      .where('user_id', '=', user.id)
      .where('finished_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(open.n) >= limits.openPerPerson)
      throw new AppError('too_many_requests', 'upload.too_many_open', { max: limits.openPerPerson });
    if (Number(open.bytes) + size > limits.openBytesPerPerson) {
      throw new AppError('too_many_requests', 'upload.too_much_open', {
        gib: Number((limits.openBytesPerPerson / 1024 ** 3).toFixed(2)),
      });
    }
    await trx
      .insertInto('upload')
      .values({
        id,
        user_id: user.id,
        cabinet_id: target.cabinetId,
        slot_id: target.slotId ?? null,
        item_id: target.itemId ?? null,
        assignment_id: target.assignmentId ?? null,
        replaces_file_id: target.replacesFileId ?? null,
        file_name: target.filename,
        file_kind: kind,
        declared_size: size,
      })
      .execute();
  });
}

/** Checks a new upload before a byte is stored and records who is sending it where. */
export async function beginUpload(
  db: Db,
  user: Principal | null,
  input: {
    uploadId: string;
    size: number | undefined;
    metadata: Record<string, string | null | undefined> | undefined;
    limits: UploadLimits;
  },
): Promise<void> {
  if (!user) throw new AppError('unauthorized');
  const parsed = uploadMetadataSchema.safeParse(input.metadata ?? {});
  if (!parsed.success) throw new AppError('invalid_upload', 'upload.bad_metadata');
  const target = parsed.data;
  if (input.size === undefined) throw new AppError('invalid_upload', 'upload.length_required');
  if (input.size <= 0) throw new AppError('invalid_upload', 'upload.empty');
  const size = input.size;
  await checkTarget(db, user, target, size);
  const kind = kindByName(target.filename);
  if (!kind) throw new AppError('unsupported_type', 'upload.type_not_allowed', { name: target.filename });
  const limit = limitFor(kind, input.limits);
  if (size > limit) throw new AppError('upload_too_large', 'upload.too_large', { limit: asMiB(limit) });
  await checkPlace(db, target);
  await recordUpload(db, user, { id: input.uploadId, size, kind, target, limits: input.limits });
}

/**
 * Every later request on an upload (HEAD, PATCH, DELETE, GET) must come from its owner. The user
 * and the upload are looked up at once: a large upload sends many PATCH requests.
 */
export async function authorizeUploadRequest<U extends Principal>(
  db: Db,
  findUser: () => Promise<U | null>,
  uploadId: string | undefined,
  method: string,
): Promise<U> {
  const validId = uploadId && uploadIdPattern.test(uploadId) ? uploadId : null;
  const [user, row] = await Promise.all([findUser(), validId ? uploadScope(db, validId) : null]);
  if (!user) throw new AppError('unauthorized');
  if (!validId || !row) throw new AppError('not_found');
  requirePermission(user, 'upload.continue', {
    ownerId: row.ownerId,
    cabinet: row.cabinet,
    forSubmission: row.forSubmission,
  });
  if (method === 'PATCH' && Date.now() - row.lastActivityAt.getTime() > 60_000) {
    await db.updateTable('upload').set({ last_activity_at: new Date() }).where('id', '=', validId).execute();
  }
  return user;
}

/** Drops an upload that will never be recorded: its spool files and its row. */
export async function discardUpload(deps: Pick<UploadDeps, 'db' | 'spoolDir'>, uploadId: string): Promise<void> {
  await removeSpooled(deps.spoolDir, uploadId);
  await deps.db.deleteFrom('upload').where('id', '=', uploadId).where('finished_at', 'is', null).execute();
}

/**
 * The content check on the first bytes of an upload, as soon as they arrive (issue 17): a wrong
 * 8 GiB file is refused, and discarded, after its first HEAD_BYTES instead of after its last byte.
 * The check of the complete file still runs at the end.
 */
export async function checkArrivingContent(
  deps: Pick<UploadDeps, 'db' | 'spoolDir'>,
  uploadId: string,
  head: Buffer,
): Promise<void> {
  const row = await deps.db
    .selectFrom('upload')
    .select(['file_name', 'file_kind'])
    .where('id', '=', uploadId)
    .where('finished_at', 'is', null)
    .executeTakeFirst();
  if (!row) return;
  const detected = await detectAcceptedTypeOfHead(head, row.file_name);
  if (!detected || detected.kind !== row.file_kind) await refuseContent(deps, uploadId, row.file_name);
}

/** An upload whose bytes are not what its name says: discarded, and refused (415). */
export async function refuseContent(
  deps: Pick<UploadDeps, 'db' | 'spoolDir'>,
  uploadId: string,
  fileName: string,
): Promise<never> {
  await discardUpload(deps, uploadId);
  throw new AppError('unsupported_type', 'upload.content_not_allowed', { name: fileName });
}

/** The client terminated an upload (tus DELETE): forget it unless it was already recorded. */
export async function forgetUpload(db: Db, uploadId: string): Promise<void> {
  await db.deleteFrom('upload').where('id', '=', uploadId).where('finished_at', 'is', null).execute();
}
