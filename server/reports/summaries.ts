// What the reports read (decision 015): the measures as they stand now per cabinet and per
// department, and each department's cumulative counts per term day, kept by the report refresher
// (workers/report-listener.ts and workers/handlers/refresh-reports.ts) from the cabinets that
// changes mark dirty. A reader checks first
// whether anything it reads is behind and, if so, catches up itself, so that what it shows is exact.
// `checkSummaries` proves them equal to the recount (`measures.ts`).
import { sql, type Kysely } from 'kysely';
import type { Database, SlotKind, StudyForm } from '../../db/schema.ts';
import { addCounts, emptyCounts, measuresOf, slotKinds, type CabinetMeasures, type Counts } from '../common/report-measures.ts';
import { countCabinets } from './recount.ts';

/** Departments the refresher takes in one transaction: a reader waits for at most one such batch. */
const BATCH = 20;

/**
 * Refreshes what is behind now (dirty cabinets, counts a due moment has overtaken) for one
 * department, or everywhere; a batch of departments per transaction, each department once.
 * Returns how many departments it refreshed.
 */
export async function catchUp(db: Kysely<Database>, departmentId: string | null = null): Promise<number> {
  let total = 0;
  for (;;) {
    const row = await sql<{ refreshed: number }>`select report_catch_up(${departmentId}::uuid, ${BATCH}) as refreshed`.execute(db);
    const refreshed = row.rows[0]!.refreshed;
    total += refreshed;
    if (refreshed < BATCH) return total;
  }
}

/** Whether something one department's report reads is behind (`null`: anything anywhere). */
export async function isStale(db: Kysely<Database>, departmentId: string | null): Promise<boolean> {
  const row = await sql<{
    stale: boolean;
  }>`select report_stale(${departmentId}::uuid) as stale`.execute(db);
  return row.rows[0]!.stale;
}

/** `report_counts` back into counts by kind: five numbers per kind (required, due, delivered, on time, overdue), in `slotKinds` order. */
export function countsFromArray(values: readonly number[]): CabinetMeasures['byKind'] {
  const counts = (k: number): Counts => ({ required: values[k] ?? 0, due: values[k + 1] ?? 0, delivered: values[k + 2] ?? 0, onTime: values[k + 3] ?? 0, overdue: values[k + 4] ?? 0 });
  return Object.fromEntries(slotKinds.map((kind, i) => [kind, counts(i * 5)])) as CabinetMeasures['byKind'];
}

export type QualitySignals = {
  lectureMinutes: number;
  /** Lectures with captions in at least one language ÷ lectures that play; null without lectures. */
  captionShare: number | null;
  reusedItems: number;
  /** The average, over the lectures that play (and have students), of the share of students who watched to the end. */
  watchedShare: number | null;
  submissions: number;
  /** Students graded ÷ students who submitted, over the assignments. */
  gradedShare: number | null;
};
export type QualityParts = Pick<Database['cabinet_current'], 'lecture_seconds' | 'lectures' | 'captioned' | 'watched_sum' | 'watched_lectures' | 'reused' | 'submissions' | 'graded'>;
const share = (part: number, whole: number) => (whole ? part / whole : null);
/** The signals from their summed parts: the same for a cabinet, a department, a faculty or the university. */
export function qualityOf(parts: QualityParts): QualitySignals {
  return {
    lectureMinutes: Math.round(Number(parts.lecture_seconds) / 60),
    captionShare: share(parts.captioned, parts.lectures),
    reusedItems: parts.reused,
    watchedShare: share(Number(parts.watched_sum), parts.watched_lectures),
    submissions: parts.submissions,
    gradedShare: share(parts.graded, parts.submissions),
  };
}
export const qualityColumns = ['lecture_seconds', 'lectures', 'captioned', 'watched_sum', 'watched_lectures', 'reused', 'submissions', 'graded'] as const;
export const addQuality = (a: QualityParts, b: QualityParts): QualityParts => Object.fromEntries(qualityColumns.map((column) => [column, Number(a[column]) + Number(b[column])])) as QualityParts;
export const noQuality = (): QualityParts => Object.fromEntries(qualityColumns.map((column) => [column, 0])) as QualityParts;

/** One cabinet's quality signals now (caught up first). */
export async function qualityNow(db: Kysely<Database>, cabinetId: string): Promise<QualitySignals> {
  await catchUp(db);
  return qualityOf(await db.selectFrom('cabinet_current').select(qualityColumns).where('cabinet_id', '=', cabinetId).executeTakeFirstOrThrow());
}

export type OverdueSlot = {
  cabinetId: string;
  subjectCode: string;
  subjectName: string;
  kind: SlotKind;
  number: number;
  dueAt: string;
};
export type CabinetNow = {
  cabinetId: string;
  instructorId: string;
  instructorName: string;
  subjectCode: string;
  subjectName: string;
  groups: string[];
  studyForms: StudyForm[];
  measures: CabinetMeasures;
  quality: QualitySignals;
  /** Due and not delivered now, by due time. */
  overdue: OverdueSlot[];
};

/** A row of `department_current.cabinet_rows`, as the refresher writes it. */
type CabinetRowJson = [string, string, string, string, string, string[] | null, StudyForm[] | null, number[], number[], [SlotKind, number, string][]];
type WeekEndJson = [string, number, number, number, number];
export type WeekPoint = { week: number; asOf: string; completeness: number | null; timeliness: number | null };
export type DepartmentPage = { cabinets: CabinetNow[]; weekEnds: (WeekPoint & { end: Date })[] };

/** A department's report page from the two JSON texts the refresher writes (`department_current`). */
export function decodePage(cabinetRows: string, weekEndRows: string): DepartmentPage {
  const cabinets = (JSON.parse(cabinetRows) as CabinetRowJson[]).map(([cabinetId, instructorId, instructorName, subjectCode, subjectName, groups, studyForms, counts, parts, overdue]) => ({
    cabinetId,
    instructorId,
    instructorName,
    subjectCode,
    subjectName,
    groups: groups ?? [],
    studyForms: studyForms ?? [],
    measures: { cabinetId, ...measuresOf(countsFromArray(counts)) },
    quality: qualityOf({
      lecture_seconds: parts[0]!,
      lectures: parts[1]!,
      captioned: parts[2]!,
      watched_sum: parts[3]!,
      watched_lectures: parts[4]!,
      reused: parts[5]!,
      submissions: parts[6]!,
      graded: parts[7]!,
    }),
    overdue: overdue.map(([kind, number, dueAt]) => ({ cabinetId, subjectCode, subjectName, kind, number, dueAt })),
  }));
  const weekEnds = (JSON.parse(weekEndRows) as WeekEndJson[]).map(([end, required, delivered, due, onTime], i) => ({
    week: i + 1,
    end: new Date(end),
    asOf: end,
    completeness: share(delivered, required),
    timeliness: share(onTime, due),
  }));
  return { cabinets, weekEnds };
}

/** Departments' counts by kind as the refresher keeps them now (after a catch-up). */
async function departmentCountsNow(db: Kysely<Database>, termId: string): Promise<Map<string, CabinetMeasures['byKind']>> {
  const rows = await db.selectFrom('department_current').select(['department_id', 'counts']).where('term_id', '=', termId).execute();
  return new Map(rows.map((row) => [row.department_id, countsFromArray(row.counts)]));
}

/**
 * The term day a moment falls in (`report_day`, as the refresher dates the facts), within the term:
 * a date after it reads the last day (deliveries after the term's end are in no day's counts).
 */
export async function dayOf(db: Kysely<Database>, termId: string, moment: Date): Promise<number> {
  const row = await sql<{ day: number }>`select least(weeks * 7, report_day(${moment}::timestamptz, starts_on, time_zone, weeks * 7)) as day from term where id = ${termId}`.execute(db);
  return row.rows[0]!.day;
}

/** Departments' counts at the end of term day `day` (cumulative), by kind; departments without slots are absent. */
export async function departmentsOnDay(db: Kysely<Database>, termId: string, day: number, departmentIds?: readonly string[]): Promise<Map<string, CabinetMeasures['byKind']>> {
  const rows = await db
    .selectFrom('department_day')
    .select(['department_id', 'kind', 'required', 'due', 'delivered', 'on_time', 'settled'])
    .where('term_id', '=', termId)
    .where('day', '=', day)
    .$if(departmentIds !== undefined, (q) => q.where('department_id', 'in', departmentIds!.length ? [...departmentIds!] : ['00000000-0000-0000-0000-000000000000']))
    .execute();
  const result = new Map<string, CabinetMeasures['byKind']>();
  for (const row of rows) {
    const byKind = result.get(row.department_id) ?? (Object.fromEntries(slotKinds.map((k) => [k, emptyCounts()])) as CabinetMeasures['byKind']);
    byKind[row.kind] = {
      required: row.required,
      due: row.due,
      delivered: row.delivered,
      onTime: row.on_time,
      overdue: row.due - row.settled,
    };
    result.set(row.department_id, byKind);
  }
  return result;
}

/**
 * Some cabinets' measures as they stood at any moment, counted from their slot facts (the
 * refresher's dates of due and delivery): a past date in a department's report. Read after
 * catching up the cabinets' department (`catchUp`).
 */
export async function cabinetsAt(db: Kysely<Database>, cabinetIds: readonly string[], asOf: Date): Promise<CabinetMeasures[]> {
  if (cabinetIds.length === 0) return [];
  const rows = await sql<{ cabinet_id: string; counts: number[] }>`
    select cabinet_id, report_counts(array_agg(f), ${asOf}::timestamptz) as counts
    from slot_fact f where cabinet_id in (${sql.join(cabinetIds.map((id) => sql`${id}::uuid`))}) group by cabinet_id`.execute(db);
  const counts = new Map(rows.rows.map((row) => [row.cabinet_id, row.counts]));
  return cabinetIds.map((cabinetId) => ({
    cabinetId,
    ...measuresOf(countsFromArray(counts.get(cabinetId) ?? [])),
  }));
}

/** The end of each week of a term (as the plan's due dates are). */
export async function weekEnds(db: Kysely<Database>, termId: string): Promise<Date[]> {
  const rows = await sql<{ end: Date }>`
    select ((t.starts_on + w * 7 - 1) + time '23:59:59') at time zone t.time_zone as end
    from term t cross join generate_series(1, t.weeks) w where t.id = ${termId} order by w`.execute(db);
  return rows.rows.map((row) => row.end);
}

/**
 * The consistency check: every cabinet and department of a term against a recount from the raw
 * rows, now and at the end of every week (a department's day rows, a cabinet's facts). Returns
 * what differs, and when.
 */
export async function checkSummaries(db: Kysely<Database>, termId: string): Promise<{ id: string; asOf: string }[]> {
  await catchUp(db);
  const now = new Date();
  const cabinets = await db
    .selectFrom('cabinet')
    .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .select(['cabinet.id', 'subject.department_id'])
    .where('ta.term_id', '=', termId)
    .execute();
  const departments = [...new Set(cabinets.map((c) => c.department_id))];
  const mismatches: { id: string; asOf: string }[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const sum = (byKind: CabinetMeasures['byKind'][]) => byKind.flatMap((k) => slotKinds.map((kind) => k[kind])).reduce(addCounts, emptyCounts());

  for (const asOf of [...(await weekEnds(db, termId)), now]) {
    const isNow = asOf === now;
    const recountedByDepartment = new Map<string, CabinetMeasures['byKind'][]>();
    for (let i = 0; i < cabinets.length; i += 1000) {
      const batch = cabinets.slice(i, i + 1000);
      const ids = batch.map((c) => c.id);
      const [kept, recounted] = await Promise.all([isNow ? currentOf(db, ids) : cabinetsAt(db, ids, asOf), countCabinets(db, ids, asOf)]);
      kept.forEach((measures, j) => {
        if (!same(measures, recounted[j])) mismatches.push({ id: ids[j]!, asOf: asOf.toISOString() });
        const department = batch[j]!.department_id;
        recountedByDepartment.set(department, [...(recountedByDepartment.get(department) ?? []), recounted[j]!.byKind]);
      });
    }
    const keptDepartments = isNow
      ? await departmentCountsNow(db, termId)
      : await departmentsOnDay(db, termId, await dayOf(db, termId, asOf), departments);
    for (const department of departments) {
      const kept = keptDepartments.get(department);
      if (!same(kept ? sum([kept]) : emptyCounts(), sum(recountedByDepartment.get(department) ?? []))) mismatches.push({ id: department, asOf: asOf.toISOString() });
    }
  }
  return mismatches;
}

/** Cabinets' measures as the refresher keeps them now (a cabinet it has not seen has none). */
async function currentOf(db: Kysely<Database>, cabinetIds: string[]): Promise<(CabinetMeasures | null)[]> {
  const rows = await db.selectFrom('cabinet_current').select(['cabinet_id', 'counts']).where('cabinet_id', 'in', cabinetIds).execute();
  const counts = new Map(rows.map((row) => [row.cabinet_id, row.counts]));
  return cabinetIds.map((cabinetId) => (counts.has(cabinetId) ? { cabinetId, ...measuresOf(countsFromArray(counts.get(cabinetId)!)) } : null));
}
