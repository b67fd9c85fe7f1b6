import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementBatcher, type StatementGroup } from '../../src/db/batcher.js';
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

  describe('groups', () => {
    beforeAll(async () => {
      await t.database.query(sql`CREATE TABLE group_probe (id int PRIMARY KEY, taken_by text)`);
      await t.database.query(sql`INSERT INTO group_probe SELECT g, NULL FROM generate_series(1, 4) g`);
    });
    const takeOne = statementTemplate(['who'] as const, (p) => sql`
      UPDATE group_probe SET taken_by = ${p.who}::text
      WHERE id = (SELECT id FROM group_probe WHERE taken_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, taken_by`);
    const takeMany = statementTemplate(['who'] as const, (p) => sql`
      WITH asking AS (SELECT w, row_number() OVER () AS k FROM unnest(${p.who}::text[]) AS w),
      free AS (SELECT id FROM group_probe WHERE taken_by IS NULL ORDER BY id LIMIT 2 FOR UPDATE SKIP LOCKED),
      numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM free)
      UPDATE group_probe g SET taken_by = a.w FROM asking a JOIN numbered f ON f.k = a.k WHERE g.id = f.id
      RETURNING g.id, g.taken_by`);
    /** Serves at most two members; says "x" breaks it. */
    const pair: StatementGroup<string> = {
      build: (who) => (who.includes('x') ? { text: 'SELECT 1 / 0', params: [] } : takeMany({ who })),
      split: (rows, who) => who.map((w) => {
        const mine = rows.filter((r) => r.taken_by === w);
        return mine.length ? mine : undefined;
      }),
    };

    it('answers members with one statement; those it leaves run their own after it, in the same transaction', async () => {
      const b = statementBatcher(t.database);
      const calls: number[] = [];
      const batch = t.database.batch.bind(t.database);
      const spy = { ...t.database, batch: ((qs, then) => batch(qs, then && ((rows) => { const more = then(rows); calls.push(qs.length, more.length); return more; }))) as typeof t.database.batch };
      const grouped = statementBatcher(spy);
      const rows = await Promise.all(['p', 'q', 'r'].map((w) => grouped.runInGroup<{ id: number; taken_by: string }, string>(pair, w, takeOne({ who: w }))));
      expect(rows.map((r) => r[0])).toEqual([
        { id: 1, taken_by: 'p' },
        { id: 2, taken_by: 'q' },
        { id: 3, taken_by: 'r' },
      ]);
      expect(calls).toEqual([1, 1]);
      // A member alone in its batch runs its own statement.
      expect((await b.runInGroup<{ id: number }, string>(pair, 's', takeOne({ who: 's' })))[0]).toEqual({ id: 4, taken_by: 's' });
    });

    it('when the group statement fails, each member runs alone', async () => {
      await t.database.query(sql`UPDATE group_probe SET taken_by = NULL`);
      const sent: string[][] = [];
      const batch = t.database.batch.bind(t.database);
      const b = statementBatcher({ ...t.database, batch: ((qs, then) => (sent.push(qs.map((q) => ('text' in q ? q.text.trim().slice(0, 12) : '?'))), batch(qs, then))) as typeof t.database.batch });
      const rows = await Promise.all(['x', 'y'].map((w) => b.runInGroup<{ id: number; taken_by: string }, string>(pair, w, takeOne({ who: w }))));
      expect(rows.map((r) => r[0]!.taken_by)).toEqual(['x', 'y']);
      expect(sent).toEqual([['SELECT 1 / 0'], ['UPDATE group'], ['UPDATE group']]);
    });
  });
});
