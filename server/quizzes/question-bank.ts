// A cabinet's question bank: import from GIFT or Aiken (all the good questions in one transaction,
// with a report of the rest), list, export to GIFT. Only the cabinet's instructor: a bank holds
// the answers.
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Principal, type Actor } from '../auth/permissions.ts';
import { loadCabinetScope } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { decodeText } from '../text/decode-text.ts';
import {
  exportGift,
  importAiken,
  importGift,
  type ImportProblem,
  type ImportResult,
  type QuestionDraft,
} from './question-formats.ts';

export type BankFormat = 'gift' | 'aiken';
export const MAX_BANK_FILE_BYTES = 2 * 1024 * 1024;

async function ownBank(db: Db, user: Principal | null, cabinetId: string): Promise<void> {
  const scope = await loadCabinetScope(db, cabinetId);
  if (!scope) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'cabinet.edit', scope);
}

/** How a bank's text is parsed: on the services' text pool (a worker thread) in the app, in place in tests. */
export type ParseBank = (format: BankFormat, text: string) => Promise<ImportResult>;
const parseInPlace: ParseBank = async (format, text) => (format === 'gift' ? importGift(text) : importAiken(text));

export async function importQuestions(
  db: Db,
  actor: Actor,
  cabinetId: string,
  format: BankFormat,
  bytes: Uint8Array,
  parse: ParseBank = parseInPlace,
): Promise<{ imported: number; problems: ImportProblem[] }> {
  await ownBank(db, actor.user, cabinetId);
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_BANK_FILE_BYTES)
    throw new AppError('invalid_input', 'quiz.import.file_size');
  const text = decodeText(bytes);
  if (text === null) throw new AppError('invalid_input', 'quiz.import.not_text');
  const { questions, problems } = await parse(format, text);
  if (questions.length) {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('question')
        .values(
          questions.map((q) => ({
            cabinet_id: cabinetId,
            kind: q.data.kind,
            title: q.title,
            stem: q.stem,
            data: JSON.stringify(q.data),
            created_by: actor.user.id,
          })),
        )
        .execute();
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: 'question.import',
        objectType: 'cabinet',
        objectId: cabinetId,
        ip: actor.ip,
        data: { format, imported: questions.length, problems: problems.length },
      });
    });
  }
  return { imported: questions.length, problems };
}

export async function listQuestions(
  db: Db,
  user: Principal | null,
  cabinetId: string,
): Promise<(QuestionDraft & { id: string; hasImage: boolean })[]> {
  await ownBank(db, user, cabinetId);
  const rows = await db
    .selectFrom('question')
    .select(['id', 'title', 'stem', 'data', 'image_key'])
    .where('cabinet_id', '=', cabinetId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    stem: row.stem,
    data: row.data,
    hasImage: row.image_key !== null,
  }));
}

export async function exportQuestions(db: Db, user: Principal | null, cabinetId: string): Promise<string> {
  return exportGift(await listQuestions(db, user, cabinetId));
}
