// Assignments students answer with files: creating one in an assessment slot, the rules a
// submission must keep (window, late policy, files), submitting, grading, and who sees what.
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Insertable, Kysely } from 'kysely';
import type { Database, ItemStatus, LatePolicy, SubmissionFileTable } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type CabinetScope, type Principal, type Actor } from '../auth/permissions.ts';
import { createAssessment, localDateTime, type AssessmentPlace } from '../cabinets/assessment-items.ts';
import { cabinetScopeQuery, isUuid, scopeOf } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { extensionOf, kindByName } from '../common/file-kinds.ts';

const MiB = 1024 * 1024;

/** The instructor's form. Dates are wall-clock times in the term's time zone (`2026-12-01T23:59`). */
export const assignmentFieldsSchema = z.object({
  title: z.string().trim().min(1, 'item.title_required').max(200, 'item.title_too_long'),
  instructions: z.string().trim().max(20_000, 'assignment.instructions_too_long').default(''),
  opensAt: z.union([localDateTime, z.literal('')]).default(''),
  dueAt: localDateTime,
  latePolicy: z.enum(['accept_late', 'refuse']),
  maxScore: z.coerce.number().positive('assignment.bad_score').max(1000, 'assignment.bad_score'),
  allowedExtensions: z
    .string()
    .default('')
    .transform((text) => [
      ...new Set(
        text
          .split(/[\s,;]+/)
          .map((ext) => ext.replace(/^\./, '').toLowerCase())
          .filter(Boolean),
      ),
    ])
    .refine((list) => list.every((ext) => kindByName(`x.${ext}`) !== null), 'assignment.bad_extensions'),
  maxFiles: z.coerce.number().int().min(1, 'assignment.bad_max_files').max(20, 'assignment.bad_max_files'),
  maxFileMib: z.coerce.number().int().min(1, 'assignment.bad_max_size').max(2048, 'assignment.bad_max_size'),
});
export type AssignmentFields = z.infer<typeof assignmentFieldsSchema>;

/** Creates an assignment in an assessment slot or as an extra item (a draft, titled as given). */
export function createAssignment(
  db: Db,
  actor: Actor,
  place: AssessmentPlace,
  fields: AssignmentFields,
): Promise<string> {
  return createAssessment(
    db,
    actor,
    place,
    { kind: 'assignment', title: fields.title, windowMessage: 'assignment.opens_after_due' },
    (trx, itemId, atLocal) =>
      trx
        .insertInto('assignment')
        .values({
          item_id: itemId,
          instructions: fields.instructions,
          opens_at: fields.opensAt ? atLocal(fields.opensAt) : null,
          due_at: atLocal(fields.dueAt),
          late_policy: fields.latePolicy,
          max_score: fields.maxScore,
          allowed_extensions: fields.allowedExtensions,
          max_files: fields.maxFiles,
          max_file_bytes: fields.maxFileMib * MiB,
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
  );
}

export type AssignmentRules = {
  id: string;
  itemId: string;
  title: string;
  status: ItemStatus;
  cabinetId: string;
  cabinet: CabinetScope;
  instructions: string;
  opensAt: Date | null;
  dueAt: Date;
  latePolicy: LatePolicy;
  maxScore: number;
  allowedExtensions: string[];
  maxFiles: number;
  maxFileBytes: number;
  timeZone: string;
};

export async function loadAssignment(db: Db, assignmentId: string): Promise<AssignmentRules | null> {
  if (!isUuid(assignmentId)) return null;
  // The assignment with its item and its cabinet's scope, in one query.
  const row = await cabinetScopeQuery(db)
    .innerJoin('item', (join) => join.onRef('item.cabinet_id', '=', 'cabinet.id').on('item.removed_at', 'is', null))
    .innerJoin('assignment', 'assignment.item_id', 'item.id')
    .select([
      'assignment.id',
      'assignment.item_id',
      'item.title',
      'item.status',
      'item.cabinet_id',
      'assignment.instructions',
      'assignment.opens_at',
      'assignment.due_at',
      'assignment.late_policy',
      'assignment.max_score',
      'assignment.allowed_extensions',
      'assignment.max_files',
      'assignment.max_file_bytes',
    ])
    .where('assignment.id', '=', assignmentId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    itemId: row.item_id,
    title: row.title,
    status: row.status,
    cabinetId: row.cabinet_id,
    cabinet: scopeOf(row),
    instructions: row.instructions,
    opensAt: row.opens_at,
    dueAt: row.due_at,
    latePolicy: row.late_policy,
    maxScore: Number(row.max_score),
    allowedExtensions: row.allowed_extensions,
    maxFiles: row.max_files,
    maxFileBytes: Number(row.max_file_bytes),
    timeZone: row.timeZone,
  };
}

/** Someone who cannot see the assignment is told it does not exist; staff who can are refused. */
function requireSubmitter(user: Principal | null, rules: AssignmentRules): asserts user is Principal {
  requirePermission(user, 'item.view', { cabinet: rules.cabinet, status: rules.status });
  requirePermission(user, 'assignment.submit', { cabinet: rules.cabinet, status: rules.status });
}

/** Refuses when nothing may be handed in now: before it opens, or after the due time under `refuse`. */
export function checkWindow(rules: Pick<AssignmentRules, 'opensAt' | 'dueAt' | 'latePolicy'>, now: Date): void {
  if (rules.opensAt && now < rules.opensAt) throw new AppError('conflict', 'assignment.not_open');
  if (rules.latePolicy === 'refuse' && now > rules.dueAt) throw new AppError('conflict', 'assignment.closed');
}

/**
 * Whether a student may add this file to their draft: the window, the file type, its size and the
 * number of files. Called before a byte is stored.
 */
export async function checkSubmissionUpload(
  db: Db,
  user: Principal,
  assignmentId: string,
  file: { name: string; size: number },
  now = new Date(),
): Promise<AssignmentRules> {
  const rules = await loadAssignment(db, assignmentId);
  if (!rules) throw new AppError('not_found');
  requireSubmitter(user, rules);
  checkWindow(rules, now);
  const extension = extensionOf(file.name);
  const kind = kindByName(file.name);
  if (!kind || (rules.allowedExtensions.length > 0 && !rules.allowedExtensions.includes(extension))) {
    throw new AppError('unsupported_type', 'assignment.type_not_allowed', {
      name: file.name,
      allowed: rules.allowedExtensions.join(', ') || '*',
    });
  }
  if (file.size > rules.maxFileBytes)
    throw new AppError('upload_too_large', 'upload.too_large', { limit: Math.round(rules.maxFileBytes / MiB) });
  requireRoomForFile(await draftIds(db, assignmentId, user.id), rules.maxFiles);
  return rules;
}

/** The student's unsent files for an assignment: their next submission. */
const draftIds = async (db: Kysely<Database>, assignmentId: string, studentId: string) =>
  (
    await db
      .selectFrom('submission_file')
      .select('id')
      .where('assignment_id', '=', assignmentId)
      .where('student_id', '=', studentId)
      .where('submission_id', 'is', null)
      .execute()
  ).map((row) => row.id);

function requireRoomForFile(drafts: string[], maxFiles: number): void {
  if (drafts.length >= maxFiles) throw new AppError('conflict', 'assignment.too_many_files', { count: maxFiles });
}

/** One change at a time to a student's work on an assignment (a double click, parallel uploads). */
const lockStudentWork = (trx: Transaction<Database>, assignmentId: string, studentId: string) =>
  sql`select pg_advisory_xact_lock(hashtext(${`${assignmentId}:${studentId}`}))`.execute(trx);

export type SubmissionFileRow = Omit<Insertable<SubmissionFileTable>, 'submission_id' | 'created_at'> & { id: string };

/**
 * Records a checked and stored upload as a draft file, inside the caller's transaction. Parallel
 * uploads each passed the count when they began, so it holds here again under the lock.
 */
export async function recordSubmissionFile(trx: Transaction<Database>, file: SubmissionFileRow): Promise<void> {
  await lockStudentWork(trx, file.assignment_id, file.student_id);
  const { max_files } = await trx
    .selectFrom('assignment')
    .select('max_files')
    .where('id', '=', file.assignment_id)
    .executeTakeFirstOrThrow();
  requireRoomForFile(await draftIds(trx, file.assignment_id, file.student_id), max_files);
  await trx.insertInto('submission_file').values(file).execute();
}

/**
 * Hands in the student's draft files (and text) as their next version. Late when after the due
 * time; refused then under `refuse`. Resubmitting keeps every earlier version; the latest counts.
 */
export async function submitWork(
  db: Db,
  actor: Actor,
  assignmentId: string,
  text: string,
  now = new Date(),
): Promise<{ version: number; late: boolean }> {
  const rules = await loadAssignment(db, assignmentId);
  if (!rules) throw new AppError('not_found');
  requireSubmitter(actor.user, rules);
  checkWindow(rules, now);
  const late = now > rules.dueAt;
  return db.transaction().execute(async (trx) => {
    // A double click makes one version.
    await lockStudentWork(trx, assignmentId, actor.user.id);
    const drafts = await draftIds(trx, assignmentId, actor.user.id);
    if (drafts.length === 0 && !text.trim()) throw new AppError('invalid_input', 'assignment.nothing_to_submit');
    const last = await trx
      .selectFrom('submission')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('assignment_id', '=', assignmentId)
      .where('student_id', '=', actor.user.id)
      .executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    const submission = await trx
      .insertInto('submission')
      .values({ assignment_id: assignmentId, student_id: actor.user.id, version, text: text.trim(), late })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (drafts.length)
      await trx
        .updateTable('submission_file')
        .set({ submission_id: submission.id })
        .where('id', 'in', drafts)
        .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'assignment.submit',
      objectType: 'submission',
      objectId: submission.id,
      ip: actor.ip,
      data: { assignmentId, version, late, files: drafts.length },
    });
    return { version, late };
  });
}
