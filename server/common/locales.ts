// The interface languages, without their dictionaries: safe for the browser to import.
import type { Locale } from '../../db/schema.ts';

export const locales = ['ky', 'ru', 'en'] as const satisfies readonly Locale[];
export const defaultLocale: Locale = 'ky';
export const LOCALE_COOKIE = 'kabinet_lang';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}
