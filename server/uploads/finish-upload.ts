// A complete upload: its content checked again whole, copied into media storage, and recorded (a
// file of a cabinet's item, queued for processing when it is a lecture, or a student's draft).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import type { Selectable, Transaction } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordSubmissionFile } from '../assignments/assignments.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { slotItemId } from '../cabinets/items.ts';
import { AppError, isAppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { storageKeys } from '../storage/media-storage.ts';
import { detectAcceptedType, type DetectedType } from './file-types.ts';
import type { Checksums } from './spool-hasher.ts';
import { removeSpooled, spoolPaths } from './upload-spool.ts';
import { discardUpload, refuseContent, type UploadDeps } from './uploads.ts';

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
  if (row.replaces_file_id) await keepAsVersion(trx, row.replaces_file_id, mediaFileId, row.user_id, ip);
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

/** The file a new version replaces leaves the item, kept as its history (restorable within the retention). */
async function keepAsVersion(
  trx: Transaction<Database>,
  replacedId: string,
  newId: string,
  userId: string,
  ip: string | null,
): Promise<void> {
  const replaced = await trx
    .updateTable('media_file')
    .set({ deleted_at: new Date(), deleted_by: userId, replaced_by_file_id: newId })
    .where('id', '=', replacedId)
    .where('deleted_at', 'is', null)
    .returning('original_name')
    .executeTakeFirst();
  // Removed meanwhile: the new file simply joins the item.
  if (!replaced) return;
  await recordAudit(trx, {
    actorId: userId,
    action: 'file.replace',
    objectType: 'media_file',
    objectId: replacedId,
    ip,
    data: { by: newId, name: replaced.original_name },
  });
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

function titleFromName(fileName: string): string {
  const base = fileName
    .replace(/\.[A-Za-z0-9]{1,8}$/, '')
    .replace(/[_]+/g, ' ')
    .trim();
  return (base || fileName).slice(0, 200);
}
