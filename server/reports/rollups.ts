// The reports above a department: a faculty's (or college's) departments side by side for its dean,
// and every faculty and college for the vice-rector, ranked by completeness, from the departments'
// weekly summaries (a whole university is a few hundred rows).
import type { Db } from '../../db/client.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import { currentTerm, isUuid, type TermInfo } from '../cabinets/cabinets.ts';
import { AppError } from '../errors.ts';
import { endOfDay } from './department-report.ts';
import { addCounts, emptyCounts, ratios, type Counts } from './measures.ts';
import { departmentCounts } from './summaries.ts';

export type RollupRow = { id: string; name: string; kind: string; cabinets: number; total: Counts; completeness: number | null; timeliness: number | null };
export type Rollup = { title: string; term: TermInfo; asOf: string; rows: RollupRow[]; total: Omit<RollupRow, 'id' | 'name' | 'kind'> };

/** Least complete first: where a dean or the vice-rector should look. */
const ranked = (rows: RollupRow[]) => rows.sort((a, b) => (a.completeness ?? 2) - (b.completeness ?? 2) || a.name.localeCompare(b.name));

async function termAndMoment(db: Db, asOfDay: string | null) {
  const term = await currentTerm(db);
  if (!term) throw new AppError('not_found');
  return { term, asOf: await endOfDay(db, asOfDay, term) };
}

/** The departments with their cabinets this term (one grouped count), optionally of one faculty. */
async function departmentsOf(db: Db, termId: string, facultyId: string | null) {
  const [departments, cabinets] = await Promise.all([
    db
      .selectFrom('department')
      .innerJoin('faculty', 'faculty.id', 'department.faculty_id')
      .select(['department.id', 'department.name', 'department.kind', 'department.faculty_id', 'faculty.name as facultyName', 'faculty.kind as facultyKind'])
      .$if(facultyId !== null, (q) => q.where('department.faculty_id', '=', facultyId!))
      .execute(),
    db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('cabinet', 'cabinet.teaching_assignment_id', 'ta.id')
      .innerJoin('subject', 'subject.id', 'ta.subject_id')
      .select(['subject.department_id', (eb) => eb.fn.countAll<string>().as('n')])
      .where('ta.term_id', '=', termId)
      .groupBy('subject.department_id')
      .execute(),
  ]);
  const count = new Map(cabinets.map((row) => [row.department_id, Number(row.n)]));
  return departments.map((d) => ({ ...d, cabinets: count.get(d.id) ?? 0 }));
}

function totalOf(rows: RollupRow[]) {
  const total = rows.reduce((sum, row) => addCounts(sum, row.total), emptyCounts());
  return { cabinets: rows.reduce((n, row) => n + row.cabinets, 0), total, ...ratios(total) };
}

export async function facultyReport(db: Db, user: Principal | null, facultyId: string, asOfDay: string | null = null): Promise<Rollup> {
  const faculty = isUuid(facultyId) ? await db.selectFrom('faculty').select(['id', 'name']).where('id', '=', facultyId).executeTakeFirst() : undefined;
  if (!faculty) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'report.faculty', { facultyId: faculty.id });
  const { term, asOf } = await termAndMoment(db, asOfDay);
  const departments = await departmentsOf(db, term.id, faculty.id);
  const counts = await departmentCounts(db, term.id, departments.map((d) => d.id), asOf);
  const rows = ranked(departments.map((d, i) => ({ id: d.id, name: d.name, kind: d.kind, cabinets: Number(d.cabinets ?? 0), total: counts[i]!.total, ...ratios(counts[i]!.total) })));
  return { title: faculty.name, term, asOf: asOf.toISOString(), rows, total: totalOf(rows) };
}

export async function universityReport(db: Db, user: Principal | null, asOfDay: string | null = null): Promise<Rollup> {
  requirePermission(user, 'report.university', {});
  const { term, asOf } = await termAndMoment(db, asOfDay);
  const departments = await departmentsOf(db, term.id, null);
  const counts = await departmentCounts(db, term.id, departments.map((d) => d.id), asOf);
  const faculties = new Map<string, RollupRow>();
  departments.forEach((d, i) => {
    const row = faculties.get(d.faculty_id) ?? { id: d.faculty_id, name: d.facultyName, kind: d.facultyKind, cabinets: 0, total: emptyCounts(), completeness: null, timeliness: null };
    row.cabinets += Number(d.cabinets ?? 0);
    row.total = addCounts(row.total, counts[i]!.total);
    faculties.set(d.faculty_id, { ...row, ...ratios(row.total) });
  });
  const rows = ranked([...faculties.values()]);
  return { title: '', term, asOf: asOf.toISOString(), rows, total: totalOf(rows) };
}

/** The report a person starts from, at the level of their scope (each leads down to cabinets), or null. */
export function reportEntry(user: Principal): { level: 'university' | 'faculty' | 'department'; to: string } | null {
  if (can(user, 'report.university', {})) return { level: 'university', to: '/reports/university' };
  if (user.facultyId && can(user, 'report.faculty', { facultyId: user.facultyId })) return { level: 'faculty', to: `/reports/faculties/${user.facultyId}` };
  if (user.departmentId && can(user, 'report.view', { departmentId: user.departmentId, facultyId: user.facultyId ?? '' })) return { level: 'department', to: `/reports/departments/${user.departmentId}` };
  return null;
}
