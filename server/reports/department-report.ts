// A head's report: every cabinet of the department in a term with its measures as of a moment,
// a summary per instructor, the department's total, and its completeness and timeliness week by
// week through the term. Read from the summaries the report refresher keeps (decision 015), never
// recounted: the page as it stands now is one indexed read of the department's cabinets.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { SlotPolicy } from '../../db/schema.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import { currentTerm, isUuid, type TermInfo } from '../cabinets/cabinets.ts';
import { AppError } from '../errors.ts';
import { addCounts, emptyCounts, ratios, type CabinetMeasures, type Counts } from './measures.ts';
import { policyOf } from './policy.ts';
import { overdueByInstructor, type InstructorOverdue } from './reminders.ts';
import { cabinetsAt, catchUp, departmentPage, type CabinetNow, type OverdueSlot, type WeekPoint } from './summaries.ts';

export type ReportRow = Omit<CabinetNow, 'overdue'>;
export type Summary = { total: Counts; completeness: number | null; timeliness: number | null };
export type { WeekPoint };
export type DepartmentReport = {
  department: { id: string; name: string; facultyName: string };
  term: TermInfo;
  asOf: string;
  rows: ReportRow[];
  byInstructor: (Summary & { instructorId: string; instructorName: string; cabinets: number })[];
  total: Summary;
  weeks: WeekPoint[];
  /** What is overdue at the moment, per instructor, and whether this viewer may send reminders (the head). */
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

/** The overdue slots of the cabinets now, per instructor in the rows' order (by name), each by due time. */
function overdueOf(cabinets: CabinetNow[]): InstructorOverdue[] {
  const grouped = new Map<string, InstructorOverdue>();
  for (const cabinet of cabinets) {
    if (cabinet.overdue.length === 0) continue;
    const entry = grouped.get(cabinet.instructorId) ?? { instructorId: cabinet.instructorId, instructorName: cabinet.instructorName, slots: [] as OverdueSlot[] };
    entry.slots.push(...cabinet.overdue);
    grouped.set(cabinet.instructorId, entry);
  }
  const byDue = (a: OverdueSlot, b: OverdueSlot) => a.dueAt.localeCompare(b.dueAt) || a.subjectCode.localeCompare(b.subjectCode);
  return [...grouped.values()].map((entry) => ({ ...entry, slots: entry.slots.sort(byDue) }));
}

/** A date a person picked (`2026-10-25`): the end of that day in the term's zone; today's moment when empty. */
export async function endOfDay(db: Db, day: string | null, term: TermInfo): Promise<Date> {
  if (!day) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) throw new AppError('invalid_input', 'report.bad_date');
  const row = await sql<{ at: Date }>`select ((${day}::date + time '23:59:59') at time zone ${term.timeZone}) as at`.execute(db);
  return row.rows[0]!.at;
}

export async function departmentReport(db: Db, user: Principal | null, departmentId: string, asOfDay: string | null = null): Promise<DepartmentReport> {
  if (!isUuid(departmentId)) throw new AppError(user ? 'not_found' : 'unauthorized');
  // One round of reads: the department (with whether its summaries are behind), the term, and the
  // page the refresher keeps. Nothing of the page is used before the permission check.
  const [department, term, kept] = await Promise.all([
    db
      .selectFrom('department')
      .innerJoin('faculty', 'faculty.id', 'department.faculty_id')
      .select(['department.id', 'department.name', 'department.faculty_id', 'department.slot_policy', 'faculty.name as facultyName', sql<boolean>`report_stale(department.id)`.as('stale')])
      .where('department.id', '=', departmentId)
      .executeTakeFirst(),
    currentTerm(db),
    departmentPage(db, departmentId),
  ]);
  if (!department) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'report.view', { departmentId: department.id, facultyId: department.faculty_id });
  if (!term) throw new AppError('not_found');
  const asOf = await endOfDay(db, asOfDay, term);
  const page = department.stale ? await catchUp(db).then(() => departmentPage(db, department.id)) : kept;

  // Now: the cabinets as the refresher keeps them. A past date: the same cabinets, counted at that moment.
  const past = asOfDay !== null;
  const ids = page.cabinets.map((c) => c.cabinetId);
  const [pastMeasures, pastOverdue] = past ? await Promise.all([cabinetsAt(db, ids, asOf), overdueByInstructor(db, department.id, term.id, asOf)]) : [null, null];
  const rows: ReportRow[] = page.cabinets.map(({ overdue: _, ...row }, i) => (pastMeasures ? { ...row, measures: pastMeasures[i]! } : row));

  const instructors = new Map<string, ReportRow[]>();
  for (const row of rows) instructors.set(row.instructorId, [...(instructors.get(row.instructorId) ?? []), row]);
  const byInstructor = [...instructors.values()].map((own) => ({ instructorId: own[0]!.instructorId, instructorName: own[0]!.instructorName, cabinets: own.length, ...summarize(own.map((r) => r.measures)) }));

  return {
    department: { id: department.id, name: department.name, facultyName: department.facultyName },
    term,
    asOf: asOf.toISOString(),
    rows,
    byInstructor,
    total: summarize(rows.map((r) => r.measures)),
    weeks: page.weekEnds.filter((w) => w.end <= asOf).map(({ end: _, ...point }) => point),
    overdue: pastOverdue ?? overdueOf(page.cabinets),
    canRemind: can(user, 'report.remind', { departmentId: department.id }),
    policy: policyOf(department.slot_policy),
    canEditPolicy: can(user, 'policy.edit', { departmentId: department.id }),
  };
}
