import { ApiError } from '../api/client';
import type { FieldError, Problem } from '../api/types';
import type { Translate } from '../i18n';
import { SocketError } from '../realtime/socket';

export function problemOf(err: unknown): Problem | null {
  if (err instanceof ApiError || err instanceof SocketError) return err.problem;
  return null;
}

/**
 * A sentence for the user. The service's `detail` is English; the cases a user meets most (no network,
 * rate limit, missing rights) get a translated sentence, anything else shows the server's own words.
 */
export function problemMessage(err: unknown, t: Translate): string {
  const p = problemOf(err);
  if (!p) return t('errors.unexpected');
  if (p.code === 'network') return t('errors.network');
  if (p.status === 429) {
    const seconds = err instanceof ApiError && err.retryAfterSeconds ? err.retryAfterSeconds : null;
    return seconds ? t('errors.rateLimitedFor', { seconds }) : t('errors.rateLimited');
  }
  if (p.status === 403) return t('errors.forbidden', { detail: p.detail });
  if (p.status === 404) return t('errors.notFound');
  if (p.status >= 500) return t('errors.server', { detail: p.detail });
  if (p.code === 'validation_failed' && p.errors?.length) return t('errors.validation');
  return p.detail;
}

/** Field errors keyed by their path (`email`, `phones.0`…); several messages for one path are joined. */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const list: FieldError[] = problemOf(err)?.errors ?? [];
  for (const e of list) out[e.path] = out[e.path] ? `${out[e.path]}; ${e.message}` : e.message;
  return out;
}
