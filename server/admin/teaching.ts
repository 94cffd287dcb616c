// A term's teaching assignments of a department (who teaches which subject to which groups), kept
// by the admin and, for their own department, by its head. Changing the groups re-scopes the
// cabinet and keeps everything delivered in it; ending an assignment leaves its cabinet readable
// and in the reports. And the term rollover: the next term, with last term's teaching copied as a
// starting point.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { can, requirePermission, type Actor, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { termInfo, type TermInfo } from '../cabinets/term.ts';
import { AppError } from '../errors.ts';
import { localName } from '../i18n/names.ts';
import type { Locale } from '../../db/schema.ts';
import { parseRow } from '../common/import-kinds.ts';

export type TeachingRow = {
  id: string;
  instructorId: string;
  instructorName: string;
  subjectCode: string;
  subjectName: string;
  groups: Array<{ id: string; name: string }>;
  cabinetId: string | null;
  ended: boolean;
};

async function departmentOf(db: Db, user: Principal, departmentId: string) {
  const department = isUuid(departmentId)
    ? await db
        .selectFrom('department')
        .select(['id', 'code', 'name', 'name_ru', 'name_en', 'faculty_id'])
        .where('id', '=', departmentId)
        .executeTakeFirst()
    : undefined;
  if (!department) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'teaching.edit', { departmentId: department.id });
  return department;
}

/** The terms to choose from (not archived), newest first, and the one shown: asked for, else the current one. */
async function termsFor(db: Db, termId: string | null): Promise<{ terms: TermInfo[]; term: TermInfo | null }> {
  const rows = await db
    .selectFrom('term')
    .selectAll()
    .where('archived_at', 'is', null)
    .orderBy('starts_on', 'desc')
    .execute();
  const current = await db.selectFrom('current_term').select('id').executeTakeFirst();
  const terms = rows.map(termInfo);
  return {
    terms,
    term: terms.find((t) => t.id === termId) ?? terms.find((t) => t.id === current?.id) ?? terms[0] ?? null,
  };
}

export async function teachingPage(
  db: Db,
  user: Principal,
  departmentId: string,
  termId: string | null,
  locale: Locale = 'ky',
) {
  const department = await departmentOf(db, user, departmentId);
  const { terms, term } = await termsFor(db, termId);
  const [rows, instructors, subjects, groups] = await Promise.all([
    term
      ? db
          .selectFrom('teaching_assignment as ta')
          .innerJoin('subject as s', 's.id', 'ta.subject_id')
          .innerJoin('app_user as u', 'u.id', 'ta.instructor_id')
          .leftJoin('cabinet as c', 'c.teaching_assignment_id', 'ta.id')
          .select((eb) => [
            'ta.id',
            'ta.ended_at',
            'u.id as instructorId',
            'u.full_name',
            's.code',
            's.name',
            'c.id as cabinetId',
            eb
              .selectFrom('teaching_assignment_group as tag')
              .innerJoin('study_group as g', 'g.id', 'tag.group_id')
              .select(
                sql<
                  Array<{ id: string; name: string }>
                >`coalesce(json_agg(json_build_object('id', g.id, 'name', g.name) order by g.name), '[]')`.as('groups'),
              )
              .whereRef('tag.teaching_assignment_id', '=', 'ta.id')
              .as('groups'),
          ])
          .where('s.department_id', '=', department.id)
          .where('ta.term_id', '=', term.id)
          .orderBy('ta.ended_at', (ob) => ob.desc().nullsFirst())
          .orderBy('u.full_name')
          .orderBy('s.code')
          .execute()
      : [],
    db
      .selectFrom('role_assignment as ra')
      .innerJoin('app_user as u', 'u.id', 'ra.user_id')
      .select(['u.id', 'u.full_name'])
      .distinct()
      .where('ra.role', '=', 'instructor')
      .where('ra.department_id', '=', department.id)
      .where('ra.ended_at', 'is', null)
      .where('u.disabled_at', 'is', null)
      .orderBy('u.full_name')
      .execute(),
    db
      .selectFrom('subject')
      .select(['id', 'code', 'name'])
      .where('department_id', '=', department.id)
      .where('archived_at', 'is', null)
      .orderBy('code')
      .execute(),
    db.selectFrom('study_group').select(['id', 'name']).where('archived_at', 'is', null).orderBy('name').execute(),
  ]);
  const teaching: TeachingRow[] = rows.map((row) => ({
    id: row.id,
    instructorId: row.instructorId,
    instructorName: row.full_name,
    subjectCode: row.code,
    subjectName: row.name,
    groups: row.groups ?? [],
    cabinetId: row.cabinetId,
    ended: row.ended_at !== null,
  }));
  return {
    department: { id: department.id, code: department.code, name: localName(department, locale) },
    /** The admin came from /admin/teaching; a head from their home page. */
    backTo: can(user, 'admin.manage', {}) ? '/admin/teaching' : '/',
    terms,
    term,
    teaching,
    pickers: {
      instructors: instructors.map((u) => ({ id: u.id, label: u.full_name })),
      subjects: subjects.map((s) => ({ id: s.id, label: `${s.code} · ${s.name}` })),
      groups: groups.map((g) => ({ id: g.id, label: g.name })),
    },
  };
}

/** The groups given, all existing and not archived, and none of them one the instructor studies in. */
async function checkGroups(db: Db, instructorId: string, groupIds: string[]): Promise<string[]> {
  const ids = [...new Set(groupIds)].filter(isUuid);
  if (ids.length === 0 || ids.length > 50) throw new AppError('invalid_input', 'admin.teaching.groupsRequired');
  const found = await db
    .selectFrom('study_group')
    .select('id')
    .where('id', 'in', ids)
    .where('archived_at', 'is', null)
    .execute();
  if (found.length !== ids.length) throw new AppError('invalid_input', 'admin.teaching.groupsRequired');
  const studies = await db
    .selectFrom('group_student')
    .select('group_id')
    .where('student_id', '=', instructorId)
    .where('group_id', 'in', ids)
    .executeTakeFirst();
  if (studies) throw new AppError('conflict', 'admin.teaching.studiesInGroup');
  return ids;
}

export type NewTeaching = { termId: string; instructorId: string; subjectId: string; groupIds: string[] };

/** Adds a teaching assignment (or brings an ended one back) with its groups. */
export async function addTeaching(db: Db, actor: Actor, departmentId: string, input: NewTeaching): Promise<string> {
  const department = await departmentOf(db, actor.user, departmentId);
  if (![input.termId, input.instructorId, input.subjectId].every(isUuid))
    throw new AppError('invalid_input', 'admin.teaching.incomplete');
  const [term, subject, instructor] = await Promise.all([
    db
      .selectFrom('term')
      .select('id')
      .where('id', '=', input.termId)
      .where('archived_at', 'is', null)
      .executeTakeFirst(),
    db
      .selectFrom('subject')
      .select('id')
      .where('id', '=', input.subjectId)
      .where('department_id', '=', department.id)
      .where('archived_at', 'is', null)
      .executeTakeFirst(),
    // An instructor of this department (what the page offers): a head assigns their own staff.
    db
      .selectFrom('role_assignment as ra')
      .innerJoin('app_user as u', 'u.id', 'ra.user_id')
      .select('u.id')
      .where('u.id', '=', input.instructorId)
      .where('ra.role', '=', 'instructor')
      .where('ra.department_id', '=', department.id)
      .where('ra.ended_at', 'is', null)
      .where('u.disabled_at', 'is', null)
      .executeTakeFirst(),
  ]);
  if (!term || !subject || !instructor) throw new AppError('invalid_input', 'admin.teaching.incomplete');
  const groupIds = await checkGroups(db, input.instructorId, input.groupIds);
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('teaching_assignment')
      .select(['id', 'ended_at'])
      .where('term_id', '=', term.id)
      .where('instructor_id', '=', instructor.id)
      .where('subject_id', '=', subject.id)
      .executeTakeFirst();
    if (existing && !existing.ended_at) throw new AppError('conflict', 'admin.teaching.exists');
    const row = await trx
      .insertInto('teaching_assignment')
      .values({ term_id: term.id, instructor_id: instructor.id, subject_id: subject.id })
      .onConflict((oc) => oc.columns(['term_id', 'instructor_id', 'subject_id']).doUpdateSet({ ended_at: null }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .deleteFrom('teaching_assignment_group')
      .where('teaching_assignment_id', '=', row.id)
      .where('group_id', 'not in', groupIds)
      .execute();
    await trx
      .insertInto('teaching_assignment_group')
      .values(groupIds.map((group_id) => ({ teaching_assignment_id: row.id, group_id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'teaching.add',
      objectType: 'teaching_assignment',
      objectId: row.id,
      ip: actor.ip,
      data: { ...input, groupIds },
    });
    return row.id;
  });
}

async function teachingInDepartment(db: Db, user: Principal, teachingId: string) {
  const row = isUuid(teachingId)
    ? await db
        .selectFrom('teaching_assignment as ta')
        .innerJoin('subject as s', 's.id', 'ta.subject_id')
        .select(['ta.id', 'ta.instructor_id', 's.department_id'])
        .where('ta.id', '=', teachingId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('not_found');
  requirePermission(user, 'teaching.edit', { departmentId: row.department_id });
  return row;
}

/** Re-scopes an assignment to these groups; its cabinet keeps everything delivered in it. */
export async function setTeachingGroups(db: Db, actor: Actor, teachingId: string, groupIds: string[]): Promise<void> {
  const row = await teachingInDepartment(db, actor.user, teachingId);
  const ids = await checkGroups(db, row.instructor_id, groupIds);
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('teaching_assignment_group')
      .where('teaching_assignment_id', '=', row.id)
      .where('group_id', 'not in', ids)
      .execute();
    await trx
      .insertInto('teaching_assignment_group')
      .values(ids.map((group_id) => ({ teaching_assignment_id: row.id, group_id })))
      .onConflict((oc) => oc.doNothing())
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'teaching.groups',
      objectType: 'teaching_assignment',
      objectId: row.id,
      ip: actor.ip,
      data: { groupIds: ids },
    });
  });
}

/** Ends an assignment (its cabinet stays readable and in the reports) or brings it back. */
export async function setTeachingEnded(db: Db, actor: Actor, teachingId: string, ended: boolean): Promise<void> {
  const row = await teachingInDepartment(db, actor.user, teachingId);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('teaching_assignment')
      .set({ ended_at: ended ? new Date() : null })
      .where('id', '=', row.id)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: ended ? 'teaching.end' : 'teaching.reopen',
      objectType: 'teaching_assignment',
      objectId: row.id,
      ip: actor.ip,
    });
  });
}

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
