// The translated answer for an error, for plain-text HTTP glue (tus, the same-origin guard).
import type { Locale } from '../../db/schema.ts';
import { AppError, httpStatusOf, isAppError } from '../errors.ts';
import { translatorFor } from '../i18n/i18n.ts';

/** The translated message and status for an error, for plain-text HTTP answers (tus, media). */
export function translatedError(error: unknown, locale: Locale): { status: number; message: string } {
  const appError = isAppError(error) ? error : new AppError('unavailable', 'errors.unexpected');
  const t = translatorFor(locale);
  return { status: httpStatusOf(appError.code), message: t(appError.messageKey, appError.params) };
}
