// Hydration, once the page's language is loaded (its dictionary is a chunk of its own).
import { RemixBrowser } from '@remix-run/react';
import { startTransition, StrictMode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { isLocale } from '../server/i18n/locales.ts';
import { loadDictionary } from './dictionaries.ts';

const lang = document.documentElement.lang;
void loadDictionary(isLocale(lang) ? lang : 'ky').then(() => {
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <RemixBrowser />
      </StrictMode>,
    );
  });
});
