import { describe, expect, it } from 'vitest';
import { en } from '../../server/common/dictionaries/en.ts';
import { ky } from '../../server/common/dictionaries/ky.ts';
import { ru } from '../../server/common/dictionaries/ru.ts';
import { i18nFor } from '../i18n.ts';
import { formatBytes, formatClock, formatDate, formatDuration } from './format.ts';

describe('formatting for people', () => {
  it('writes due dates with our month names in the term time zone', () => {
    const due = '2026-09-13T17:59:59.000Z'; // 23:59:59 in Bishkek
    expect(formatDate(due, i18nFor('ky', ky).t, 'Asia/Bishkek')).toBe('13-сен.');
    expect(formatDate(due, i18nFor('ru', ru).t, 'Asia/Bishkek')).toBe('13 сент.');
    expect(formatDate(due, i18nFor('en', en).t, 'Asia/Bishkek')).toBe('Sep 13');
    expect(formatDate('2026-09-13T18:30:00.000Z', i18nFor('en', en).t, 'Asia/Bishkek')).toBe('Sep 14');
  });

  it('writes sizes and times left', () => {
    const { t } = i18nFor('en', en);
    expect(formatBytes(512, t)).toBe('512 B');
    expect(formatBytes(5.5 * 1024 * 1024, t)).toBe('5.5 MB');
    expect(formatBytes(2 * 1024 ** 3, t)).toBe('2 GB');
    // The page language's decimal mark, the same on the server and in a browser without Kyrgyz data.
    expect(formatBytes(4000, i18nFor('ky', ky).t)).toBe('3,9 КБ');
    expect(formatBytes(5.5 * 1024 * 1024, i18nFor('ru', ru).t)).toBe('5,5 МБ');
    expect(formatDuration(5400, i18nFor('ky', ky).t)).toBe('1,5 саат');
    expect(formatDuration(42, t)).toBe('42 s');
    expect(formatDuration(600, t)).toBe('10 min');
    expect(formatDuration(Number.POSITIVE_INFINITY, t)).toBe('…');
  });

  it('shows a position in a recording as a clock', () => {
    expect([formatClock(0), formatClock(65.9), formatClock(3729), formatClock(Number.NaN)]).toEqual([
      '0:00',
      '1:05',
      '1:02:09',
      '0:00',
    ]);
  });
});
