// Translation with i18next: the dictionaries, locale negotiation and a translator per locale.
import i18next, { type TFunction } from 'i18next';
import { parseCookie } from 'cookie';
import type { Locale } from '../../db/schema.ts';
import { en } from '../common/dictionaries/en.ts';
import { ky } from '../common/dictionaries/ky.ts';
import { ru } from '../common/dictionaries/ru.ts';

import { defaultLocale, isLocale, LOCALE_COOKIE } from '../common/locales.ts';

export { defaultLocale, isLocale, LOCALE_COOKIE, locales } from '../common/locales.ts';
export const resources = { ky: { translation: ky }, ru: { translation: ru }, en: { translation: en } };

const translators = new Map<Locale, TFunction>();

/** A translator for one locale (built once, shared: i18next instances are not changed after init). */
export function translatorFor(locale: Locale): TFunction {
  let t = translators.get(locale);
  if (!t) {
    const instance = i18next.createInstance();
    void instance.init({
      lng: locale,
      fallbackLng: 'en',
      resources,
      initAsync: false,
      interpolation: { escapeValue: false },
    });
    t = instance.t;
    translators.set(locale, t);
  }
  return t;
}

/** The language chosen with the switcher (its cookie), if any. */
export function chosenLocale(headers: Headers): Locale | null {
  const cookieHeader = headers.get('cookie');
  const fromCookie = cookieHeader ? parseCookie(cookieHeader)[LOCALE_COOKIE] : undefined;
  return isLocale(fromCookie) ? fromCookie : null;
}

/**
 * The user's saved choice, else the language cookie, else Kyrgyz. The browser's Accept-Language is
 * not used: most machines at the university run Russian or English systems, and Kyrgyz is the default.
 */
export function negotiateLocale(headers: Headers, userLocale?: Locale | null): Locale {
  return userLocale ?? chosenLocale(headers) ?? defaultLocale;
}
