// The admin's changes to a student's group memberships: add, move, end (ended ones kept). Audited.
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { requirePerson } from './people.ts';

/**
 * Puts a student in a group; `fromGroupId` (a move) ends their membership there first. An ended
 * membership is kept in `group_student_ended`.
 */
export async function setMembership(
  db: Db,
  actor: Actor,
  personId: string,
  change: { toGroupId: string | null; fromGroupId: string | null },
): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if ((change.toGroupId && !isUuid(change.toGroupId)) || (change.fromGroupId && !isUuid(change.fromGroupId)))
    throw new AppError('not_found');
  await requirePerson(db, personId);
  await db.transaction().execute(async (trx) => {
    if (change.fromGroupId) {
      const ended = await trx
        .deleteFrom('group_student')
        .where('group_id', '=', change.fromGroupId)
        .where('student_id', '=', personId)
        .returning(['created_at'])
        .executeTakeFirst();
      if (!ended) throw new AppError('not_found');
      await trx
        .insertInto('group_student_ended')
        .values({
          group_id: change.fromGroupId,
          student_id: personId,
          started_at: ended.created_at,
          ended_by: actor.user.id,
        })
        .execute();
    }
    if (change.toGroupId) {
      const group = await trx
        .selectFrom('study_group')
        .select('id')
        .where('id', '=', change.toGroupId)
        .where('archived_at', 'is', null)
        .executeTakeFirst();
      if (!group) throw new AppError('invalid_input', 'admin.people.groupRequired');
      const teaches = await trx
        .selectFrom('teaching_assignment as ta')
        .innerJoin('teaching_assignment_group as tag', 'tag.teaching_assignment_id', 'ta.id')
        .select('ta.id')
        .where('ta.instructor_id', '=', personId)
        .where('tag.group_id', '=', change.toGroupId)
        .where('ta.ended_at', 'is', null)
        .executeTakeFirst();
      if (teaches) throw new AppError('conflict', 'admin.people.teachesGroup');
      await trx
        .insertInto('group_student')
        .values({ group_id: change.toGroupId, student_id: personId })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    await recordAudit(trx, {
      actorId: actor.user.id,
      action:
        change.fromGroupId && change.toGroupId
          ? 'membership.move'
          : change.toGroupId
            ? 'membership.add'
            : 'membership.end',
      objectType: 'app_user',
      objectId: personId,
      ip: actor.ip,
      data: change,
    });
  });
}
