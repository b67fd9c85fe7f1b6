import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementBatcher } from '../../src/db/batcher.js';
import { statementTemplate } from '../../src/db/statements.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

describe('statement batcher', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.database.query(sql`CREATE TABLE batch_probe (id int PRIMARY KEY, taken_by text)`);
    await t.database.query(sql`INSERT INTO batch_probe SELECT g, NULL FROM generate_series(1, 5) g`);
  }, 60_000);
  afterAll(() => t?.drop());

  const take = statementTemplate(['who'] as const, (p) => sql`
    UPDATE batch_probe SET taken_by = ${p.who}::text
    WHERE id = (SELECT id FROM batch_probe WHERE taken_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id, taken_by`);

  it('sends statements arriving together in one transaction, each seeing what the earlier ones wrote', async () => {
    const b = statementBatcher(t.database);
    const rows = await Promise.all(['a', 'b', 'c'].map((who) => b.run<{ id: number; taken_by: string }>(take({ who }))));
    expect(rows.map((r) => r[0])).toEqual([
      { id: 1, taken_by: 'a' },
      { id: 2, taken_by: 'b' },
      { id: 3, taken_by: 'c' },
    ]);
  });

  it('fails only the statement that fails: the rest of its batch is kept', async () => {
    const b = statementBatcher(t.database);
    const results = await Promise.allSettled([
      b.run(take({ who: 'd' })),
      b.run(sql`SELECT 1 / 0 AS boom`),
      b.run(take({ who: 'e' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/division by zero/);
    const taken = await t.database.query<{ id: number; taken_by: string }>(sql`SELECT id, taken_by FROM batch_probe WHERE id > 3 ORDER BY id`);
    expect(taken).toEqual([
      { id: 4, taken_by: 'd' },
      { id: 5, taken_by: 'e' },
    ]);
  });
});
