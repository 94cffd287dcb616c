// "Copy from a previous term": the instructor picks one of their earlier cabinets for the same
// subject; its items go into the same slots of the new cabinet (or stay extras), with their files,
// captions, assignments and tests (dates moved by the distance between the terms), and its question
// bank. Stored objects are shared, never copied; everything copied remembers its origin.
import { sql, type Kysely } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Principal, type Actor } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import { isUuid, loadCabinetScope } from './scope.ts';
import { copyItems, type Moved } from './copy-items.ts';

export type ReuseSource = {
  cabinetId: string;
  academicYear: string;
  semester: number;
  items: number;
  questions: number;
};
export type CopyResult = { items: number; files: number; questions: number; skipped: number };

/** The cabinet's instructor × subject × term, for finding its earlier cabinets. */
const cabinetContext = (db: Kysely<Database>, cabinetId: string) =>
  db
    .selectFrom('cabinet')
    .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
    .innerJoin('term', 'term.id', 'ta.term_id')
    .select([
      'cabinet.id',
      'ta.instructor_id',
      'ta.subject_id',
      'term.id as term_id',
      'term.starts_on',
      'term.time_zone',
    ])
    .where('cabinet.id', '=', cabinetId)
    .executeTakeFirst();

async function ownCabinet(db: Kysely<Database>, user: Principal | null, cabinetId: string) {
  const scope = isUuid(cabinetId) ? await loadCabinetScope(db, cabinetId) : null;
  if (!scope) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'cabinet.edit', scope);
  return (await cabinetContext(db, cabinetId))!;
}

type Target = NonNullable<Awaited<ReturnType<typeof cabinetContext>>>;

/** The same instructor's cabinets for the same subject in earlier terms, latest first (no permission check: callers own the target). */
async function earlierCabinets(db: Kysely<Database>, target: Target) {
  const rows = await db
    .selectFrom('cabinet')
    .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
    .innerJoin('term', 'term.id', 'ta.term_id')
    .select((eb) => [
      'cabinet.id',
      'term.academic_year',
      'term.semester',
      'term.starts_on',
      eb
        .selectFrom('item')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('item.cabinet_id', '=', 'cabinet.id')
        .where('item.removed_at', 'is', null)
        .as('items'),
      eb
        .selectFrom('question')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('question.cabinet_id', '=', 'cabinet.id')
        .as('questions'),
    ])
    .where('ta.instructor_id', '=', target.instructor_id)
    .where('ta.subject_id', '=', target.subject_id)
    .where('term.starts_on', '<', target.starts_on)
    .orderBy('term.starts_on', 'desc')
    .execute();
  return rows.map((row) => ({
    cabinetId: row.id,
    academicYear: row.academic_year,
    semester: row.semester,
    startsOn: row.starts_on,
    items: Number(row.items ?? 0),
    questions: Number(row.questions ?? 0),
  }));
}

/** What the instructor may copy into this cabinet. */
export async function reuseSources(db: Db, user: Principal | null, cabinetId: string): Promise<ReuseSource[]> {
  const sources = await earlierCabinets(db, await ownCabinet(db, user, cabinetId));
  return sources.map(({ startsOn: _startsOn, ...source }) => source);
}

/**
 * Copies an earlier cabinet into this one, in one transaction. A slot that already holds an item
 * keeps it (the copy for that slot is skipped and counted); files still processing or failed there
 * are left out. Copies are drafts: the instructor checks the dates and publishes.
 */
export async function copyFromPreviousTerm(
  db: Db,
  actor: Actor,
  cabinetId: string,
  sourceCabinetId: string,
): Promise<CopyResult> {
  const target = await ownCabinet(db, actor.user, cabinetId);
  const source = (await earlierCabinets(db, target)).find((candidate) => candidate.cabinetId === sourceCabinetId);
  if (!source) throw new AppError('not_found');
  // Dates move by whole days between the terms' starts, on the wall clock of the new term's zone.
  const days = Math.round((Date.parse(target.starts_on) - Date.parse(source.startsOn)) / 86_400_000);
  const moved: Moved = (column) =>
    sql<Date>`(((${sql.ref(column)} at time zone ${target.time_zone}) + make_interval(days => ${days})) at time zone ${target.time_zone})`;

  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .insertInto('cabinet_copy')
      .values({
        target_cabinet_id: cabinetId,
        source_cabinet_id: sourceCabinetId,
        copied_by: actor.user.id,
        items: 0,
        questions: 0,
      })
      .onConflict((oc) => oc.column('target_cabinet_id').doNothing())
      .returning('target_cabinet_id')
      .executeTakeFirst();
    if (!claimed) throw new AppError('conflict', 'reuse.already_copied');

    const result = await copyItems(trx, { cabinetId, sourceCabinetId, actorId: actor.user.id, moved });
    const questions = await sql`
      insert into question (cabinet_id, kind, title, stem, data, image_key, image_type, created_by, copied_from_question_id)
      select ${cabinetId}, kind, title, stem, data, image_key, image_type, ${actor.user.id}, id from question where cabinet_id = ${sourceCabinetId} order by seq`.execute(
      trx,
    );
    result.questions = Number(questions.numAffectedRows ?? 0);
    await trx
      .updateTable('cabinet_copy')
      .set({ items: result.items, questions: result.questions })
      .where('target_cabinet_id', '=', cabinetId)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'cabinet.copy',
      objectType: 'cabinet',
      objectId: cabinetId,
      ip: actor.ip,
      data: { sourceCabinetId, ...result },
    });
    return result;
  });
}
