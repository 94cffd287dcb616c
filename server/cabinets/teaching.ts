// An instructor's teaching this term, and opening a cabinet for it with its plan slots.
import type { Db } from '../../db/client.ts';
import type { Locale } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { homeSections, requirePermission, type Principal } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import { localName } from '../i18n/names.ts';
import { groupNames, isUuid } from './scope.ts';
import { dueAtEndOfWeek, planSlots } from './slot-plan.ts';

export type TeachingRow = {
  teachingAssignmentId: string;
  subjectCode: string;
  subjectName: string;
  groups: string[];
  cabinetId: string | null;
  /** No longer listed by the registrar: the cabinet stays readable, nothing more. */
  ended: boolean;
};

/** This term's teaching assignments of an instructor, with the cabinet if it is open (ended ones only when they have one). */
export async function listTeaching(
  db: Db,
  user: Principal,
  termId: string,
  locale: Locale = 'ky',
): Promise<TeachingRow[]> {
  if (!homeSections(user).teaching) return [];
  const rows = await db
    .selectFrom('teaching_assignment as ta')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .leftJoin('cabinet', 'cabinet.teaching_assignment_id', 'ta.id')
    .select((eb) => [
      'ta.id',
      'ta.ended_at',
      'subject.code',
      'subject.name',
      'subject.name_ru',
      'subject.name_en',
      'cabinet.id as cabinetId',
      groupNames(eb),
    ])
    .where('ta.instructor_id', '=', user.id)
    .where('ta.term_id', '=', termId)
    .where((eb) => eb.or([eb('ta.ended_at', 'is', null), eb('cabinet.id', 'is not', null)]))
    .orderBy('ta.ended_at', (ob) => ob.desc().nullsFirst())
    .orderBy('subject.code')
    .execute();
  return rows.map((row) => ({
    teachingAssignmentId: row.id,
    subjectCode: row.code,
    subjectName: localName(row, locale),
    groups: row.groups ?? [],
    cabinetId: row.cabinetId,
    ended: row.ended_at !== null,
  }));
}

/** Opens the cabinet of a teaching assignment with its plan slots; a second call returns the same cabinet. */
export async function openCabinet(
  db: Db,
  user: Principal,
  teachingAssignmentId: string,
  ip: string | null = null,
): Promise<string> {
  if (!isUuid(teachingAssignmentId)) throw new AppError('not_found');
  const assignment = await db
    .selectFrom('teaching_assignment as ta')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .innerJoin('department', 'department.id', 'subject.department_id')
    .innerJoin('term', 'term.id', 'ta.term_id')
    .select([
      'ta.id',
      'ta.instructor_id',
      'ta.ended_at',
      'subject.lecture_hours',
      'subject.practical_hours',
      'department.slot_policy',
      'term.starts_on',
      'term.weeks',
      'term.time_zone',
    ])
    .where('ta.id', '=', teachingAssignmentId)
    .executeTakeFirst();
  if (!assignment) throw new AppError('not_found');
  requirePermission(user, 'cabinet.open', {
    instructorId: assignment.instructor_id,
    teachingEnded: assignment.ended_at !== null,
  });

  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('cabinet')
      .values({ teaching_assignment_id: assignment.id })
      .onConflict((oc) => oc.column('teaching_assignment_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      // Someone (a double click) opened it first: theirs is the cabinet.
      const existing = await trx
        .selectFrom('cabinet')
        .select('id')
        .where('teaching_assignment_id', '=', assignment.id)
        .executeTakeFirstOrThrow();
      return existing.id;
    }
    const slots = planSlots({
      lectureHours: assignment.lecture_hours,
      practicalHours: assignment.practical_hours,
      weeks: assignment.weeks,
      policy: assignment.slot_policy,
    });
    if (slots.length > 0) {
      await trx
        .insertInto('slot')
        .values(
          slots.map((slot) => ({
            cabinet_id: inserted.id,
            kind: slot.kind,
            number: slot.number,
            week: slot.week,
            // Due at the end of the week's last day, in the term's time zone.
            due_at: dueAtEndOfWeek(assignment.starts_on, slot.week, assignment.time_zone),
          })),
        )
        .execute();
    }
    await recordAudit(trx, {
      actorId: user.id,
      action: 'cabinet.open',
      objectType: 'cabinet',
      objectId: inserted.id,
      ip,
      data: { slots: slots.length },
    });
    return inserted.id;
  });
}
