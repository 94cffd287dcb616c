// Hydration, once the page's language is loaded (its dictionary is a chunk of its own).
import { RemixBrowser } from '@remix-run/react';
import { startTransition, StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { isLocale } from '../server/common/locales.ts';
import { loadDictionary } from './dictionaries.ts';

const lang = document.documentElement.lang;
const locale = isLocale(lang) ? lang : 'ky';

/** The page's dictionary, tried again on a weak connection (without it the page would stay as the server sent it). */
async function dictionaryLoaded(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await loadDictionary(locale);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
    }
  }
}

void dictionaryLoaded().then(() => {
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  });
});
