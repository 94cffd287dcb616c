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

describe('the dictionaries', () => {
  const english = new Map(leaves(en));
  for (const [name, dictionary] of [
    ['ky', ky],
    ['ru', ru],
  ] as const) {
    it(`${name} has every key of en and translates every text`, () => {
      const own = new Map(leaves(dictionary));
      expect([...own.keys()].sort()).toEqual([...english.keys()].sort());
      const untranslated = [...own].filter(([key, text]) => !sameEverywhere.has(key) && text === english.get(key));
      expect(untranslated).toEqual([]);
    });
  }
});
