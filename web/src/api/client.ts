import type { Problem } from './types';

/** A failed request, carrying the service's problem+json (or one made up for network failures). */
export class ApiError extends Error {
  constructor(
    readonly problem: Problem,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(problem.detail);
    this.name = 'ApiError';
  }
  get status() {
    return this.problem.status;
  }
  get code() {
    return this.problem.code;
  }
}

let onUnauthorized: () => void = () => {};

/** Called once by the app: any 401 (outside sign-in) sends the user back to the login page. */
export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Query;
  /** Extra request headers (e.g. `Idempotency-Key`). */
  headers?: Record<string, string>;
  /** Do not treat a 401 as "session gone" (the login form expects 401 for a wrong password). */
  expect401?: boolean;
}

/** JSON over fetch with the session cookie; throws ApiError for any non-2xx answer. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const init: RequestInit = {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    credentials: 'same-origin',
    headers: { ...opts.headers, accept: 'application/json, application/problem+json' },
  };
  if (opts.body !== undefined) {
    init.body = JSON.stringify(opts.body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), init);
  } catch (err) {
    throw new ApiError({ type: 'about:blank', title: 'Network error', status: 0, detail: (err as Error).message, code: 'network' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const body = parseJson(text);
  if (res.ok) return body as T;
  const problem: Problem =
    body && typeof body === 'object' && 'status' in body
      ? (body as Problem)
      : { type: 'about:blank', title: res.statusText, status: res.status, detail: text.slice(0, 200) || res.statusText, code: 'http' };
  const retry = Number(res.headers.get('retry-after'));
  const error = new ApiError(problem, Number.isFinite(retry) && retry > 0 ? retry : null);
  if (res.status === 401 && !opts.expect401) onUnauthorized();
  throw error;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
