/**
 * npm run bench:allocate — BENCH_OPERATORS operators (default 200) at once pull the next contact and
 * record a disposition, again and again, for BENCH_SECONDS (default 30) per run, on one fresh PostgreSQL
 * database shared by two service instances (each with its own connections): first through the domain
 * functions the routes call, then through the HTTP API. Prints allocations/s and double allocations (an
 * entry handed to two operators at once; must be 0).
 * Target: ≥ 2,000 allocations/s on PostgreSQL.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test  (a server where it may create a database)
 */
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { startService, type RunningService } from '../src/server.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { createLogger } from '../src/shared/logger.js';
import { newId } from '../src/shared/ids.js';
import { campaignMembers, campaigns, dialLists, users } from '../src/db/schema.js';
import { nextEntry, recordDisposition } from '../src/dialer/allocate.js';
import { pct } from './bench-stats.js';

const operators = Number(process.env.BENCH_OPERATORS ?? 200);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const entries = Number(process.env.BENCH_ENTRIES ?? 200_000);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';


async function main() {
  const dbName = `sb_bench_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const config = loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'warn', TOKEN_SECRET: 'x'.repeat(40), ADMIN_PASSWORD: 'bench-password-1', PORT: '0', HOST: '127.0.0.1' });
  const dbs: Database[] = [];
  const instances: RunningService[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const database = await openDatabase({ kind: 'postgres', url: url.toString(), max: 20 });
      dbs.push(database);
      instances.push(await startService(config, { database, logger: createLogger('warn') }));
    }
    const s = instances[0]!.services;
    const now = new Date();

    // A campaign that calls around the clock, its operators, and a big due list (bulk-loaded, not timed).
    const campaignId = newId('campaign');
    await s.database.db.insert(campaigns).values({
      id: campaignId, name: 'Bench', status: 'active', windowStart: '00:00', windowEnd: '23:59', windowDays: [1, 2, 3, 4, 5, 6, 7],
      maxAttempts: 50, retryMinutes: { no_answer: 1, busy: 1, voicemail: 1 }, createdAt: now, updatedAt: now,
    });
    const listId = newId('dialList');
    await s.database.db.insert(dialLists).values({ id: listId, campaignId, name: 'Bench', status: 'ready', createdAt: now });
    const tokens: string[] = [];
    const opUsers: Array<{ id: string; role: 'operator'; name: string; email: string; tokenVersion: number; locale: 'ru'; timezone: string }> = [];
    for (let i = 0; i < operators; i++) {
      const id = newId('user');
      await s.database.db.insert(users).values({ id, email: `op${i}@bench.local`, name: `Operator ${i}`, role: 'operator', passwordHash: 'x', timezone: 'Europe/Moscow', statusChangedAt: now, createdAt: now, updatedAt: now });
      await s.database.db.insert(campaignMembers).values({ campaignId, userId: id });
      tokens.push((await s.tokens.issue({ id, role: 'operator', tokenVersion: 0 })).token);
      opUsers.push({ id, role: 'operator', name: `Operator ${i}`, email: `op${i}@bench.local`, tokenVersion: 0, locale: 'ru', timezone: 'Europe/Moscow' });
    }
    for (let from = 0; from < entries; from += 20_000) {
      const n = Math.min(20_000, entries - from);
      const contactIds = Array.from({ length: n }, () => newId('contact'));
      const entryIds = Array.from({ length: n }, () => newId('dialEntry'));
      const phones = Array.from({ length: n }, (_, k) => `+7916${String(from + k).padStart(7, '0')}`);
      await s.database.transactionScript(async (_exec, query) => {
        await query(`INSERT INTO contacts (id, name, status, created_at, updated_at) SELECT id, 'Contact ' || id, 'new', now(), now() FROM unnest($1::text[]) AS t(id)`, [contactIds]);
        await query(
          `INSERT INTO dial_entries (id, campaign_id, list_id, contact_id, phone, timezone, status, next_at, created_at, updated_at)
           SELECT t.id, $4, $5, t.cid, t.phone, 'Europe/Moscow', 'pending', now() - interval '1 minute', now(), now()
           FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, cid, phone)`,
          [entryIds, contactIds, phones, campaignId, listId],
        );
      });
    }
    await s.database.query(sql`ANALYZE dial_entries`);

    console.log(`bench:allocate — ${operators} operators pulling and disposing, ${seconds} s per run (PostgreSQL, ${entries.toLocaleString('en')} due entries)`);
    const kinds = ['no_answer', 'busy', 'voicemail', 'wrong_number'] as const;

    /** One run: every operator takes the next entry and records a disposition, again and again, until the deadline. */
    async function run(label: string, cycle: (i: number, n: number) => Promise<{ entryId: string | null; finish: () => Promise<boolean> }>) {
      /** Entries some operator holds right now: one handed out again meanwhile is a double allocation. */
      const holding = new Set<string>();
      let doubles = 0;
      let allocations = 0;
      let failures = 0;
      const latencies: number[] = [];
      const deadline = Date.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        opUsers.map(async (_u, i) => {
          let n = 0;
          while (Date.now() < deadline) {
            const t0 = performance.now();
            const { entryId, finish } = await cycle(i, n++);
            latencies.push(performance.now() - t0);
            if (!entryId) {
              failures++;
              continue;
            }
            allocations++;
            if (holding.has(entryId)) doubles++;
            holding.add(entryId);
            const ok = await finish();
            holding.delete(entryId);
            if (!ok) failures++;
          }
        }),
      );
      const elapsed = (performance.now() - started) / 1000;
      console.log(`  ${label}: ${allocations.toLocaleString('en')} allocations in ${elapsed.toFixed(1)} s → ${Math.round(allocations / elapsed).toLocaleString('en')}/s, each followed by a disposition`);
      console.log(`    next: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms; failures ${failures}; double allocations ${doubles}`);
      return { rate: allocations / elapsed, doubles };
    }

    // The allocation itself: the domain functions the routes call, 200 operators at once over both instances' pools.
    const domain = await run('domain functions, 2 connection pools', async (i, n) => {
      const svc = instances[i % 2]!.services;
      const { entry } = await nextEntry(svc, opUsers[i]!);
      return {
        entryId: entry?.id ?? null,
        finish: async () => {
          await recordDisposition(svc, opUsers[i]!, entry!.id, { kind: kinds[n % kinds.length]! });
          return true;
        },
      };
    });
    // The same through HTTP: both service instances live in this one process, so this shares its core with them.
    const http = await run('HTTP API, 2 instances in this process', async (i, n) => {
      const base = instances[i % 2]!.url;
      const headers = { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' };
      const res = await fetch(`${base}/api/dialer/next`, { method: 'POST', headers });
      const body = (await res.json()) as { entry: { id: string } | null };
      return {
        entryId: res.ok ? (body.entry?.id ?? null) : null,
        finish: async () => {
          const d = await fetch(`${base}/api/dialer/entries/${body.entry!.id}/disposition`, { method: 'POST', headers, body: JSON.stringify({ kind: kinds[n % kinds.length] }) });
          await d.arrayBuffer();
          return d.ok;
        },
      };
    });
    const [recorded] = await s.database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM dispositions`);
    console.log(`  dispositions recorded: ${recorded!.n.toLocaleString('en')}`);
    console.log(`  target ≥ 2,000 allocations/s: ${domain.rate >= 2000 ? 'OK' : 'UNDER TARGET'} (domain ${Math.round(domain.rate)}/s, HTTP ${Math.round(http.rate)}/s)`);
    if (domain.doubles || http.doubles) process.exitCode = 1;
  } finally {
    for (const i of instances) await i.close();
    for (const d of dbs) await d.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
