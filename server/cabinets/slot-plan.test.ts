import { describe, expect, it } from 'vitest';
import { lastDayOfWeek, planSlots } from './slot-plan.ts';

describe('planSlots', () => {
  it('plans one video per two lecture hours, one material per two practical hours and two assessments', () => {
    const slots = planSlots({ lectureHours: 32, practicalHours: 16, weeks: 16 });
    const count = (kind: string) => slots.filter((slot) => slot.kind === kind).length;
    expect(count('lecture_video')).toBe(16);
    expect(count('practical_material')).toBe(8);
    expect(slots.filter((slot) => slot.kind === 'interim_assessment').map((slot) => slot.week)).toEqual([8, 15]);
  });

  it('spreads slots over the whole term and rounds odd hours up', () => {
    const lectures = planSlots({ lectureHours: 9, practicalHours: 0, weeks: 16 }).filter(
      (slot) => slot.kind === 'lecture_video',
    );
    expect(lectures.map((slot) => slot.week)).toEqual([1, 4, 7, 10, 13]);
    expect(lectures.map((slot) => slot.number)).toEqual([1, 2, 3, 4, 5]);
  });

  it('follows a department policy and keeps assessments inside a short term', () => {
    const slots = planSlots({
      lectureHours: 8,
      practicalHours: 8,
      weeks: 10,
      policy: { lectureHoursPerVideo: 4, practicalHoursPerMaterial: 1, assessmentWeeks: [5, 15, 15] },
    });
    expect(slots.filter((slot) => slot.kind === 'lecture_video')).toHaveLength(2);
    expect(slots.filter((slot) => slot.kind === 'practical_material')).toHaveLength(8);
    expect(slots.filter((slot) => slot.kind === 'interim_assessment').map((slot) => slot.week)).toEqual([5, 10]);
  });

  it('puts no week past the end of the term', () => {
    const slots = planSlots({ lectureHours: 100, practicalHours: 3, weeks: 4 });
    expect(Math.max(...slots.map((slot) => slot.week))).toBe(4);
    expect(Math.min(...slots.map((slot) => slot.week))).toBe(1);
  });
});

describe('lastDayOfWeek', () => {
  it('is the seventh day of the week, across month ends', () => {
    expect(lastDayOfWeek('2026-09-07', 1)).toBe('2026-09-13');
    expect(lastDayOfWeek('2026-09-07', 4)).toBe('2026-10-04');
  });
});
