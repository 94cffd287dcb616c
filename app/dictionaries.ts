// The dictionaries the interface is rendered with. The server holds all three (entry.server.tsx
// provides them); a browser loads only its page's language before hydrating (entry.client.tsx),
// and another one when the reader switches, each as a chunk of its own: the three together were
// 34 KB of every page's scripts.
import i18next, { type TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import type { Locale } from '../db/schema.ts';
import type { Dictionary } from '../server/common/dictionaries/en.ts';

const loaded = new Map<Locale, Dictionary>();
const translators = new Map<Locale, TFunction>();

const loaders: Record<Locale, () => Promise<Dictionary>> = {
  ky: () => import('../server/common/dictionaries/ky.ts').then((module) => module.ky),
  ru: () => import('../server/common/dictionaries/ru.ts').then((module) => module.ru),
  en: () => import('../server/common/dictionaries/en.ts').then((module) => module.en),
};

export function provideDictionary(locale: Locale, dictionary: Dictionary): void {
  loaded.set(locale, dictionary);
}

export async function loadDictionary(locale: Locale): Promise<Dictionary> {
  const known = loaded.get(locale);
  if (known) return known;
  const dictionary = await loaders[locale]();
  loaded.set(locale, dictionary);
  return dictionary;
}

/** A loaded dictionary: the locale's own, or (while it loads) any other, so that a page never renders keys. */
function available(locale: Locale): { locale: Locale; dictionary: Dictionary } {
  const own = loaded.get(locale);
  if (own) return { locale, dictionary: own };
  const [other, dictionary] = loaded.entries().next().value ?? [];
  if (!other || !dictionary) throw new Error('no dictionary is loaded (entry.server and entry.client provide one)');
  return { locale: other, dictionary };
}

/** The dictionary to render `locale` with; a language not loaded yet is fetched and the page re-rendered. */
export function useDictionary(locale: Locale): { locale: Locale; dictionary: Dictionary } {
  const [, rendered] = useState(0);
  useEffect(() => {
    if (!loaded.has(locale)) void loadDictionary(locale).then(() => rendered((n) => n + 1));
  }, [locale]);
  return available(locale);
}

/** A translator outside components (page titles): the locale's, or the one loaded meanwhile. */
export function translatorOf(locale: Locale): TFunction {
  const { locale: shown, dictionary } = available(locale);
  let t = translators.get(shown);
  if (!t) {
    const instance = i18next.createInstance();
    void instance.init({
      lng: shown,
      resources: { [shown]: { translation: dictionary } },
      initAsync: false,
      interpolation: { escapeValue: false },
    });
    t = instance.t;
    translators.set(shown, t);
  }
  return t;
}
