// A page's title in the reader's language (the root's locale), for routes' `meta`.
import type { LoaderFunction, MetaFunction, SerializeFrom } from '@remix-run/node';
import { isLocale } from '../../server/common/locales.ts';
import { translatorOf } from '../dictionaries.ts';

/** `meta` that titles the page with a dictionary key (and, if given, a name from the loader's data). */
export function titled<L extends LoaderFunction = LoaderFunction>(
  key: string,
  name?: (data: SerializeFrom<L>) => string | undefined,
): MetaFunction<L> {
  return ({ data, matches }) => {
    const locale = (matches.find((match) => match.id === 'root')?.data as { locale?: unknown } | undefined)?.locale;
    const t = translatorOf(isLocale(locale) ? locale : 'ky');
    const named = data ? name?.(data) : undefined;
    return [{ title: [named, t(key), 'Kabinet'].filter(Boolean).join(' · ') }];
  };
}
