// A cabinet's quality signals beside its measures: lecture minutes, captions, reuse, how much of
// each lecture students watched, and how much submitted work is graded. The refresher keeps their
// parts summed per cabinet and department (db/sql/report-refresh.sql); these turn parts into signals.
import type { Database } from '../../db/schema.ts';

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
export type QualityParts = Pick<
  Database['cabinet_current'],
  | 'lecture_seconds'
  | 'lectures'
  | 'captioned'
  | 'watched_sum'
  | 'watched_lectures'
  | 'reused'
  | 'submissions'
  | 'graded'
>;
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
export const qualityColumns = [
  'lecture_seconds',
  'lectures',
  'captioned',
  'watched_sum',
  'watched_lectures',
  'reused',
  'submissions',
  'graded',
] as const;
export const addQuality = (a: QualityParts, b: QualityParts): QualityParts =>
  Object.fromEntries(qualityColumns.map((column) => [column, Number(a[column]) + Number(b[column])])) as QualityParts;
export const noQuality = (): QualityParts =>
  Object.fromEntries(qualityColumns.map((column) => [column, 0])) as QualityParts;
