// A name in the reader's language: the structure keeps the Kyrgyz name (required) and, where the
// university has them, Russian and English ones; a missing one falls back to Kyrgyz.
import type { Locale } from '../../db/schema.ts';

export type Names = { name: string; name_ru: string | null; name_en: string | null };

export function localName(row: Names, locale: Locale): string {
  return (locale === 'ru' ? row.name_ru : locale === 'en' ? row.name_en : null) || row.name;
}
