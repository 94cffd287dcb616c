// The same formatting cases, run by Node (server/common/format.test.ts) and by Chromium on a browser
// build of the same modules (tests/e2e/format-in-browser.test.ts): a page hydrates only if both agree.
import i18next, { type TFunction } from 'i18next';
import { en } from '../../server/common/dictionaries/en.ts';
import { ky } from '../../server/common/dictionaries/ky.ts';
import { ru } from '../../server/common/dictionaries/ru.ts';
import {
  formatBytes,
  formatClock,
  formatDate,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatTimestamp,
} from '../../server/common/format.ts';

const dictionaries = { ky, ru, en };

function translator(locale: keyof typeof dictionaries): TFunction {
  const instance = i18next.createInstance();
  void instance.init({
    lng: locale,
    resources: { [locale]: { translation: dictionaries[locale] } },
    initAsync: false,
    interpolation: { escapeValue: false },
  });
  return instance.t;
}

/** Every formatter and a plural, in each language: `{ ky: [...], ru: [...], en: [...] }`. */
export function formatCases(): Record<keyof typeof dictionaries, string[]> {
  const due = '2026-09-13T17:59:59.000Z';
  const cases = (t: TFunction) => [
    formatBytes(512, t),
    formatBytes(4000, t),
    formatBytes(2.7 * 1024 * 1024, t),
    formatBytes(2 * 1024 ** 3, t),
    formatDuration(42, t),
    formatDuration(600, t),
    formatDuration(5400, t),
    formatNumber(7.456, t),
    formatNumber(10, t),
    formatDate(due, t, 'Asia/Bishkek'),
    formatDateTime(due, t, 'Asia/Bishkek'),
    formatDateTime('2026-02-01T06:05:00.000Z', t, 'Europe/Moscow'),
    formatTimestamp(due, 'Asia/Bishkek'),
    formatClock(3729),
    t('quiz.draw_above_bank', { count: 1 }),
    t('quiz.draw_above_bank', { count: 3 }),
    t('quiz.draw_above_bank', { count: 5 }),
    t('quiz.draw_above_bank', { count: 21 }),
  ];
  return { ky: cases(translator('ky')), ru: cases(translator('ru')), en: cases(translator('en')) };
}
