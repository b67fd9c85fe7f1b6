import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';

const onPostgres = !!process.env.DATABASE_URL;
if (!onPostgres) console.warn('[skip] database outage: it drops PostgreSQL connections (set DATABASE_URL)');

describe.skipIf(!onPostgres)('the database drops every connection under load', () => {
  let h: Harness;
  let admin: postgres.Sql;
  beforeAll(async () => {
    h = await startHarness();
    admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end();
    await h?.stop();
  });

  it('requests fail with a clear 503 meanwhile, the service recovers by itself, and nothing committed is lost', async () => {
    const op = await h.user('operator');
    const dbName = new URL(h.testDb.url!).pathname.slice(1);
    const created: string[] = [];
    const statuses = new Map<number, number>();
    const problems: Array<{ status: number; detail: string; retryAfter: string | null }> = [];
    let n = 0;
    let stop = false;

    // Eight clients keep creating contacts through the whole test.
    const load = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const i = n++;
        const res = await h.api('/api/contacts', { token: op.token, body: { name: `Outage ${i}`, phones: [`+7917${String(3000000 + i)}`] } });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) created.push(res.body.id);
        else problems.push({ status: res.status, detail: res.body?.detail, retryAfter: res.headers.get('retry-after') });
      }
    });
    await new Promise((r) => setTimeout(r, 500));
    // For two seconds every connection of the service is killed as soon as it appears.
    const outageEnds = Date.now() + 2000;
    let killed = 0;
    while (Date.now() < outageEnds) {
      const rows = await admin`select pg_terminate_backend(pid) as ok from pg_stat_activity where datname = ${dbName} and pid <> pg_backend_pid()`;
      killed += rows.filter((r) => r.ok).length;
      await new Promise((r) => setTimeout(r, 20));
    }
    // Then it must recover without help: requests succeed again.
    const recoveredBy = Date.now() + 10_000;
    const okBefore = statuses.get(201) ?? 0;
    while ((statuses.get(201) ?? 0) < okBefore + 20 && Date.now() < recoveredBy) await new Promise((r) => setTimeout(r, 50));
    stop = true;
    await Promise.all(load);

    expect(killed).toBeGreaterThan(0);
    expect(statuses.get(201) ?? 0).toBeGreaterThan(okBefore + 19);
    // No request failed with anything but a 503 that says why.
    expect([...statuses.keys()].filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
    for (const p of problems) {
      expect(p.detail).toMatch(/database is not reachable/);
      expect(p.retryAfter).toBe('2');
    }
    // Every contact the service confirmed is stored.
    const stored = await h.services.database.query<{ id: string }>(sql`select id from contacts where id in ${created}`);
    expect(stored.length).toBe(created.length);
    // And /health is healthy again.
    expect((await h.api('/health')).status).toBe(200);
  }, 60_000);
});
