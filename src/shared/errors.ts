/** The one error type of the domain. Routes, ARI handlers and socket events throw it; `toProblem` renders it. */
export const ErrorCodes = {
  validation_failed: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export interface FieldError {
  path: string;
  message: string;
  code?: string;
}

const titles: Record<ErrorCode, string> = {
  validation_failed: 'Validation failed',
  bad_request: 'Bad request',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  not_found: 'Not found',
  conflict: 'Conflict',
  gone: 'Gone',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  range_not_satisfiable: 'Range not satisfiable',
  rate_limited: 'Too many requests',
  internal: 'Internal error',
  unavailable: 'Service unavailable',
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { errors?: FieldError[]; retryAfterSeconds?: number; [k: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ErrorCodes[code];
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

export function toProblem(err: AppError, requestId?: string): Problem {
  const { retryAfterSeconds: _r, ...extra } = err.extra;
  return {
    type: `/problems/${err.code}`,
    title: titles[err.code],
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(requestId ? { requestId } : {}),
    ...extra,
  };
}

export const notFound = (what: string, id: string) => new AppError('not_found', `${what} ${id} not found`);

/** A 400 naming one field, for checks the request schema cannot make (unknown ids, dates in the past). */
export const fieldError = (path: string, message: string) => new AppError('validation_failed', message, { errors: [{ path, message }] });

/** PostgreSQL unique_violation, from either driver (postgres-js or PGlite). */
/** A date PostgreSQL cannot store (e.g. year 0): the client's input, not our failure. */
export function isDatetimeOutOfRange(err: unknown): boolean {
  const code = findPgError(err)?.code;
  return code === '22008' || code === '22007';
}

/** Connection-level failures of postgres-js: the server is down, restarting, or dropped us. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
]);

/**
 * The database cannot be reached or is going away (SQLSTATE class 08, shutdown 57P01–57P03, or a
 * socket failure): the request fails with 503 and the service carries on; the pool reconnects by itself.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || /^08/.test(code) || /^57P0[123]$/.test(code))) return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

/** The 503 that a request gets while the database is unreachable. */
export const databaseUnavailable = () =>
  new AppError('unavailable', 'The database is not reachable right now; the request was not completed. Try again in a few seconds', {
    retryAfterSeconds: 2,
  });

/** Text PostgreSQL cannot store: a NUL character (in text, 22021; in JSON, 22P05). */
export function isUnstorableText(err: unknown): boolean {
  const code = findPgError(err)?.code;
  return code === '22021' || code === '22P05';
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = findPgError(err);
  return !!e && e.code === '23505' && (!constraint || e.constraint === constraint || e.constraint_name === constraint);
}

function findPgError(err: unknown): { code?: string; constraint?: string; constraint_name?: string } | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const c = cur as { code?: unknown; cause?: unknown };
    if (typeof c.code === 'string' && /^[0-9A-Z]{5}$/.test(c.code)) return c as never;
    cur = c.cause;
  }
  return undefined;
}
