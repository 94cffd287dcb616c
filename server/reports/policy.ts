// A department's slot policy (lecture videos per lecture hours, practicals per practical hours,
// assessment weeks), edited by its head. A change re-plans every cabinet of the department in the
// current term in one transaction: slots move to their new weeks and due dates, new ones appear,
// and ones no longer asked for go, unless they hold an item: those stay, so nothing an instructor
// delivered stops counting. The summaries follow through their triggers.
import type { RawBuilder, Transaction } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../db/client.ts';
import type { Database, SlotPolicy } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { currentTerm } from '../cabinets/term.ts';
import { defaultSlotPolicy, dueAtEndOfWeek, planSlots, type PlannedSlot } from '../cabinets/slot-plan.ts';
import { AppError } from '../errors.ts';

export const policySchema = z.object({
  lectureHoursPerVideo: z.coerce
    .number()
    .int('policy.bad_hours')
    .min(1, 'policy.bad_hours')
    .max(10, 'policy.bad_hours'),
  practicalHoursPerMaterial: z.coerce
    .number()
    .int('policy.bad_hours')
    .min(1, 'policy.bad_hours')
    .max(10, 'policy.bad_hours'),
  assessmentWeeks: z
    .string()
    .transform((text) =>
      [
        ...new Set(
          text
            .split(/[\s,;]+/)
            .filter(Boolean)
            .map(Number),
        ),
      ].sort((a, b) => a - b),
    )
    .refine(
      (weeks) => weeks.length <= 6 && weeks.every((week) => Number.isInteger(week) && week >= 1 && week <= 30),
      'policy.bad_weeks',
    ),
});

export const policyOf = (stored: SlotPolicy | null): SlotPolicy => stored ?? defaultSlotPolicy;

export type ReplanResult = { cabinets: number; added: number; moved: number; removed: number; kept: number };

export async function setDepartmentPolicy(
  db: Db,
  actor: Actor,
  departmentId: string,
  policy: SlotPolicy,
): Promise<ReplanResult> {
  const department = isUuid(departmentId)
    ? await db.selectFrom('department').select(['id']).where('id', '=', departmentId).executeTakeFirst()
    : undefined;
  if (!department) throw new AppError('not_found');
  requirePermission(actor.user, 'policy.edit', { departmentId });
  const term = await currentTerm(db);
  if (!term) throw new AppError('not_found');
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('department')
      .set({ slot_policy: JSON.stringify(policy) })
      .where('id', '=', departmentId)
      .execute();
    const cabinets = await trx
      .selectFrom('cabinet')
      .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
      .innerJoin('subject', 'subject.id', 'ta.subject_id')
      .select(['cabinet.id', 'subject.lecture_hours', 'subject.practical_hours'])
      .where('subject.department_id', '=', departmentId)
      .where('ta.term_id', '=', term.id)
      .forUpdate()
      .execute();
    const result: ReplanResult = { cabinets: cabinets.length, added: 0, moved: 0, removed: 0, kept: 0 };
    const dueAt = (week: number) => dueAtEndOfWeek(term.startsOn, week, term.timeZone);
    for (const cabinet of cabinets) {
      const planned = planSlots({
        lectureHours: cabinet.lecture_hours,
        practicalHours: cabinet.practical_hours,
        weeks: term.weeks,
        policy,
      });
      await replanCabinet(trx, cabinet.id, planned, dueAt, result);
    }
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'department.policy',
      objectType: 'department',
      objectId: departmentId,
      ip: actor.ip,
      data: { policy, ...result },
    });
    return result;
  });
}

/**
 * Re-plans one cabinet's slots: new ones added, moved ones given their new week and due time, and
 * those the plan no longer has removed unless they hold work (an item, or an upload on its way).
 * Counts into `result`.
 */
async function replanCabinet(
  trx: Transaction<Database>,
  cabinetId: string,
  planned: PlannedSlot[],
  dueAt: (week: number) => RawBuilder<Date>,
  result: ReplanResult,
): Promise<void> {
  const existing = await trx
    .selectFrom('slot')
    .leftJoin('item', 'item.slot_id', 'slot.id')
    .select((eb) => [
      'slot.id',
      'slot.kind',
      'slot.number',
      'slot.week',
      'item.id as itemId',
      // An upload on its way into the slot keeps it too.
      eb.exists(eb.selectFrom('upload').select('upload.id').whereRef('upload.slot_id', '=', 'slot.id')).as('uploading'),
    ])
    .where('slot.cabinet_id', '=', cabinetId)
    .execute();
  for (const slot of planned) {
    const found = existing.find((e) => e.kind === slot.kind && e.number === slot.number);
    if (!found) {
      await trx
        .insertInto('slot')
        .values({
          cabinet_id: cabinetId,
          kind: slot.kind,
          number: slot.number,
          week: slot.week,
          due_at: dueAt(slot.week),
        })
        .execute();
      result.added += 1;
    } else if (found.week !== slot.week) {
      await trx
        .updateTable('slot')
        .set({ week: slot.week, due_at: dueAt(slot.week) })
        .where('id', '=', found.id)
        .execute();
      result.moved += 1;
    }
  }
  for (const slot of existing.filter((e) => !planned.some((p) => p.kind === e.kind && p.number === e.number))) {
    if (slot.itemId || slot.uploading) {
      result.kept += 1;
      continue;
    }
    await trx.deleteFrom('slot').where('id', '=', slot.id).execute();
    result.removed += 1;
  }
}
