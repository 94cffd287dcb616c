// The three dictionaries: the same keys, and nothing in Kyrgyz or Russian left in English.
import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { ky } from './ky.ts';
import { ru } from './ru.ts';

const leaves = (node: unknown, path = ''): [string, string][] =>
  typeof node === 'string'
    ? [[path, node]]
    : Object.entries(node as object).flatMap(([key, value]) => leaves(value, path ? `${path}.${key}` : key));

/** The same in every language: the product's name, each language's own name, an empty state, column names. */
const sameEverywhere = new Set([
  'app.name',
  'language.ky',
  'language.ru',
  'language.en',
  'fileState.none',
  'import.readme.line6',
]);

const pluralForm = /_(zero|one|two|few|many|other)$/;

/** Each plural key's forms in a dictionary: `{ 'quiz.draw_above_bank': ['few', 'many', 'one', 'other'] }`. */
function pluralKeys(dictionary: object): Map<string, string[]> {
  const keys = leaves(dictionary).map(([key]) => key);
  const forms = new Map<string, string[]>();
  for (const key of keys) {
    const form = pluralForm.exec(key)?.[1];
    const base = key.replace(pluralForm, '');
    // A plural key always has `_other`; a key such as `too_many` alone is an ordinary key.
    if (form && keys.includes(`${base}_other`)) forms.set(base, [...(forms.get(base) ?? []), form].sort());
  }
  return forms;
}

describe('the dictionaries', () => {
  const english = new Map(leaves(en));
  const englishPlurals = pluralKeys(en);

  it.each([
    ['en', en],
    ['ru', ru],
    ['ky', ky],
  ] as const)('%s has exactly the plural forms its grammar needs, for the same keys', (locale, dictionary) => {
    const needed = [...new Intl.PluralRules(locale).resolvedOptions().pluralCategories].sort();
    const plurals = pluralKeys(dictionary);
    expect([...plurals.keys()].sort()).toEqual([...englishPlurals.keys()].sort());
    for (const [key, forms] of plurals) expect({ key, forms }).toEqual({ key, forms: needed });
    expect(englishPlurals.size).toBeGreaterThan(5);
  });

  for (const [name, dictionary] of [
    ['ky', ky],
    ['ru', ru],
  ] as const) {
    it(`${name} has every key of en and translates every text`, () => {
      const own = new Map(leaves(dictionary).filter(([key]) => !pluralForm.test(key) || english.has(key)));
      expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
      const untranslated = [...own].filter(([key, text]) => !sameEverywhere.has(key) && text === english.get(key));
      expect(untranslated).toEqual([]);
    });
  }
});
