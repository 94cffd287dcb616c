// The consistency check: the refresher's summaries against a recount from the raw rows. Both count
// by the same rules (db/sql/report-rules.sql); what the check proves is the upkeep: that every
// change marked its cabinets, that each cabinet and department was recomputed when it had to be,
// and that the day series, which counts by events rather than by `report_counts`, agrees with it
// at the end of every week.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import {
  addCounts,
  countsByKind,
  emptyCounts,
  measuresOf,
  slotKinds,
  type CabinetMeasures,
  type Counts,
} from '../common/report-measures.ts';
import { countCabinets } from './recount.ts';
import { cabinetsAt, catchUp, dayOf, departmentsOnDay, weekEnds } from './summaries.ts';

const sameCounts = (a: Counts, b: Counts) =>
  a.required === b.required &&
  a.due === b.due &&
  a.delivered === b.delivered &&
  a.onTime === b.onTime &&
  a.overdue === b.overdue;
const sameByKind = (a: CabinetMeasures['byKind'], b: CabinetMeasures['byKind']) =>
  slotKinds.every((kind) => sameCounts(a[kind], b[kind]));
const sum = (byKind: CabinetMeasures['byKind'][]) =>
  byKind.flatMap((k) => slotKinds.map((kind) => k[kind])).reduce(addCounts, emptyCounts());

/**
 * Every cabinet and department of a term against a recount from the raw rows, now and at the end
 * of every week (a department's day rows, a cabinet's facts), after the refresher has caught up.
 * Returns what differs, and when.
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

  for (const asOf of [...(await weekEnds(db, termId)), now]) {
    const isNow = asOf === now;
    const recountedByDepartment = new Map<string, CabinetMeasures['byKind'][]>();
    for (let i = 0; i < cabinets.length; i += 1000) {
      const batch = cabinets.slice(i, i + 1000);
      const ids = batch.map((c) => c.id);
      const [kept, recounted] = await Promise.all([
        isNow ? currentOf(db, ids) : cabinetsAt(db, ids, asOf),
        countCabinets(db, ids, asOf),
      ]);
      kept.forEach((measures, j) => {
        if (!measures || !sameByKind(measures.byKind, recounted[j]!.byKind))
          mismatches.push({ id: ids[j]!, asOf: asOf.toISOString() });
        const department = batch[j]!.department_id;
        recountedByDepartment.set(department, [...(recountedByDepartment.get(department) ?? []), recounted[j]!.byKind]);
      });
    }
    const keptDepartments = isNow
      ? await departmentCountsNow(db, termId)
      : await departmentsOnDay(db, termId, await dayOf(db, termId, asOf), departments);
    for (const department of departments) {
      const kept = keptDepartments.get(department);
      if (!sameCounts(kept ? sum([kept]) : emptyCounts(), sum(recountedByDepartment.get(department) ?? [])))
        mismatches.push({ id: department, asOf: asOf.toISOString() });
    }
  }
  return mismatches;
}

/** Cabinets' measures as the refresher keeps them now (a cabinet it has not seen has none). */
async function currentOf(db: Kysely<Database>, cabinetIds: string[]): Promise<(CabinetMeasures | null)[]> {
  const rows = await db
    .selectFrom('cabinet_current')
    .select(['cabinet_id', 'counts'])
    .where('cabinet_id', 'in', cabinetIds)
    .execute();
  const counts = new Map(rows.map((row) => [row.cabinet_id, row.counts]));
  return cabinetIds.map((cabinetId) => {
    const kept = counts.get(cabinetId);
    return kept ? { cabinetId, ...measuresOf(countsByKind(kept)) } : null;
  });
}

/** Departments' counts by kind as the refresher keeps them now. */
async function departmentCountsNow(
  db: Kysely<Database>,
  termId: string,
): Promise<Map<string, CabinetMeasures['byKind']>> {
  const rows = await db
    .selectFrom('department_current')
    .select(['department_id', 'counts'])
    .where('term_id', '=', termId)
    .execute();
  return new Map(rows.map((row) => [row.department_id, countsByKind(row.counts)]));
}
