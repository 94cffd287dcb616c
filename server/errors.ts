// Errors that cross module boundaries carry a string code; this is the one place that maps codes to HTTP.
export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'invalid_input'
  | 'invalid_upload'
  | 'upload_too_large'
  | 'unsupported_type'
  | 'conflict'
  | 'locked'
  | 'too_many_requests'
  | 'cross_origin'
  | 'unavailable'
  | 'storage_full'
  | 'internal';

const statusByCode: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_input: 400,
  invalid_upload: 400,
  upload_too_large: 413,
  unsupported_type: 415,
  conflict: 409,
  locked: 423,
  too_many_requests: 429,
  cross_origin: 403,
  unavailable: 503,
  storage_full: 507,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Dictionary key of the message people read; defaults to `errors.<code>`. */
  readonly messageKey: string;
  readonly params: Record<string, string | number>;

  constructor(code: ErrorCode, messageKey?: string, params: Record<string, string | number> = {}) {
    super(messageKey ?? `errors.${code}`);
    this.name = 'AppError';
    this.code = code;
    this.messageKey = messageKey ?? `errors.${code}`;
    this.params = params;
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return statusByCode[code];
}

/**
 * By its name and code, not `instanceof`: the Remix build bundles its own copy of this module, and
 * an AppError thrown by a service the server made from source (the password threads) must still be one.
 */
export function isAppError(error: unknown): error is AppError {
  if (!(error instanceof Error) || error.name !== 'AppError' || !('code' in error)) return false;
  return typeof error.code === 'string' && error.code in statusByCode;
}

/** SQLSTATEs and socket errors that mean "the database is not there", not "the query is wrong". */
const databaseGone = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);
const databaseGoneMessages =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly)|is not currently accepting connections/;

/** Seconds a client is asked to wait while the database or storage is away. */
export const unavailableRetrySeconds = 5;

/**
 * An error from below — the database gone, the disk full, the media store failing — as the
 * AppError people should read (503 with a time to try again, 507), or null when it is a bug.
 */
export function infrastructureError(error: unknown): AppError | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, message, $metadata } = error as {
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (code === 'ENOSPC' || code === 'EDQUOT') return new AppError('storage_full', 'errors.storage_full');
  const gone =
    (typeof code === 'string' && (databaseGone.has(code) || code.startsWith('08'))) ||
    (typeof message === 'string' && databaseGoneMessages.test(message)) ||
    // The S3-compatible store failing or unreachable.
    ($metadata !== undefined && ($metadata.httpStatusCode === undefined || $metadata.httpStatusCode >= 500));
  return gone ? new AppError('unavailable', 'errors.unavailable', { seconds: unavailableRetrySeconds }) : null;
}

/** The AppError to answer with: the error itself, what an infrastructure error means, or null for a bug. */
export function answerableError(error: unknown): AppError | null {
  return isAppError(error) ? error : infrastructureError(error);
}
