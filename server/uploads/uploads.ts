// Uploads from start to record: who may send what where, and the checked move into media storage.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import { sql, type Selectable, type Transaction } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Database, FileKind } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid, loadCabinetScope } from '../cabinets/scope.ts';
import { uploadScope } from './upload-scope.ts';
import { slotItemId } from '../cabinets/items.ts';
import { checkSubmissionUpload, recordSubmissionFile } from '../assignments/assignments.ts';
import { AppError, isAppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { storageKeys, type MediaStorage } from '../storage/media-storage.ts';
import { detectAcceptedType, detectAcceptedTypeOfHead, kindByName, type DetectedType } from './file-types.ts';
import type { Checksums } from './spool-hasher.ts';
import { removeSpooled, spoolPaths, uploadIdPattern } from './upload-spool.ts';

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
    filename: z.string().trim().min(1).max(255),
  })
  // A new extra item is created first (with its request key); an upload goes into a slot, an item or an assignment.
  .refine((value) => [value.slotId, value.itemId, value.assignmentId].filter(Boolean).length === 1, {
    message: 'a slot, an item or an assignment, one of them',
  });

export function limitFor(kind: FileKind, limits: UploadLimits): number {
  return kind === 'video' || kind === 'audio' ? limits.video : limits.document;
}

const asMiB = (bytes: number) => Math.round(bytes / 1024 / 1024);

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
  if (target.assignmentId) {
    // A student's file: the assignment's own rules (window, types, size, number of files).
    const rules = await checkSubmissionUpload(db, user, target.assignmentId, {
      name: target.filename,
      size: input.size,
    });
    if (rules.cabinetId !== target.cabinetId) throw new AppError('not_found');
  } else {
    const cabinet = await loadCabinetScope(db, target.cabinetId);
    if (!cabinet) throw new AppError('not_found');
    requirePermission(user, 'cabinet.edit', cabinet);
  }

  const kind = kindByName(target.filename);
  if (!kind) throw new AppError('unsupported_type', 'upload.type_not_allowed', { name: target.filename });
  const limit = limitFor(kind, input.limits);
  if (input.size > limit) throw new AppError('upload_too_large', 'upload.too_large', { limit: asMiB(limit) });

  if (target.slotId) {
    const slot = await db
      .selectFrom('slot')
      .select('id')
      .where('id', '=', target.slotId)
      .where('cabinet_id', '=', target.cabinetId)
      .executeTakeFirst();
    if (!slot) throw new AppError('not_found');
  }
  if (target.itemId) {
    const item = await db
      .selectFrom('item')
      .select('id')
      .where('id', '=', target.itemId)
      .where('cabinet_id', '=', target.cabinetId)
      .executeTakeFirst();
    if (!item) throw new AppError('not_found');
  }
  const size = input.size;
  await db.transaction().execute(async (trx) => {
    // One person's new uploads are counted one at a time: parallel requests cannot all pass the count.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`upload:${user.id}`}, 0))`.execute(trx);
    const open = await trx
      .selectFrom('upload')
      .select((eb) => [eb.fn.countAll<string>().as('n'), sql<string>`coalesce(sum(declared_size), 0)`.as('bytes')])
      .where('user_id', '=', user.id)
      .where('finished_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(open.n) >= input.limits.openPerPerson)
      throw new AppError('too_many_requests', 'upload.too_many_open', { max: input.limits.openPerPerson });
    if (Number(open.bytes) + size > input.limits.openBytesPerPerson) {
      throw new AppError('too_many_requests', 'upload.too_much_open', {
        gib: Number((input.limits.openBytesPerPerson / 1024 ** 3).toFixed(2)),
      });
    }
    await trx
      .insertInto('upload')
      .values({
        id: input.uploadId,
        user_id: user.id,
        cabinet_id: target.cabinetId,
        slot_id: target.slotId ?? null,
        item_id: target.itemId ?? null,
        assignment_id: target.assignmentId ?? null,
        file_name: target.filename,
        file_kind: kind,
        declared_size: size,
      })
      .execute();
  });
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

/** sha256 and CRC-32 of a file, in one read (when the spool hasher did not follow the upload). */
export async function checksumsOf(filePath: string): Promise<Checksums> {
  const hash = createHash('sha256');
  let crc32 = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    crc32 = zlib.crc32(chunk as Buffer, crc32);
  }
  return { sha256: hash.digest('hex'), crc32 };
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
async function refuseContent(
  deps: Pick<UploadDeps, 'db' | 'spoolDir'>,
  uploadId: string,
  fileName: string,
): Promise<never> {
  await discardUpload(deps, uploadId);
  throw new AppError('unsupported_type', 'upload.content_not_allowed', { name: fileName });
}

export type FinishedUpload = { mediaFileId: string; itemId: string } | { submissionFileId: string };

/** What is known of a complete upload once its content is checked and stored. */
type Stored = {
  row: Selectable<Database['upload']>;
  mediaFileId: string;
  key: string;
  bytes: number;
  sha256: string;
  crc32: number;
  detected: DetectedType;
  ip: string | null;
};

/** What an upload was recorded as, if it already was (a second finish of the same upload). */
async function alreadyRecorded(db: Db, uploadId: string): Promise<FinishedUpload | null> {
  const recorded = await db
    .selectFrom('media_file')
    .select(['id', 'item_id'])
    .where('upload_id', '=', uploadId)
    .executeTakeFirst();
  if (recorded) return { mediaFileId: recorded.id, itemId: recorded.item_id };
  const recordedForSubmission = await db
    .selectFrom('submission_file')
    .select('id')
    .where('upload_id', '=', uploadId)
    .executeTakeFirst();
  return recordedForSubmission ? { submissionFileId: recordedForSubmission.id } : null;
}

/** A student's file, a draft of their submission. */
async function recordSubmissionUpload(
  trx: Transaction<Database>,
  { row, mediaFileId, key, bytes, sha256, crc32, detected, ip }: Stored,
  assignmentId: string,
): Promise<FinishedUpload> {
  await recordSubmissionFile(trx, {
    id: mediaFileId,
    assignment_id: assignmentId,
    student_id: row.user_id,
    upload_id: row.id,
    storage_key: key,
    original_name: row.file_name,
    byte_size: bytes,
    sha256,
    crc32,
    content_type: detected.contentType,
  });
  await trx.updateTable('upload').set({ finished_at: new Date() }).where('id', '=', row.id).execute();
  await recordAudit(trx, {
    actorId: row.user_id,
    action: 'submission.file',
    objectType: 'submission_file',
    objectId: mediaFileId,
    ip,
    data: { assignmentId, name: row.file_name, bytes, sha256 },
  });
  return { submissionFileId: mediaFileId };
}

/** A file of a cabinet's item (in a slot, the slot's item, made if need be); a lecture is queued for processing. */
async function recordItemFile(
  trx: Transaction<Database>,
  queue: JobQueue,
  { row, mediaFileId, key, bytes, sha256, detected, ip }: Stored,
): Promise<FinishedUpload> {
  const itemId =
    row.item_id ?? (row.slot_id ? await slotItemId(trx, row.slot_id, titleFromName(row.file_name), row.user_id) : null);
  if (!itemId) throw new Error(`Upload ${row.id} has no target`);
  // Lectures, video or audio only, are turned into HLS by the worker.
  const toProcess = detected.kind === 'video' || detected.kind === 'audio';
  await trx
    .insertInto('media_file')
    .values({
      id: mediaFileId,
      item_id: itemId,
      upload_id: row.id,
      storage_key: key,
      original_name: row.file_name,
      byte_size: bytes,
      sha256,
      content_type: detected.contentType,
      file_kind: detected.kind,
      processing_state: toProcess ? 'awaiting' : 'none',
      created_by: row.user_id,
    })
    .execute();
  await trx.updateTable('upload').set({ finished_at: new Date() }).where('id', '=', row.id).execute();
  await trx.updateTable('item').set({ updated_at: new Date() }).where('id', '=', itemId).execute();
  if (toProcess) await queue.enqueue(trx, 'transcode-video', { mediaFileId });
  await recordAudit(trx, {
    actorId: row.user_id,
    action: 'file.upload',
    objectType: 'media_file',
    objectId: mediaFileId,
    ip,
    data: { itemId, name: row.file_name, bytes, sha256 },
  });
  return { mediaFileId, itemId };
}

/**
 * Checks the content of a complete upload, copies it into media storage and records it with its
 * job in one transaction. Running it twice for one upload records one file.
 */
export async function finishUpload(
  deps: UploadDeps,
  uploadId: string,
  /** `checksums`: the spool hasher's, computed off this thread while the bytes arrived. */
  known: { ip?: string | null; checksums?: () => Promise<Checksums> } = {},
): Promise<FinishedUpload> {
  const { db, storage, queue, spoolDir } = deps;
  const row = await db.selectFrom('upload').selectAll().where('id', '=', uploadId).executeTakeFirst();
  if (!row) throw new AppError('not_found');
  const recorded = await alreadyRecorded(db, uploadId);
  if (recorded) return recorded;

  const { data } = spoolPaths(spoolDir, uploadId);
  const detected = await detectAcceptedType(data, row.file_name);
  if (!detected || detected.kind !== row.file_kind) return refuseContent(deps, uploadId, row.file_name);
  const digest = known.checksums ? known.checksums().catch(() => checksumsOf(data)) : checksumsOf(data);
  const [{ sha256, crc32 }, stat] = await Promise.all([digest, fs.stat(data)]);
  const mediaFileId = randomUUID();
  const key = storageKeys.original(mediaFileId, detected.extension);
  await storage.putFile(key, data, detected.contentType);
  const stored: Stored = { row, mediaFileId, key, bytes: stat.size, sha256, crc32, detected, ip: known.ip ?? null };

  let result: FinishedUpload;
  try {
    const assignmentId = row.assignment_id;
    result = await db
      .transaction()
      .execute((trx) =>
        assignmentId ? recordSubmissionUpload(trx, stored, assignmentId) : recordItemFile(trx, queue, stored),
      );
  } catch (error) {
    // Nothing recorded: no orphan object either. The spool copy stays, so the upload is not lost
    // (unless it was refused for good).
    await storage.remove(key);
    if (isAppError(error)) await discardUpload(deps, uploadId);
    throw error;
  }
  await removeSpooled(spoolDir, uploadId);
  return result;
}

/** The client terminated an upload (tus DELETE): forget it unless it was already recorded. */
export async function forgetUpload(db: Db, uploadId: string): Promise<void> {
  await db.deleteFrom('upload').where('id', '=', uploadId).where('finished_at', 'is', null).execute();
}

function titleFromName(fileName: string): string {
  const base = fileName
    .replace(/\.[A-Za-z0-9]{1,8}$/, '')
    .replace(/[_]+/g, ' ')
    .trim();
  return (base || fileName).slice(0, 200);
}
