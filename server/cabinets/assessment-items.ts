// Where an assessment (an assignment or an online test) goes: an interim-assessment slot of the
// plan, or an extra item of the cabinet. One rule for both kinds, so a slot holds one assessment.
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type CabinetScope, type Principal, type Actor } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import { cabinetScopeQuery, isUuid, scopeOf } from './scope.ts';
import { slotItemId } from './items.ts';

/** A form's date: a wall-clock time in the term's time zone (`2026-12-01T23:59`). */
export const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'assignment.bad_date');

/** That wall-clock time as a moment, converted by Postgres in the term's zone (the browser's never matters). */
export const atWallClock = (local: string, timeZone: string): RawBuilder<Date> =>
  sql<Date>`(${local}::timestamp at time zone ${timeZone})`;

/** A slot of the plan, or (no slot) an extra item of the cabinet. */
export type AssessmentPlace = { cabinetId: string; slotId: string | null };
export type CheckedPlace = AssessmentPlace & { scope: CabinetScope; timeZone: string };

/** The place exists, the user is its cabinet's instructor, and a slot is an assessment slot. */
export async function checkAssessmentPlace(
  db: Kysely<Database>,
  user: Principal,
  place: AssessmentPlace,
): Promise<CheckedPlace> {
  if (!isUuid(place.cabinetId) || (place.slotId !== null && !isUuid(place.slotId))) throw new AppError('not_found');
  const row = place.slotId
    ? await cabinetScopeQuery(db)
        .innerJoin('slot', 'slot.cabinet_id', 'cabinet.id')
        .select(['slot.kind'])
        .where('slot.id', '=', place.slotId)
        .where('cabinet.id', '=', place.cabinetId)
        .executeTakeFirst()
    : await cabinetScopeQuery(db)
        .select(sql<null>`null`.as('kind'))
        .where('cabinet.id', '=', place.cabinetId)
        .executeTakeFirst();
  if (!row) throw new AppError('not_found');
  requirePermission(user, 'submission.grade', scopeOf(row));
  if (place.slotId && row.kind !== 'interim_assessment')
    throw new AppError('invalid_input', 'assignment.not_assessment_slot');
  return { ...place, scope: scopeOf(row), timeZone: row.timeZone };
}

/**
 * The item an assessment is attached to, inside the caller's transaction: the slot's item (titled
 * as given), or a new extra item. Refused when the item holds an assessment already.
 */
export async function assessmentItemId(
  trx: Transaction<Database>,
  place: AssessmentPlace,
  title: string,
  userId: string,
): Promise<string> {
  let itemId: string;
  if (place.slotId) {
    itemId = await slotItemId(trx, place.slotId, title, userId);
    await trx.updateTable('item').set({ title, updated_at: new Date() }).where('id', '=', itemId).execute();
  } else {
    itemId = (
      await trx
        .insertInto('item')
        .values({ cabinet_id: place.cabinetId, title, created_by: userId })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  }
  // Locks the item so that two forms sent at once cannot both attach an assessment.
  await trx.selectFrom('item').select('id').where('id', '=', itemId).forUpdate().execute();
  const [assignment, quiz] = await Promise.all([
    trx.selectFrom('assignment').select('id').where('item_id', '=', itemId).executeTakeFirst(),
    trx.selectFrom('quiz').select('id').where('item_id', '=', itemId).executeTakeFirst(),
  ]);
  if (assignment || quiz) throw new AppError('conflict', 'assignment.exists');
  return itemId;
}

/**
 * Creates an assignment or a test: the place is checked, then in one transaction its item, its
 * row (`insert`, given the item and the form's dates as moments), and the audit event. The table's
 * "opens before it closes" check comes back as `windowMessage`; nothing is left half-written.
 */
export async function createAssessment(
  db: Db,
  actor: Actor,
  place: AssessmentPlace,
  assessment: { kind: 'assignment' | 'quiz'; title: string; windowMessage: string },
  insert: (
    trx: Transaction<Database>,
    itemId: string,
    atLocal: (local: string) => RawBuilder<Date>,
  ) => Promise<{ id: string }>,
): Promise<string> {
  const checked = await checkAssessmentPlace(db, actor.user, place);
  return db.transaction().execute(async (trx) => {
    const itemId = await assessmentItemId(trx, place, assessment.title, actor.user.id);
    const created = await insert(trx, itemId, (local) => atWallClock(local, checked.timeZone)).catch(
      (error: unknown) => {
        if (String(error).includes(`${assessment.kind}_check`))
          throw new AppError('invalid_input', assessment.windowMessage);
        throw error;
      },
    );
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: `${assessment.kind}.create`,
      objectType: assessment.kind,
      objectId: created.id,
      ip: actor.ip,
      data: { ...place, title: assessment.title },
    });
    return created.id;
  });
}
