// react-i18next over one language's dictionary (app/dictionaries.ts); one instance per language.
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from '../db/schema.ts';
import type { Dictionary } from '../server/common/dictionaries/en.ts';

/** One instance per dictionary, made once: every page rendered in a language shares it (it holds no request's state). */
const instances = new WeakMap<Dictionary, I18n>();

export function i18nFor(locale: Locale, dictionary: Dictionary): I18n {
  let instance = instances.get(dictionary);
  if (!instance) {
    instance = createI18n(locale, dictionary);
    instances.set(dictionary, instance);
  }
  return instance;
}

function createI18n(locale: Locale, dictionary: Dictionary): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng: locale,
    resources: { [locale]: { translation: dictionary } },
    initAsync: false,
    interpolation: { escapeValue: false },
    react: { useSuspense: false },
  });
  return instance;
}
