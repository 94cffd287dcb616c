// The translated answer for an error, for HTTP glue outside Remix (tus, the zip, the same-origin
// guard, the last error handler).
import type { Locale } from '../../db/schema.ts';
import { AppError, answerableError, httpStatusOf } from '../errors.ts';
import { translatorFor } from '../i18n/i18n.ts';

export type TranslatedError = { status: number; message: string; retryAfter: number | null; bug: boolean };

/**
 * The translated message and status for an error: a refusal's own, the database gone (503, try
 * again in a few seconds), the disk full (507); anything else is a bug (500, a message that says
 * nothing of the inside).
 */
export function translatedError(error: unknown, locale: Locale): TranslatedError {
  const answer = answerableError(error);
  const appError = answer ?? new AppError('internal', 'errors.unexpected');
  const t = translatorFor(locale);
  const seconds = appError.params.seconds;
  const retryAfter =
    (appError.code === 'unavailable' || appError.code === 'too_many_requests') && typeof seconds === 'number'
      ? seconds
      : null;
  return {
    status: httpStatusOf(appError.code),
    message: t(appError.messageKey, appError.params),
    retryAfter,
    bug: answer === null,
  };
}
