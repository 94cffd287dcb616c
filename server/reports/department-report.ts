// A head's report: every cabinet of the department in a term with its measures as of a moment,
// a summary per instructor, the department's total, and its completeness and timeliness week by
// week through the term. Read from the summaries the triggers keep (decision 014), never recounted.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { SlotPolicy, StudyForm } from '../../db/schema.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import { cabinetsWithContext, currentTerm, groupNames, isUuid, type TermInfo } from '../cabinets/cabinets.ts';
import { AppError } from '../errors.ts';
import { addCounts, emptyCounts, ratios, type CabinetMeasures, type Counts } from './measures.ts';
import { policyOf } from './policy.ts';
import { qualitySignals, type QualitySignals } from './quality.ts';
import { overdueByInstructor, type InstructorOverdue } from './reminders.ts';
import { summaryCounts, weekEnds } from './summaries.ts';

export type ReportRow = {
  cabinetId: string;
  instructorId: string;
  instructorName: string;
  subjectCode: string;
  subjectName: string;
  groups: string[];
  studyForms: StudyForm[];
  measures: CabinetMeasures;
  quality: QualitySignals;
};
export type Summary = { total: Counts; completeness: number | null; timeliness: number | null };
export type WeekPoint = { week: number; asOf: string; completeness: number | null; timeliness: number | null };
export type DepartmentReport = {
  department: { id: string; name: string; facultyName: string };
  term: TermInfo;
  asOf: string;
  rows: ReportRow[];
  byInstructor: (Summary & { instructorId: string; instructorName: string; cabinets: number })[];
  total: Summary;
  weeks: WeekPoint[];
  /** What is overdue now, per instructor, and whether this viewer may send reminders (the head). */
  overdue: InstructorOverdue[];
  canRemind: boolean;
  /** The department's slot policy, and whether this viewer (its head) may change it. */
  policy: SlotPolicy;
  canEditPolicy: boolean;
};

const summarize = (measures: CabinetMeasures[]): Summary => {
  const total = measures.reduce((sum, m) => addCounts(sum, m.total), emptyCounts());
  return { total, ...ratios(total) };
};

/** The department at the end of each week up to `asOf`, from its cumulative weekly summary. */
async function departmentWeeks(db: Db, departmentId: string, term: TermInfo, asOf: Date): Promise<WeekPoint[]> {
  const ended = (await weekEnds(db, term)).filter((end) => end <= asOf);
  if (ended.length === 0) return [];
  const rows = await db
    .selectFrom('department_week')
    .select(['week', (eb) => eb.fn.sum<string>('required').as('required'), (eb) => eb.fn.sum<string>('due').as('due'), (eb) => eb.fn.sum<string>('delivered').as('delivered'), (eb) => eb.fn.sum<string>('on_time').as('on_time')])
    .where('department_id', '=', departmentId)
    .where('term_id', '=', term.id)
    .where('week', '<=', ended.length)
    .groupBy('week')
    .orderBy('week')
    .execute();
  const share = (part: string, whole: string) => (Number(whole) ? Number(part) / Number(whole) : null);
  return rows.map((row) => ({ week: row.week, asOf: ended[row.week - 1]!.toISOString(), completeness: share(row.delivered, row.required), timeliness: share(row.on_time, row.due) }));
}

/** A date a person picked (`2026-10-25`): the end of that day in the term's zone; today's moment when empty. */
export async function endOfDay(db: Db, day: string | null, term: TermInfo): Promise<Date> {
  if (!day) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw new AppError('invalid_input', 'report.bad_date');
  const row = await sql<{ at: Date }>`select ((${day}::date + time '23:59:59') at time zone ${term.timeZone}) as at`.execute(db);
  return row.rows[0]!.at;
}

export async function departmentReport(db: Db, user: Principal | null, departmentId: string, asOfDay: string | null = null): Promise<DepartmentReport> {
  const department = isUuid(departmentId)
    ? await db
        .selectFrom('department')
        .innerJoin('faculty', 'faculty.id', 'department.faculty_id')
        .select(['department.id', 'department.name', 'department.faculty_id', 'department.slot_policy', 'faculty.name as facultyName']).where('department.id', '=', departmentId).executeTakeFirst()
    : undefined;
  if (!department) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'report.view', { departmentId: department.id, facultyId: department.faculty_id });
  const term = await currentTerm(db);
  if (!term) throw new AppError('not_found');
  const asOf = await endOfDay(db, asOfDay, term);

  const cabinets = await cabinetsWithContext(db)
    .select((eb) => [
      'cabinet.id',
      'instructor.id as instructorId',
      'instructor.full_name',
      'subject.code',
      'subject.name',
      groupNames(eb),
      eb
        .selectFrom('teaching_assignment_group as tag')
        .innerJoin('study_group', 'study_group.id', 'tag.group_id')
        .select(sql<StudyForm[]>`array_agg(distinct study_group.study_form)`.as('forms'))
        .whereRef('tag.teaching_assignment_id', '=', 'ta.id')
        .as('forms'),
    ])
    .where('subject.department_id', '=', department.id)
    .where('ta.term_id', '=', term.id)
    .orderBy('instructor.full_name')
    .orderBy('subject.code')
    .execute();
  const ids = cabinets.map((c) => c.id);
  const [measures, quality] = await Promise.all([summaryCounts(db, term.id, ids, asOf), qualitySignals(db, ids)]);
  const rows: ReportRow[] = cabinets.map((c, i) => ({
    cabinetId: c.id,
    instructorId: c.instructorId,
    instructorName: c.full_name,
    subjectCode: c.code,
    subjectName: c.name,
    groups: c.groups ?? [],
    studyForms: c.forms ?? [],
    measures: measures[i]!,
    quality: quality.get(c.id)!,
  }));

  const instructors = new Map<string, ReportRow[]>();
  for (const row of rows) instructors.set(row.instructorId, [...(instructors.get(row.instructorId) ?? []), row]);
  const byInstructor = [...instructors.values()].map((own) => ({ instructorId: own[0]!.instructorId, instructorName: own[0]!.instructorName, cabinets: own.length, ...summarize(own.map((r) => r.measures)) }));

  // Week by week up to the moment asked for.
  const weeks = await departmentWeeks(db, department.id, term, asOf);
  return {
    department: { id: department.id, name: department.name, facultyName: department.facultyName },
    term,
    asOf: asOf.toISOString(),
    rows,
    byInstructor,
    total: summarize(measures),
    weeks,
    overdue: await overdueByInstructor(db, department.id, term.id, asOf),
    canRemind: can(user, 'report.remind', { departmentId: department.id }),
    policy: policyOf(department.slot_policy),
    canEditPolicy: can(user, 'policy.edit', { departmentId: department.id }),
  };
}
