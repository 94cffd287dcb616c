// Numbers, sizes, durations, dates and times in the page's language: the one formatting path for the
// server's render, the browser's and the exports, so that a page hydrates with the text it was sent.
import type { TFunction } from 'i18next';

/**
 * A number with the page language's decimal mark, from our dictionaries rather than Intl: browsers
 * ship trimmed locale data (Chromium formats Kyrgyz as English, Node with a comma), and a server
 * and a browser that write a number differently break hydration.
 */
function decimal(value: number, t: TFunction): string {
  return String(value).replace('.', t('units.decimal'));
}

/** A share (0…1) as a whole percentage, `94%`; `—` when there is none. Pages and CSV exports alike. */
export function formatPercent(value: number | null): string {
  return value === null ? '—' : `${Math.round(value * 100)}%`;
}

/** A score or other measure, to two decimals at most, with the page language's decimal mark. */
export function formatNumber(value: number, t: TFunction): string {
  return decimal(Math.round(value * 100) / 100, t);
}

export function formatBytes(bytes: number, t: TFunction): string {
  const units = ['B', 'KB', 'MB', 'GB'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = value < 10 && unit > 0 ? Math.round(value * 10) / 10 : Math.round(value);
  return `${decimal(rounded, t)} ${t(`units.${units[unit]}`)}`;
}

export function formatDuration(seconds: number, t: TFunction): string {
  if (!Number.isFinite(seconds)) return '…';
  if (seconds < 90) return t('units.seconds', { n: Math.max(1, Math.round(seconds)) });
  if (seconds < 90 * 60) return t('units.minutes', { n: Math.round(seconds / 60) });
  return t('units.hours', { n: decimal(Math.round((seconds / 3600) * 10) / 10, t) });
}

/**
 * Day and month in the term's time zone, with month names from our dictionaries: browsers ship
 * trimmed locale data (Chromium has no Kyrgyz months), and server and browser must render alike.
 */
export function formatDate(iso: string, t: TFunction, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { day: 'numeric', month: 'numeric', timeZone }).formatToParts(
    new Date(iso),
  );
  const day = parts.find((part) => part.type === 'day')?.value ?? '';
  const month = parts.find((part) => part.type === 'month')?.value ?? '1';
  return t('dates.dayMonth', { day, month: t(`dates.m${month}`) });
}

/** A position in a recording: `4:05`, `1:02:09`. */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return `${h ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** Day, month and time of day (24 h) in a time zone, with our month names (see `formatDate`). */
export function formatDateTime(iso: string, t: TFunction, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone,
  }).formatToParts(new Date(iso));
  const hour = parts.find((part) => part.type === 'hour')?.value ?? '00';
  const minute = parts.find((part) => part.type === 'minute')?.value ?? '00';
  return `${formatDate(iso, t, timeZone)}, ${hour}:${minute}`;
}

/** A full date and time (`2026-11-29 21:05`) in a time zone: the same on the server and in every browser. */
export function formatTimestamp(iso: string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
