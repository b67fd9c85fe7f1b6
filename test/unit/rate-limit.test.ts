import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/shared/errors.js';
import { consumeRateLimit, pruneRateLimits } from '../../src/shared/rate-limit.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t?.drop());

const at = (iso: string) => ({ now: () => new Date(iso) });

describe('rate limits', () => {
  it('count per fixed window, refuse past the limit with a retry time, and start again in the next window', async () => {
    const clock = at('2026-11-20T10:00:10Z');
    await consumeRateLimit(t.database, clock, 'k1', 2, 60);
    await consumeRateLimit(t.database, clock, 'k1', 2, 60);
    const err = await consumeRateLimit(t.database, clock, 'k1', 2, 60).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).extra.retryAfterSeconds).toBe(50);
    await expect(consumeRateLimit(t.database, at('2026-11-20T10:01:00Z'), 'k1', 2, 60)).resolves.toBeUndefined();
  });

  it('pruning drops finished windows only', async () => {
    await consumeRateLimit(t.database, at('2026-11-20T08:00:00Z'), 'old', 5, 60);
    await consumeRateLimit(t.database, at('2026-11-20T10:00:00Z'), 'new', 5, 60);
    await pruneRateLimits(t.database, at('2026-11-20T10:00:30Z'), 120);
    const keys = await t.database.query<{ key: string }>(sql`select distinct key from rate_limit_hits order by key`);
    expect(keys.map((k) => k.key)).toEqual(['k1', 'new']);
  });
});
