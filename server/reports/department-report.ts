// A head's report: every cabinet of the department in a term with its measures as of a moment,
// a summary per instructor, the department's total, and its completeness and timeliness week by
// week through the term. Read from the summaries the report refresher keeps (decisions 015, 034),
// never recounted and never written: the page as it stands now is one prepared statement, its
// texts are decoded once per version in a web process (page-cache.ts), and a reader who finds it
// behind waits for the refresher (freshness.ts, decision 035).
import { sql, type Selectable } from 'kysely';
import { runPrepared, type Db } from '../../db/client.ts';
import type { Database, SlotPolicy } from '../../db/schema.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { termInfo, type TermInfo } from '../cabinets/term.ts';
import { AppError } from '../errors.ts';
import { addCounts, emptyCounts, ratios, type CabinetMeasures, type Counts } from '../common/report-measures.ts';
import { policyOf } from './policy.ts';
import { overdueByInstructor, type InstructorOverdue } from './reminders.ts';
import {
  decodePage,
  type CabinetNow,
  type DepartmentPage,
  type OverdueSlot,
  type WeekPoint,
} from './department-page.ts';
import { awaitFresh } from './freshness.ts';
import { createPageCache } from './page-cache.ts';
import { cabinetsAt } from './summaries.ts';

export type ReportRow = Omit<CabinetNow, 'overdue'>;
export type Summary = { total: Counts; completeness: number | null; timeliness: number | null };
export type { WeekPoint };
export type DepartmentReport = {
  department: { id: string; name: string; facultyName: string };
  /** The faculty's report, for those who may read it (dean and above): the way up. */
  up: { to: string; name: string } | null;
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
  /** The refresher has not caught up within the wait: the figures are those it kept at `keptAsOf`. */
  refreshing: { keptAsOf: string | null } | null;
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
    const entry = grouped.get(cabinet.instructorId) ?? {
      instructorId: cabinet.instructorId,
      instructorName: cabinet.instructorName,
      slots: [] as OverdueSlot[],
    };
    entry.slots.push(...cabinet.overdue);
    grouped.set(cabinet.instructorId, entry);
  }
  // ISO times and codes compare as plain strings.
  const byDue = (a: OverdueSlot, b: OverdueSlot) =>
    a.dueAt < b.dueAt
      ? -1
      : a.dueAt > b.dueAt
        ? 1
        : a.subjectCode < b.subjectCode
          ? -1
          : a.subjectCode > b.subjectCode
            ? 1
            : 0;
  return [...grouped.values()].map((entry) => ({ ...entry, slots: entry.slots.sort(byDue) }));
}

/** A date a person picked (`2026-10-25`): the end of that day in the term's zone; today's moment when empty. */
export async function endOfDay(db: Db, day: string | null, term: TermInfo): Promise<Date> {
  if (!day) return new Date();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day)))
    throw new AppError('invalid_input', 'report.bad_date');
  const row = await sql<{
    at: Date;
  }>`select ((${day}::date + time '23:59:59') at time zone ${term.timeZone}) as at`.execute(db);
  return row.rows[0]!.at;
}

type Now = Pick<DepartmentReport, 'rows' | 'byInstructor' | 'total' | 'overdue'>;
/** A decoded page with the report's parts that follow from it. */
type Decoded = { page: DepartmentPage; now: Now };

/** The pages this process has decoded (the benchmark empties it to time a first read). */
export const departmentPages = createPageCache<Decoded>(1000);

/** The report's parts as they stand now, from a page. */
function partsNow(page: DepartmentPage): Now {
  const rows: ReportRow[] = page.cabinets.map(({ overdue: _, ...row }) => row);
  return { rows, ...rollUp(rows), overdue: overdueOf(page.cabinets) };
}

/** Per instructor and in total. */
function rollUp(rows: ReportRow[]): Pick<DepartmentReport, 'byInstructor' | 'total'> {
  const instructors = new Map<string, ReportRow[]>();
  for (const row of rows) {
    const own = instructors.get(row.instructorId);
    if (own) own.push(row);
    else instructors.set(row.instructorId, [row]);
  }
  const byInstructor = [...instructors.values()].map((own) => ({
    instructorId: own[0]!.instructorId,
    instructorName: own[0]!.instructorName,
    cabinets: own.length,
    ...summarize(own.map((r) => r.measures)),
  }));
  return { byInstructor, total: summarize(rows.map((r) => r.measures)) };
}

type StateRow = {
  id: string;
  name: string;
  faculty_id: string;
  slot_policy: unknown;
  faculty_name: string;
  stale: boolean;
  term: Selectable<Database['term']> | null;
  version: string | null;
  kept_as_of: Date | null;
  cabinet_rows: string | null;
  week_ends: string | null;
};

/**
 * The department, the current term, whether its summaries are behind (`report_stale`), and which
 * version of its page is current, with the page's texts only when the caller does not have that
 * version ($2). One prepared statement: every report starts with it.
 */
const stateQuery = `
  select d.id, d.name, d.faculty_id, d.slot_policy, f.name as faculty_name, report_stale(d.id) as stale,
    row_to_json(t) as term,
    dc.as_of::text as version, dc.as_of as kept_as_of,
    case when dc.as_of::text is distinct from $2 then dc.cabinet_rows end as cabinet_rows,
    case when dc.as_of::text is distinct from $2 then dc.week_ends end as week_ends
  from department d
  join faculty f on f.id = d.faculty_id
  left join current_term t on true
  left join department_current dc on dc.department_id = d.id and dc.term_id = t.id
  where d.id = $1`;

const readState = async (db: Db, departmentId: string, knownVersion: string | null) =>
  (await runPrepared<StateRow>(db, stateQuery, [departmentId, knownVersion]))[0];

/** The department's state and its page as it stands now, decoded once per version in this process. */
async function departmentState(
  db: Db,
  departmentId: string,
): Promise<(StateRow & { decoded: Decoded | null }) | undefined> {
  let row = await readState(db, departmentId, departmentPages.versionOf(departmentId) ?? null);
  let cached =
    row?.term && row.version !== null ? departmentPages.get(departmentId, row.term.id, row.version) : undefined;
  // Let go between the two questions (another request's page pushed it out): ask for the texts.
  if (row?.term && row.version !== null && row.cabinet_rows === null && !cached)
    row = await readState(db, departmentId, null);
  if (!row) return undefined;
  if (!row.term || row.version === null) return { ...row, decoded: null };
  if (row.cabinet_rows !== null && row.week_ends !== null) {
    const page = decodePage(row.cabinet_rows, row.week_ends);
    cached = { page, now: partsNow(page) };
    departmentPages.set(departmentId, { termId: row.term.id, version: row.version, page: cached });
  }
  return { ...row, decoded: cached ?? null };
}

export async function departmentReport(
  db: Db,
  user: Principal | null,
  departmentId: string,
  asOfDay: string | null = null,
): Promise<DepartmentReport> {
  if (!isUuid(departmentId)) throw new AppError(user ? 'not_found' : 'unauthorized');
  let state = await departmentState(db, departmentId);
  if (!state) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'report.view', { departmentId: state.id, facultyId: state.faculty_id });
  if (!state.term) throw new AppError('not_found');
  let refreshing = false;
  if (state.stale) {
    refreshing = !(await awaitFresh(db, departmentId));
    state = (await departmentState(db, departmentId)) ?? state;
  }
  const term = termInfo(state.term!);
  const asOf = await endOfDay(db, asOfDay, term);
  const page = state.decoded?.page ?? { cabinets: [], weekEnds: [] };
  const now = state.decoded?.now ?? partsNow(page);

  // Now: the parts of the kept page. A past date: the same cabinets, counted at that moment.
  let parts = now;
  if (asOfDay !== null) {
    const [measures, overdue] = await Promise.all([
      cabinetsAt(
        db,
        page.cabinets.map((c) => c.cabinetId),
        asOf,
      ),
      overdueByInstructor(db, state.id, term.id, asOf, { live: false }),
    ]);
    const rows = now.rows.map((row, i) => ({ ...row, measures: measures[i]! }));
    parts = { rows, ...rollUp(rows), overdue };
  }
  return {
    department: { id: state.id, name: state.name, facultyName: state.faculty_name },
    up: can(user, 'report.faculty', { facultyId: state.faculty_id })
      ? { to: `/reports/faculties/${state.faculty_id}`, name: state.faculty_name }
      : null,
    term,
    asOf: asOf.toISOString(),
    ...parts,
    weeks: page.weekEnds.filter((w) => w.end <= asOf).map(({ end: _, ...point }) => point),
    canRemind: can(user, 'report.remind', { departmentId: state.id }),
    policy: policyOf(state.slot_policy as SlotPolicy | null),
    canEditPolicy: can(user, 'policy.edit', { departmentId: state.id }),
    refreshing: refreshing ? { keptAsOf: state.kept_as_of?.toISOString() ?? null } : null,
  };
}
