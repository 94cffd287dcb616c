// The reports above a department: a faculty's (or college's) departments side by side for its dean,
// and every faculty and college for the vice-rector, ranked by completeness, with the quality
// signals summed. Read from the departments' rows the report refresher keeps (decision 015): now, a
// row per department; a past date, each department's row for that term day. However big the
// university, a few hundred rows.
import type { Selectable } from 'kysely';
import { runPrepared, type Db } from '../../db/client.ts';
import type { Database, SlotCountsByKind } from '../../db/schema.ts';
import { can, reportEntries, requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { currentTerm, termInfo, type TermInfo } from '../cabinets/term.ts';
import { AppError } from '../errors.ts';
import { endOfDay } from './department-report.ts';
import { addCounts, countsByKind, emptyCounts, measuresOf, ratios, type Counts } from '../common/report-measures.ts';
import { addQuality, noQuality, qualityColumns, qualityOf, type QualityParts, type QualitySignals } from './quality.ts';
import { awaitFresh } from './freshness.ts';
import { dayOf, departmentsOnDay } from './summaries.ts';

type Parts = { cabinets: number; total: Counts; quality: QualityParts };
export type RollupRow = {
  id: string;
  name: string;
  kind: string;
  cabinets: number;
  total: Counts;
  completeness: number | null;
  timeliness: number | null;
  quality: QualitySignals;
};
export type Rollup = {
  /** The faculty's id; null for the university. */
  id: string | null;
  title: string;
  /** The report one level up (the university's, from a faculty), for those who may read it. */
  up: { to: string } | null;
  term: TermInfo;
  asOf: string;
  rows: RollupRow[];
  total: Omit<RollupRow, 'id' | 'name' | 'kind'>;
  /** The refresher has not caught up within the wait (freshness.ts): the figures are those it kept. */
  refreshing: boolean;
};

/** Least complete first: where a dean or the vice-rector should look. */
const ranked = (rows: RollupRow[]) =>
  rows.sort((a, b) => (a.completeness ?? 2) - (b.completeness ?? 2) || a.name.localeCompare(b.name));

type DepartmentRow = QualityParts & {
  id: string;
  name: string;
  kind: string;
  faculty_id: string;
  faculty_name: string;
  faculty_kind: string;
  cabinets: number | null;
  counts: SlotCountsByKind | null;
  stale: boolean;
  term: Selectable<Database['term']> | null;
};

/**
 * Every department (or one faculty's, $1) with its row as it stands now from the refresher, whether
 * anything is behind (`report_stale`), and the current term: one prepared statement, a row per
 * department whatever the size of the university.
 */
const departmentsQuery = `
  select d.id, d.name, d.kind, d.faculty_id, f.name as faculty_name, f.kind as faculty_kind,
    dc.cabinets, dc.counts, ${qualityColumns.map((column) => `coalesce(dc.${column}, 0) as ${column}`).join(', ')},
    (select report_stale(null)) as stale, (select row_to_json(t) from current_term t) as term
  from department d
  join faculty f on f.id = d.faculty_id
  left join department_current dc on dc.department_id = d.id and dc.term_id = (select id from current_term)
  where $1::uuid is null or d.faculty_id = $1`;

/**
 * The departments (of one faculty, or all) with their parts (cabinets, counts and quality parts)
 * at the moment asked for: now, or the end of a past day; and the term and that moment.
 */
async function departmentsAt(db: Db, facultyId: string | null, asOfDay: string | null) {
  let rows = await runPrepared<DepartmentRow>(db, departmentsQuery, [facultyId]);
  let refreshing = false;
  if (rows[0]?.stale) {
    refreshing = !(await awaitFresh(db, null));
    rows = await runPrepared<DepartmentRow>(db, departmentsQuery, [facultyId]);
  }
  const term = rows[0]?.term ? termInfo(rows[0].term) : await currentTerm(db);
  if (!term) throw new AppError('not_found');
  const asOf = await endOfDay(db, asOfDay, term);
  const onDay =
    asOfDay === null
      ? null
      : await departmentsOnDay(
          db,
          term.id,
          await dayOf(db, term.id, asOf),
          facultyId === null ? undefined : rows.map((r) => r.id),
        );
  const departments = rows.map((row) => {
    const byKind = onDay ? onDay.get(row.id) : row.counts ? countsByKind(row.counts) : undefined;
    const parts: Parts = {
      cabinets: row.cabinets ?? 0,
      total: byKind ? measuresOf(byKind).total : emptyCounts(),
      quality: row,
    };
    return { ...row, parts };
  });
  return { term, asOf, departments, refreshing };
}

/** Parts summed into a row of the table, with its ratios and signals. */
function sumOf(parts: Parts[]) {
  const total = parts.reduce((sum, p) => addCounts(sum, p.total), emptyCounts());
  const quality = parts.reduce((sum, p) => addQuality(sum, p.quality), noQuality());
  return { cabinets: parts.reduce((n, p) => n + p.cabinets, 0), total, ...ratios(total), quality: qualityOf(quality) };
}

export async function facultyReport(
  db: Db,
  user: Principal | null,
  facultyId: string,
  asOfDay: string | null = null,
): Promise<Rollup> {
  const faculty = isUuid(facultyId)
    ? await db.selectFrom('faculty').select(['id', 'name']).where('id', '=', facultyId).executeTakeFirst()
    : undefined;
  if (!faculty) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'report.faculty', { facultyId: faculty.id });
  const { term, asOf, departments, refreshing } = await departmentsAt(db, faculty.id, asOfDay);
  const rows = ranked(departments.map((d) => ({ id: d.id, name: d.name, kind: d.kind, ...sumOf([d.parts]) })));
  return {
    id: faculty.id,
    title: faculty.name,
    up: can(user, 'report.university', {}) ? { to: '/reports/university' } : null,
    term,
    asOf: asOf.toISOString(),
    rows,
    total: sumOf(departments.map((d) => d.parts)),
    refreshing,
  };
}

export async function universityReport(db: Db, user: Principal | null, asOfDay: string | null = null): Promise<Rollup> {
  requirePermission(user, 'report.university', {});
  const { term, asOf, departments, refreshing } = await departmentsAt(db, null, asOfDay);
  const faculties = new Map<string, { name: string; kind: string; parts: Parts[] }>();
  for (const d of departments) {
    const faculty = faculties.get(d.faculty_id) ?? { name: d.faculty_name, kind: d.faculty_kind, parts: [] };
    faculty.parts.push(d.parts);
    faculties.set(d.faculty_id, faculty);
  }
  const rows = ranked(
    [...faculties.entries()].map(([id, f]) => ({ id, name: f.name, kind: f.kind, ...sumOf(f.parts) })),
  );
  return {
    id: null,
    title: '',
    up: null,
    term,
    asOf: asOf.toISOString(),
    rows,
    total: sumOf(departments.map((d) => d.parts)),
    refreshing,
  };
}

/** The reports a person starts from (`reportEntries`), each with the name of its faculty or department. */
export async function reportLinksOf(
  db: Db,
  user: Principal,
): Promise<Array<ReturnType<typeof reportEntries>[number] & { name: string | null }>> {
  const entries = reportEntries(user);
  const ids = entries.flatMap((entry) => (entry.id ? [entry.id] : []));
  if (ids.length === 0) return entries.map((entry) => ({ ...entry, name: null }));
  const [faculties, departments] = await Promise.all([
    db.selectFrom('faculty').select(['id', 'name']).where('id', 'in', ids).execute(),
    db.selectFrom('department').select(['id', 'name']).where('id', 'in', ids).execute(),
  ]);
  const names = new Map([...faculties, ...departments].map((row) => [row.id, row.name]));
  return entries.map((entry) => ({ ...entry, name: entry.id ? (names.get(entry.id) ?? null) : null }));
}
