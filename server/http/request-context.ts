// Who is asking and in which language, from the headers of a Node or web request.
import type { Db } from '../../db/client.ts';
import type { Locale } from '../../db/schema.ts';
import { findSessionUser, readSessionToken, type SessionUser } from '../auth/sessions.ts';
import { AppError, httpStatusOf, isAppError } from '../errors.ts';
import { negotiateLocale, translatorFor } from '../i18n/i18n.ts';

export async function userFromHeaders(db: Db, headers: Headers): Promise<SessionUser | null> {
  return findSessionUser(db, readSessionToken(headers.get('cookie')));
}

/** The translated message and status for an error, for plain-text HTTP answers (tus, media). */
export function translatedError(error: unknown, locale: Locale): { status: number; message: string } {
  const appError = isAppError(error) ? error : new AppError('unavailable', 'errors.unexpected');
  const t = translatorFor(locale);
  return { status: httpStatusOf(appError.code), message: t(appError.messageKey, appError.params) };
}

export function localeOf(headers: Headers, user: SessionUser | null): Locale {
  return negotiateLocale(headers, user?.locale);
}
