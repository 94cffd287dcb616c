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
  | 'too_many_requests'
  | 'cross_origin'
  | 'unavailable';

const statusByCode: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  invalid_input: 400,
  invalid_upload: 400,
  upload_too_large: 413,
  unsupported_type: 415,
  conflict: 409,
  too_many_requests: 429,
  cross_origin: 403,
  unavailable: 503,
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
