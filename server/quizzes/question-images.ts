// A picture with a bank question (a diagram, a formula, a map): PNG, JPEG, GIF or WebP by its bytes
// (never SVG), at most 5 MB, kept in media storage. The instructor sees it in the bank; a student sees
// it only in an attempt that drew the question; the staff above, in the attempts they may review.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Principal, type Actor } from '../auth/permissions.ts';
import { isUuid, loadCabinetScope } from '../cabinets/scope.ts';
import type { StoredFile } from '../media/file-response.ts';
import { storageKeys, type MediaStorage } from '../storage/media-storage.ts';
import { AppError } from '../errors.ts';
import type { AttemptQuestion } from './grading.ts';
import { loadQuiz } from './quizzes.ts';

export const MAX_QUESTION_IMAGE_BYTES = 5 * 1024 * 1024;
const imageTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** The question, for its cabinet's instructor only (a bank holds the answers). */
/** A question of a bank the user may edit (its cabinet's instructor); "not found" for anyone else. */
export async function ownQuestion(db: Db, user: Principal | null, questionId: string) {
  const question = isUuid(questionId)
    ? await db
        .selectFrom('question')
        .select(['id', 'cabinet_id', 'image_key', 'image_type'])
        .where('id', '=', questionId)
        .executeTakeFirst()
    : undefined;
  const scope = question ? await loadCabinetScope(db, question.cabinet_id) : null;
  if (!question || !scope) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'cabinet.edit', scope);
  return question;
}

export async function setQuestionImage(
  db: Db,
  storage: MediaStorage,
  actor: Actor,
  questionId: string,
  bytes: Uint8Array,
): Promise<void> {
  const question = await ownQuestion(db, actor.user, questionId);
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_QUESTION_IMAGE_BYTES)
    throw new AppError('invalid_input', 'quiz.image_size');
  const type = await fileTypeFromBuffer(bytes);
  if (!type || !imageTypes.has(type.mime)) throw new AppError('unsupported_type', 'quiz.image_type');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const key = storageKeys.questionImage(question.id, sha256, type.ext);
  const temp = path.join(os.tmpdir(), `kabinet-image-${randomUUID()}`);
  await fs.writeFile(temp, bytes);
  try {
    await storage.putFile(key, temp, type.mime);
  } finally {
    await fs.rm(temp, { force: true });
  }
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('question')
        .set({ image_key: key, image_type: type.mime })
        .where('id', '=', question.id)
        .execute();
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: 'question.image',
        objectType: 'question',
        objectId: question.id,
        ip: actor.ip,
        data: { type: type.mime, bytes: bytes.byteLength },
      });
    });
  } catch (error) {
    if (key !== question.image_key) await storage.remove(key);
    throw error;
  }
  // The old picture goes unless a copy of the question (another term's bank) still shows it.
  if (question.image_key && question.image_key !== key) {
    const shared = await db
      .selectFrom('question')
      .select('id')
      .where('image_key', '=', question.image_key)
      .executeTakeFirst();
    if (!shared) await storage.remove(question.image_key);
  }
}

const storedImage = async (storage: MediaStorage, key: string, type: string): Promise<StoredFile> => ({
  storage_key: key,
  content_type: type,
  original_name: path.posix.basename(key),
  // The key is named by the content: a fine ETag.
  sha256: path.posix.basename(key).split('.')[0]!,
  byte_size: String((await storage.size(key)) ?? 0),
});

export async function questionImageForBank(
  db: Db,
  storage: MediaStorage,
  user: Principal | null,
  questionId: string,
): Promise<StoredFile> {
  const question = await ownQuestion(db, user, questionId);
  if (!question.image_key || !question.image_type) throw new AppError('not_found');
  return storedImage(storage, question.image_key, question.image_type);
}

/** The picture of the question at `position` in an attempt: for the attempt's student and the staff who may see their work. */
export async function questionImageForAttempt(
  db: Db,
  storage: MediaStorage,
  user: Principal | null,
  attemptId: string,
  position: number,
): Promise<StoredFile> {
  const attempt = isUuid(attemptId)
    ? await db
        .selectFrom('quiz_attempt')
        .select(['quiz_id', 'student_id', 'questions'])
        .where('id', '=', attemptId)
        .executeTakeFirst()
    : undefined;
  const rules = attempt ? await loadQuiz(db, attempt.quiz_id) : null;
  if (!attempt || !rules) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'submission.view', { cabinet: rules.cabinet, studentId: attempt.student_id });
  const drawn = (attempt.questions as AttemptQuestion[])[position];
  if (!drawn?.hasImage) throw new AppError('not_found');
  const question = await db
    .selectFrom('question')
    .select(['image_key', 'image_type'])
    .where('id', '=', drawn.questionId)
    .executeTakeFirst();
  if (!question?.image_key || !question.image_type) throw new AppError('not_found');
  return storedImage(storage, question.image_key, question.image_type);
}
