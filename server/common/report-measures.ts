// A plan's measures: counts by slot kind, completeness and timeliness, and how a share is judged.
// Pure: the reports, the exports and the pages share one copy.
import type { SlotCounts, SlotKind } from '../../db/schema.ts';

export type Counts = SlotCounts;
export type CabinetMeasures = {
  cabinetId: string;
  byKind: Record<SlotKind, Counts>;
  total: Counts;
  completeness: number | null;
  timeliness: number | null;
};

/** The three kinds of plan slot, in the order reports show them. */
export const slotKinds: readonly SlotKind[] = ['lecture_video', 'practical_material', 'interim_assessment'];
export const emptyCounts = (): Counts => ({ required: 0, due: 0, delivered: 0, onTime: 0, overdue: 0 });
export const addCounts = (a: Counts, b: Counts): Counts => ({
  required: a.required + b.required,
  due: a.due + b.due,
  delivered: a.delivered + b.delivered,
  onTime: a.onTime + b.onTime,
  overdue: a.overdue + b.overdue,
});
/** Counts by kind as the database writes them (`report_counts`: JSON, keys in its own order), in ours; a kind missing counts zero. */
export function countsByKind(
  json: Partial<Record<SlotKind, Partial<Counts>>> | null | undefined,
): Record<SlotKind, Counts> {
  const counts = (c: Partial<Counts> | undefined): Counts => ({
    required: c?.required ?? 0,
    due: c?.due ?? 0,
    delivered: c?.delivered ?? 0,
    onTime: c?.onTime ?? 0,
    overdue: c?.overdue ?? 0,
  });
  return Object.fromEntries(slotKinds.map((kind) => [kind, counts(json?.[kind])])) as Record<SlotKind, Counts>;
}
/** Counts by kind, with their total and its ratios (a cabinet's, a department's). */
export function measuresOf(byKind: Record<SlotKind, Counts>) {
  const total = slotKinds.reduce((sum, kind) => addCounts(sum, byKind[kind]), emptyCounts());
  return { byKind, total, ...ratios(total) };
}

/** How a share is judged on pages and in exports: good from 90 %, fair from 60 %, poor below. */
export const levelOf = (share: number | null): 'good' | 'fair' | 'poor' | 'none' =>
  share === null ? 'none' : share >= 0.9 ? 'good' : share >= 0.6 ? 'fair' : 'poor';

/** delivered ÷ required, and on time ÷ due so far; null when there is nothing to divide by. */
export const ratios = (counts: Counts) => ({
  completeness: counts.required ? counts.delivered / counts.required : null,
  timeliness: counts.due ? counts.onTime / counts.due : null,
});
