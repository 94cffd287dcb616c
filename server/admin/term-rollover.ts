// The term rollover: the next term, with last term's teaching copied as a starting point.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { parseRow } from '../common/import-rows.ts';

export type RolloverInput = {
  fromTermId: string;
  code: string;
  academicYear: string;
  semester: string;
  startsOn: string;
  weeks: string;
  timeZone: string;
  copyTeaching: boolean;
};

/**
 * Creates the next term (checked by the import's rules for terms) and copies the teaching of
 * `fromTermId` into it: assignments not ended, of subjects not archived, by instructors still
 * active, with their groups not archived. Groups are not bound to terms: they carry on as they are.
 */
export type RolloverResult = { termId: string; copied: number; problems: Record<string, string>; code?: string };

export async function rolloverTerm(db: Db, actor: Actor, input: RolloverInput): Promise<RolloverResult> {
  requirePermission(actor.user, 'admin.manage', {});
  const fields = ['code', 'academic_year', 'semester', 'starts_on', 'weeks', 'time_zone'];
  const parsed = parseRow('terms', fields, [
    input.code,
    input.academicYear,
    input.semester,
    input.startsOn,
    input.weeks,
    input.timeZone || 'Asia/Bishkek',
  ]);
  const problems = Object.fromEntries(parsed.problems.map((problem) => [problem.column ?? 'code', problem.key]));
  if (parsed.problems.length) return { termId: '', copied: 0, problems };
  const { row } = parsed;
  const term = {
    code: row.code!,
    academic_year: row.academic_year!,
    semester: row.semester === 2 ? (2 as const) : (1 as const),
    starts_on: row.starts_on!,
    weeks: row.weeks!,
    time_zone: row.time_zone ?? 'Asia/Bishkek',
  };
  return db.transaction().execute(async (trx): Promise<RolloverResult> => {
    const clash = await trx
      .selectFrom('term')
      .select(['code'])
      .where((eb) =>
        eb.or([
          eb('code', '=', term.code),
          eb.and([eb('academic_year', '=', term.academic_year), eb('semester', '=', term.semester)]),
        ]),
      )
      .executeTakeFirst();
    if (clash)
      return {
        termId: '',
        copied: 0,
        problems: { code: clash.code === term.code ? 'code_taken' : 'term_exists' },
        code: clash.code,
      };
    const created = await trx.insertInto('term').values(term).returning('id').executeTakeFirstOrThrow();
    let copied = 0;
    if (input.copyTeaching && isUuid(input.fromTermId)) {
      const result = await sql<{ n: string }>`
        with copied as (
          insert into teaching_assignment (term_id, instructor_id, subject_id)
          select ${created.id}, ta.instructor_id, ta.subject_id
          from teaching_assignment ta join subject s on s.id = ta.subject_id join app_user u on u.id = ta.instructor_id
          where ta.term_id = ${input.fromTermId} and ta.ended_at is null and s.archived_at is null and u.disabled_at is null
          returning id, instructor_id, subject_id
        ),
        groups as (
          insert into teaching_assignment_group (teaching_assignment_id, group_id)
          select c.id, tag.group_id
          from copied c
          join teaching_assignment old on old.term_id = ${input.fromTermId} and old.instructor_id = c.instructor_id and old.subject_id = c.subject_id
          join teaching_assignment_group tag on tag.teaching_assignment_id = old.id
          join study_group g on g.id = tag.group_id and g.archived_at is null
          returning 1
        )
        select (select count(*) from copied) as n, (select count(*) from groups) as g`.execute(trx);
      copied = Number(result.rows[0]?.n ?? 0);
    }
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'term.rollover',
      objectType: 'term',
      objectId: created.id,
      ip: actor.ip,
      data: { from: input.fromTermId, code: term.code, copied },
    });
    return { termId: created.id, copied, problems: {} };
  });
}
