/**
 * npm run bench:allocate — BENCH_OPERATORS operators (default 200) at once pull the next contact and
 * record a disposition, again and again, for BENCH_SECONDS (default 30) per run, on one fresh PostgreSQL
 * database shared by several service instances (each with its own connections). The runs (BENCH_RUNS,
 * default all three):
 *   - domain: the domain functions the routes call, two instances in this process;
 *   - workers: the same, the operators split over BENCH_WORKERS child processes (default 2), one instance
 *     each, so that one Node process's core is not the limit;
 *   - http: the HTTP API of two instances in this process (the clients share its core with them).
 * Prints allocations/s, double allocations (an entry handed to a second operator while the first one still
 * holds it; must be 0) and SQL statements per allocation and disposition, counted at each instance's client.
 * Target: ≥ 2,000 allocations/s on PostgreSQL.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test  (a server where it may create a database)
 *   BENCH_KEEP_DATABASE=1  keep the database afterwards (its URL is printed) to look at its plans by hand
 */
import { fork, type ChildProcess } from 'node:child_process';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { loadConfig, type Config } from '../src/config.js';
import { startService, type RunningService } from '../src/server.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { createLogger } from '../src/shared/logger.js';
import { newId } from '../src/shared/ids.js';
import { campaignMembers, campaigns, dialLists, users } from '../src/db/schema.js';
import { nextEntry } from '../src/dialer/allocate.js';
import { recordDisposition } from '../src/dialer/dispositions.js';
import type { AuthUser } from '../src/auth/middleware.js';
import { pct } from './bench-stats.js';

const operators = Number(process.env.BENCH_OPERATORS ?? 200);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const entries = Number(process.env.BENCH_ENTRIES ?? 600_000);
const workers = Number(process.env.BENCH_WORKERS ?? 2);
const runs = new Set((process.env.BENCH_RUNS ?? 'domain,workers,http').split(','));
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const keep = process.env.BENCH_KEEP_DATABASE === '1';
const kinds = ['no_answer', 'busy', 'voicemail', 'wrong_number'] as const;

type Operator = AuthUser & { token: string };
/** One allocation: who held which entry, from their request until their disposition was recorded (ms, this machine's clock). */
type Hold = [entryId: string, operatorId: string, from: number, to: number];
interface Load {
  allocations: number;
  /** Requests that found no due entry. */
  empty: number;
  /** Dispositions refused. */
  failures: number;
  queries: number;
  latencies: number[];
  holds: Hold[];
}

const clockMs = () => performance.timeOrigin + performance.now();

function benchConfig(url: string): Config {
  return loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'warn', TOKEN_SECRET: 'x'.repeat(40), ADMIN_PASSWORD: 'bench-password-1', PORT: '0', HOST: '127.0.0.1' });
}

/** A service instance on its own connection pool, counting the SQL statements its client sends. */
async function startInstance(url: string) {
  const database = await openDatabase({ kind: 'postgres', url, max: 20 });
  const queries = countStatements(database);
  const instance = await startService(benchConfig(url), { database, logger: createLogger('warn') });
  return { instance, database, queries };
}

interface PgClient {
  unsafe: (...args: unknown[]) => unknown;
  begin: (...args: unknown[]) => unknown;
}

/** Counts statements at the postgres-js client under drizzle (a transaction adds BEGIN and COMMIT). */
function countStatements(database: Database) {
  const counter = { n: 0 };
  const wrap = (client: PgClient) => {
    const unsafe = client.unsafe.bind(client);
    client.unsafe = (...args) => {
      counter.n++;
      return unsafe(...args);
    };
  };
  const client = (database.db as unknown as { $client: PgClient }).$client;
  wrap(client);
  const begin = client.begin.bind(client);
  client.begin = (...args) => {
    counter.n += 2;
    const fn = args.pop() as (tx: PgClient) => unknown;
    return begin(...args, (tx: PgClient) => {
      wrap(tx);
      return fn(tx);
    });
  };
  return counter;
}

/** Every operator takes the next entry and records a disposition, again and again, until the deadline. */
async function operate(ops: Operator[], deadline: number, cycle: (op: Operator, n: number) => Promise<{ entryId: string | null; finish: () => Promise<boolean> }>) {
  const load: Load = { allocations: 0, empty: 0, failures: 0, queries: 0, latencies: [], holds: [] };
  await Promise.all(
    ops.map(async (op) => {
      let n = 0;
      while (Date.now() < deadline) {
        const t0 = performance.now();
        const from = clockMs();
        const { entryId, finish } = await cycle(op, n++);
        load.latencies.push(performance.now() - t0);
        if (!entryId) {
          load.empty++;
          continue;
        }
        load.allocations++;
        const ok = await finish();
        load.holds.push([entryId, op.id, from, clockMs()]);
        if (!ok) load.failures++;
      }
    }),
  );
  return load;
}

/** Through the domain functions, operator i on instance i mod n. */
function domainCycle(instances: RunningService[], ops: Operator[]) {
  const at = new Map(ops.map((o, i) => [o.id, instances[i % instances.length]!.services]));
  return async (op: Operator, n: number) => {
    const svc = at.get(op.id)!;
    const { entry } = await nextEntry(svc, op);
    return {
      entryId: entry?.id ?? null,
      finish: async () => {
        await recordDisposition(svc, op, entry!.id, { kind: kinds[n % kinds.length]! });
        return true;
      },
    };
  };
}

function httpCycle(instances: RunningService[], ops: Operator[]) {
  const at = new Map(ops.map((o, i) => [o.id, instances[i % instances.length]!.url]));
  return async (op: Operator, n: number) => {
    const base = at.get(op.id)!;
    const headers = { authorization: `Bearer ${op.token}`, 'content-type': 'application/json' };
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
  };
}

/** Allocations of an entry to a second operator while an earlier holder had not yet recorded its disposition. */
function doubleAllocations(holds: Hold[]) {
  const byEntry = new Map<string, Hold[]>();
  for (const h of holds) byEntry.set(h[0], [...(byEntry.get(h[0]) ?? []), h]);
  let doubles = 0;
  for (const list of byEntry.values()) {
    list.sort((a, b) => a[2] - b[2]);
    let heldUntil = -Infinity;
    for (const [, , from, to] of list) {
      if (from < heldUntil) doubles++;
      heldUntil = Math.max(heldUntil, to);
    }
  }
  return doubles;
}

function report(label: string, load: Load, elapsed: number) {
  const rate = load.allocations / elapsed;
  const doubles = doubleAllocations(load.holds);
  const perCycle = load.queries / Math.max(1, load.allocations);
  console.log(`  ${label}: ${load.allocations.toLocaleString('en')} allocations in ${elapsed.toFixed(1)} s → ${Math.round(rate).toLocaleString('en')}/s, each followed by a disposition`);
  console.log(
    `    next: p50 ${pct(load.latencies, 50).toFixed(1)} ms, p99 ${pct(load.latencies, 99).toFixed(1)} ms; no entry due ${load.empty}; dispositions refused ${load.failures}; double allocations ${doubles}; ` +
      `${perCycle.toFixed(1)} SQL statements per allocation and disposition`,
  );
  return { rate, doubles };
}

function merge(loads: Load[]): Load {
  return {
    allocations: loads.reduce((n, l) => n + l.allocations, 0),
    empty: loads.reduce((n, l) => n + l.empty, 0),
    failures: loads.reduce((n, l) => n + l.failures, 0),
    queries: loads.reduce((n, l) => n + l.queries, 0),
    latencies: loads.flatMap((l) => l.latencies),
    holds: loads.flatMap((l) => l.holds),
  };
}

/** A load generator in a child process: one service instance, its share of the operators, the domain functions. */
async function worker() {
  const { url, ops } = await new Promise<{ url: string; ops: Operator[] }>((resolve) => process.once('message', resolve as never));
  const { instance, database, queries } = await startInstance(url);
  process.send!({ ready: true });
  const { deadline } = await new Promise<{ deadline: number }>((resolve) => process.once('message', resolve as never));
  const load = await operate(ops, deadline, domainCycle([instance], ops));
  load.queries = queries.n;
  process.send!({ load }, () => {
    void instance.close().then(() => database.close()).then(() => process.exit(0));
  });
}

async function inWorkers(url: string, ops: Operator[]) {
  const children: ChildProcess[] = Array.from({ length: workers }, () => fork(process.argv[1]!, [], { env: { ...process.env, BENCH_ROLE: 'worker' } }));
  const next = (c: ChildProcess) => new Promise<Record<string, unknown>>((resolve) => c.once('message', resolve as never));
  const ready = children.map(next);
  children.forEach((c, w) => c.send({ url, ops: ops.filter((_, i) => i % workers === w) }));
  await Promise.all(ready);
  const results = children.map(next);
  const started = performance.now();
  const deadline = Date.now() + seconds * 1000;
  for (const c of children) c.send({ deadline });
  const loads = (await Promise.all(results)).map((m) => m.load as Load);
  return { load: merge(loads), elapsed: (performance.now() - started) / 1000 };
}

/** A campaign that calls around the clock, its operators, and a big due list (bulk-loaded, not timed). */
async function seed(s: RunningService['services']): Promise<Operator[]> {
  const now = new Date();
  const campaignId = newId('campaign');
  await s.database.db.insert(campaigns).values({
    id: campaignId, name: 'Bench', status: 'active', windowStart: '00:00', windowEnd: '23:59', windowDays: [1, 2, 3, 4, 5, 6, 7],
    maxAttempts: 50, retryMinutes: { no_answer: 1, busy: 1, voicemail: 1 }, createdAt: now, updatedAt: now,
  });
  const listId = newId('dialList');
  await s.database.db.insert(dialLists).values({ id: listId, campaignId, name: 'Bench', status: 'ready', createdAt: now });
  const ops: Operator[] = [];
  for (let i = 0; i < operators; i++) {
    const id = newId('user');
    await s.database.db.insert(users).values({ id, email: `op${i}@bench.local`, name: `Operator ${i}`, role: 'operator', passwordHash: 'x', timezone: 'Europe/Moscow', statusChangedAt: now, createdAt: now, updatedAt: now });
    await s.database.db.insert(campaignMembers).values({ campaignId, userId: id });
    const token = (await s.tokens.issue({ id, role: 'operator', tokenVersion: 0 })).token;
    ops.push({ id, role: 'operator', name: `Operator ${i}`, email: `op${i}@bench.local`, locale: 'ru', timezone: 'Europe/Moscow', token });
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
  return ops;
}

async function main() {
  const dbName = `sb_bench_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const started: Array<Awaited<ReturnType<typeof startInstance>>> = [];
  try {
    for (let i = 0; i < 2; i++) started.push(await startInstance(url.toString()));
    const instances = started.map((x) => x.instance);
    const ops = await seed(instances[0]!.services);
    const statements = () => started.reduce((n, x) => n + x.queries.n, 0);

    console.log(`bench:allocate — ${operators} operators pulling and disposing, ${seconds} s per run (PostgreSQL, ${entries.toLocaleString('en')} due entries)`);
    const results: Array<{ label: string; rate: number; doubles: number }> = [];
    async function inProcess(label: string, cycle: Parameters<typeof operate>[2]) {
      const q0 = statements();
      const t0 = performance.now();
      const load = await operate(ops, Date.now() + seconds * 1000, cycle);
      load.queries = statements() - q0;
      results.push({ label, ...report(label, load, (performance.now() - t0) / 1000) });
    }
    if (runs.has('domain')) await inProcess('domain functions, 2 instances in this process', domainCycle(instances, ops));
    if (runs.has('workers')) {
      const label = `domain functions, ${workers} child processes with an instance each`;
      const { load, elapsed } = await inWorkers(url.toString(), ops);
      results.push({ label, ...report(label, load, elapsed) });
    }
    // Both service instances live in this process, so the HTTP clients share its core with them.
    if (runs.has('http')) await inProcess('HTTP API, 2 instances in this process', httpCycle(instances, ops));

    const [recorded] = await instances[0]!.services.database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM dispositions`);
    console.log(`  dispositions recorded: ${recorded!.n.toLocaleString('en')}`);
    const best = Math.max(...results.filter((r) => r.label.startsWith('domain')).map((r) => r.rate), 0);
    console.log(`  target ≥ 2,000 allocations/s: ${best >= 2000 ? 'OK' : 'UNDER TARGET'} (${results.map((r) => `${r.label.split(',')[0]}${r.label.includes('child') ? ' in workers' : ''} ${Math.round(r.rate)}/s`).join(', ')})`);
    if (results.some((r) => r.doubles)) process.exitCode = 1;
  } finally {
    for (const x of started) await x.instance.close();
    for (const x of started) await x.database.close();
    if (keep) console.log(`  kept the database: ${url.toString()}`);
    else await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

const role = process.env.BENCH_ROLE === 'worker' ? worker : main;
role().catch((err) => {
  console.error(err);
  process.exit(1);
});
