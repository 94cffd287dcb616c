// The reports above a department: a faculty's (or college's) departments side by side for its dean,
// and every faculty and college for the vice-rector, ranked by completeness, with the quality
// signals summed. Read from the departments' rows the report refresher keeps (decision 015): now, a
// row per department; a past date, each department's row for that term day. However big the
// university, a few hundred rows.
import type { Db } from '../../db/client.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import { currentTerm, isUuid, type TermInfo } from '../cabinets/cabinets.ts';
import { AppError } from '../errors.ts';
import { endOfDay } from './department-report.ts';
import { addCounts, emptyCounts, measuresOf, ratios, type Counts } from './measures.ts';
import { addQuality, dayOf, departmentsNow, departmentsOnDay, noQuality, qualityOf, type QualityParts, type QualitySignals } from './summaries.ts';

type Parts = { cabinets: number; total: Counts; quality: QualityParts };
export type RollupRow = { id: string; name: string; kind: string; cabinets: number; total: Counts; completeness: number | null; timeliness: number | null; quality: QualitySignals };
export type Rollup = { title: string; term: TermInfo; asOf: string; rows: RollupRow[]; total: Omit<RollupRow, 'id' | 'name' | 'kind'> };

/** Least complete first: where a dean or the vice-rector should look. */
const ranked = (rows: RollupRow[]) => rows.sort((a, b) => (a.completeness ?? 2) - (b.completeness ?? 2) || a.name.localeCompare(b.name));

async function termAndMoment(db: Db, asOfDay: string | null) {
  const term = await currentTerm(db);
  if (!term) throw new AppError('not_found');
  return { term, asOf: await endOfDay(db, asOfDay, term) };
}

/** The departments with their faculties (optionally of one faculty). */
function departmentsOf(db: Db, facultyId: string | null) {
  return db
    .selectFrom('department')
    .innerJoin('faculty', 'faculty.id', 'department.faculty_id')
    .select(['department.id', 'department.name', 'department.kind', 'department.faculty_id', 'faculty.name as facultyName', 'faculty.kind as facultyKind'])
    .$if(facultyId !== null, (q) => q.where('department.faculty_id', '=', facultyId!))
    .execute();
}

/**
 * Each department's parts (its cabinets, counts and quality parts) at the moment asked for: now, or
 * the end of a past day. A department without cabinets has zeros.
 */
async function departmentParts(db: Db, termId: string, asOfDay: string | null, asOf: Date): Promise<(departmentId: string) => Parts> {
  const now = await departmentsNow(db, termId);
  const onDay = asOfDay === null ? null : await departmentsOnDay(db, termId, await dayOf(db, termId, asOf));
  return (departmentId) => {
    const current = now.get(departmentId);
    const byKind = onDay ? onDay.get(departmentId) : current?.byKind;
    return { cabinets: current?.cabinets ?? 0, total: byKind ? measuresOf(byKind).total : emptyCounts(), quality: current?.quality ?? noQuality() };
  };
}

/** Parts summed into a row of the table, with its ratios and signals. */
function sumOf(parts: Parts[]) {
  const total = parts.reduce((sum, p) => addCounts(sum, p.total), emptyCounts());
  const quality = parts.reduce((sum, p) => addQuality(sum, p.quality), noQuality());
  return { cabinets: parts.reduce((n, p) => n + p.cabinets, 0), total, ...ratios(total), quality: qualityOf(quality) };
}

export async function facultyReport(db: Db, user: Principal | null, facultyId: string, asOfDay: string | null = null): Promise<Rollup> {
  const faculty = isUuid(facultyId) ? await db.selectFrom('faculty').select(['id', 'name']).where('id', '=', facultyId).executeTakeFirst() : undefined;
  if (!faculty) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'report.faculty', { facultyId: faculty.id });
  const { term, asOf } = await termAndMoment(db, asOfDay);
  const [departments, partsOf] = await Promise.all([departmentsOf(db, faculty.id), departmentParts(db, term.id, asOfDay, asOf)]);
  const rows = ranked(departments.map((d) => ({ id: d.id, name: d.name, kind: d.kind, ...sumOf([partsOf(d.id)]) })));
  return { title: faculty.name, term, asOf: asOf.toISOString(), rows, total: sumOf(departments.map((d) => partsOf(d.id))) };
}

export async function universityReport(db: Db, user: Principal | null, asOfDay: string | null = null): Promise<Rollup> {
  requirePermission(user, 'report.university', {});
  const { term, asOf } = await termAndMoment(db, asOfDay);
  const [departments, partsOf] = await Promise.all([departmentsOf(db, null), departmentParts(db, term.id, asOfDay, asOf)]);
  const faculties = new Map<string, { name: string; kind: string; parts: Parts[] }>();
  for (const d of departments) {
    const faculty = faculties.get(d.faculty_id) ?? { name: d.facultyName, kind: d.facultyKind, parts: [] };
    faculty.parts.push(partsOf(d.id));
    faculties.set(d.faculty_id, faculty);
  }
  const rows = ranked([...faculties.entries()].map(([id, f]) => ({ id, name: f.name, kind: f.kind, ...sumOf(f.parts) })));
  return { title: '', term, asOf: asOf.toISOString(), rows, total: sumOf(departments.map((d) => partsOf(d.id))) };
}


/** The report a person starts from, at the level of their scope (each leads down to cabinets), or null. */
export function reportEntry(user: Principal): { level: 'university' | 'faculty' | 'department'; to: string } | null {
  if (can(user, 'report.university', {})) return { level: 'university', to: '/reports/university' };
  if (user.facultyId && can(user, 'report.faculty', { facultyId: user.facultyId })) return { level: 'faculty', to: `/reports/faculties/${user.facultyId}` };
  if (user.departmentId && can(user, 'report.view', { departmentId: user.departmentId, facultyId: user.facultyId ?? '' })) return { level: 'department', to: `/reports/departments/${user.departmentId}` };
  return null;
}
