// A department's report page as the refresher keeps it (`department_current.cabinet_rows` and
// `week_ends`, JSON text with named fields made by db/sql/report-refresh.sql), read into what the
// report shows. Pure.
import type { OverdueJson, SlotCountsByKind, SlotKind, StudyForm } from '../../db/schema.ts';
import { countsByKind, measuresOf, type CabinetMeasures } from '../common/report-measures.ts';
import { qualityOf, type QualityParts, type QualitySignals } from './quality.ts';

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

/** A cabinet of `department_current.cabinet_rows`, as the refresher writes it. */
type CabinetRowJson = {
  cabinetId: string;
  instructorId: string;
  instructorName: string;
  subjectCode: string;
  subjectName: string;
  groups: string[] | null;
  studyForms: StudyForm[] | null;
  counts: SlotCountsByKind;
  quality: QualityParts;
  overdue: OverdueJson[];
};
/** A week's end of `department_current.week_ends`: the department's counts then, all kinds together. */
type WeekEndJson = { end: string; required: number; delivered: number; due: number; onTime: number };

export type WeekPoint = { week: number; asOf: string; completeness: number | null; timeliness: number | null };
export type DepartmentPage = { cabinets: CabinetNow[]; weekEnds: (WeekPoint & { end: Date })[] };

const share = (part: number, whole: number) => (whole ? part / whole : null);

/** A department's report page from the two JSON texts the refresher writes. */
export function decodePage(cabinetRows: string, weekEndRows: string): DepartmentPage {
  const cabinets = (JSON.parse(cabinetRows) as CabinetRowJson[]).map((row) => ({
    cabinetId: row.cabinetId,
    instructorId: row.instructorId,
    instructorName: row.instructorName,
    subjectCode: row.subjectCode,
    subjectName: row.subjectName,
    groups: row.groups ?? [],
    studyForms: row.studyForms ?? [],
    measures: { cabinetId: row.cabinetId, ...measuresOf(countsByKind(row.counts)) },
    quality: qualityOf(row.quality),
    overdue: row.overdue.map(({ kind, number, dueAt }) => ({
      cabinetId: row.cabinetId,
      subjectCode: row.subjectCode,
      subjectName: row.subjectName,
      kind,
      number,
      dueAt,
    })),
  }));
  const weekEnds = (JSON.parse(weekEndRows) as WeekEndJson[]).map((week, i) => ({
    week: i + 1,
    end: new Date(week.end),
    asOf: week.end,
    completeness: share(week.delivered, week.required),
    timeliness: share(week.onTime, week.due),
  }));
  return { cabinets, weekEnds };
}
