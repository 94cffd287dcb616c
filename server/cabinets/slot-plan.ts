// Plans a cabinet's required slots from the subject's hours, the term's weeks and the department policy.
import { sql, type RawBuilder } from 'kysely';
import type { SlotKind, SlotPolicy } from '../../db/schema.ts';

export const defaultSlotPolicy: SlotPolicy = {
  lectureHoursPerVideo: 2,
  practicalHoursPerMaterial: 2,
  assessmentWeeks: [8, 15],
};

export type PlannedSlot = { kind: SlotKind; number: number; week: number };

/** Spreads `count` slots evenly over the term, the first in week 1. */
function spread(kind: SlotKind, count: number, weeks: number): PlannedSlot[] {
  return Array.from({ length: count }, (_, index) => ({
    kind,
    number: index + 1,
    week: Math.min(weeks, Math.floor((index * weeks) / count) + 1),
  }));
}

export function planSlots(input: {
  lectureHours: number;
  practicalHours: number;
  weeks: number;
  policy?: SlotPolicy | null;
}): PlannedSlot[] {
  const policy = input.policy ?? defaultSlotPolicy;
  const lectures = Math.ceil(input.lectureHours / policy.lectureHoursPerVideo);
  const practicals = Math.ceil(input.practicalHours / policy.practicalHoursPerMaterial);
  const assessmentWeeks = [...new Set(policy.assessmentWeeks.map((week) => Math.min(Math.max(1, week), input.weeks)))];
  return [
    ...spread('lecture_video', lectures, input.weeks),
    ...spread('practical_material', practicals, input.weeks),
    ...assessmentWeeks
      .sort((a, b) => a - b)
      .map((week, index) => ({ kind: 'interim_assessment' as const, number: index + 1, week })),
  ];
}

/** The last calendar day of a term week (1-based), as an ISO date; due at its end in the term's time zone. */
export function lastDayOfWeek(termStartsOn: string, week: number): string {
  const start = new Date(`${termStartsOn}T00:00:00Z`);
  start.setUTCDate(start.getUTCDate() + week * 7 - 1);
  return start.toISOString().slice(0, 10);
}

/** When a slot of `week` falls due: the end (23:59:59) of the week's last day in the term's zone, computed by Postgres. */
export function dueAtEndOfWeek(termStartsOn: string, week: number, timeZone: string): RawBuilder<Date> {
  return sql<Date>`(${lastDayOfWeek(termStartsOn, week)}::date + time '23:59:59') at time zone ${timeZone}`;
}
