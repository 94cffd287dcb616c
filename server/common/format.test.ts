import { describe, expect, it } from 'vitest';
import { en } from './dictionaries/en.ts';
import { ky } from './dictionaries/ky.ts';
import { ru } from './dictionaries/ru.ts';
import { i18nFor } from '../../app/i18n.ts';
import { formatBytes, formatClock, formatDate, formatDuration } from './format.ts';
import { formatCases } from '../../tests/helpers/format-cases.ts';

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

describe('formatting in every language', () => {
  it('writes each case as a reader of that language expects', () => {
    const cases = formatCases();
    expect(cases.ky).toEqual([
      '512 Б',
      '3,9 КБ',
      '2,7 МБ',
      '2 ГБ',
      '42 сек',
      '10 мүн',
      '1,5 саат',
      '7,46',
      '10',
      '13-сен.',
      '13-сен., 23:59',
      '1-фев., 09:05',
      '2026-09-13 23:59',
      '1:02:09',
      'Банкта болгону 1 суроо бар.',
      'Банкта болгону 3 суроо бар.',
      'Банкта болгону 5 суроо бар.',
      'Банкта болгону 21 суроо бар.',
    ]);
    expect(cases.ru).toEqual([
      '512 Б',
      '3,9 КБ',
      '2,7 МБ',
      '2 ГБ',
      '42 с',
      '10 мин',
      '1,5 ч',
      '7,46',
      '10',
      '13 сент.',
      '13 сент., 23:59',
      '1 февр., 09:05',
      '2026-09-13 23:59',
      '1:02:09',
      'В банке только 1 вопрос.',
      'В банке только 3 вопроса.',
      'В банке только 5 вопросов.',
      'В банке только 21 вопрос.',
    ]);
    expect(cases.en).toEqual([
      '512 B',
      '3.9 KB',
      '2.7 MB',
      '2 GB',
      '42 s',
      '10 min',
      '1.5 h',
      '7.46',
      '10',
      'Sep 13',
      'Sep 13, 23:59',
      'Feb 1, 09:05',
      '2026-09-13 23:59',
      '1:02:09',
      'The bank has only 1 question.',
      'The bank has only 3 questions.',
      'The bank has only 5 questions.',
      'The bank has only 21 questions.',
    ]);
  });
});
