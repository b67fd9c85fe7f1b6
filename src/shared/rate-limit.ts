import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Clock } from './clock.js';
import { AppError } from './errors.js';

function currentWindow(clock: Clock, windowSeconds: number) {
  const nowMs = clock.now().getTime();
  const windowMs = windowSeconds * 1000;
  const windowStart = new Date(Math.floor(nowMs / windowMs) * windowMs);
  return { windowStart, retryAfterSeconds: Math.max(1, Math.ceil((windowStart.getTime() + windowMs - nowMs) / 1000)) };
}

/**
 * Fixed-window counter kept in PostgreSQL, so every instance behind a load balancer shares the same budget.
 * Throws `rate_limited` (429, with Retry-After) once `limit` hits are used in the current window.
 */
export async function consumeRateLimit(
  database: Database,
  clock: Clock,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<void> {
  const { windowStart, retryAfterSeconds } = currentWindow(clock, windowSeconds);
  const rows = await database.query<{ hits: number }>(sql`
    INSERT INTO rate_limit_hits (key, window_start, hits) VALUES (${key}, ${windowStart.toISOString()}, 1)
    ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
    RETURNING hits`);
  if (Number(rows[0]!.hits) > limit) {
    throw new AppError('rate_limited', `Too many attempts; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/** Throws `rate_limited` when the key has already used its budget, without spending any of it. */
export async function assertUnderRateLimit(
  database: Database,
  clock: Clock,
  key: string,
  limit: number,
  windowSeconds: number,
): Promise<void> {
  const { windowStart, retryAfterSeconds } = currentWindow(clock, windowSeconds);
  const rows = await database.query<{ hits: number }>(
    sql`SELECT hits FROM rate_limit_hits WHERE key = ${key} AND window_start = ${windowStart.toISOString()}`,
  );
  if (rows.length && Number(rows[0]!.hits) >= limit) {
    throw new AppError('rate_limited', `Too many attempts; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

export async function resetRateLimit(database: Database, key: string): Promise<void> {
  await database.query(sql`DELETE FROM rate_limit_hits WHERE key = ${key}`);
}

export async function pruneRateLimits(database: Database, clock: Clock, olderThanSeconds: number): Promise<void> {
  const cutoff = new Date(clock.now().getTime() - olderThanSeconds * 1000);
  await database.query(sql`DELETE FROM rate_limit_hits WHERE window_start < ${cutoff.toISOString()}`);
}
