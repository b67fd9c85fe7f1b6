/**
 * npm run bench:reports — a year of a call centre's work ending now (BENCH_CALLS calls, default 1,000,000,
 * with their contacts, leads, dispositions, meetings, deals, payments and the operators' state log; see
 * bench-reports-data.ts) is generated with set-based SQL in a fresh PostgreSQL database, then each report
 * is timed through its domain function: the funnel by source, campaign, operator and hunter, and the other
 * reports found in src/reports/ (trend, operators, hunters, account managers, refusals; those not there are
 * named and skipped), each for the last 30 days, the last 90 days, the whole year and a quarter that ended
 * half a year ago, BENCH_WARMUP runs
 * (default 5) then BENCH_RUNS measured ones (default 30). A case whose runs take longer than
 * BENCH_CASE_SECONDS (default 60) stops after 5 measured runs once that time is up, and a quarter of it
 * bounds its warm-up. Prints the generation time, how long building the funnel's call rollups took, the
 * row counts and, per report, grouping and period,
 * p50 / p99 ms and the rows returned; a case over the target is followed by EXPLAIN (ANALYZE, BUFFERS) of
 * its statements (BENCH_EXPLAIN=all for every case, 0 for none).
 * Target: p99 ≤ 500 ms on PostgreSQL.
 *
 *   BENCH_CALLS=1000000 BENCH_CONTACTS=250000 BENCH_MEETINGS=40000 BENCH_FIRST_DEALS=8000 BENCH_LATER_DEALS=20000 npm run bench:reports
 *   BENCH_SOURCES=20 BENCH_CAMPAIGNS=10 BENCH_OPERATORS=30 BENCH_HUNTERS=10 BENCH_MANAGERS=10 BENCH_OUTBOUND_SHARE=0.2
 *     (contacts, meetings and deals default to calls/4, /25, /125 and /50)
 *   BENCH_STATE_PER_CALL=0     only the operators' shifts and breaks in the state log, not each call's states
 *   BENCH_REPORTS=funnel,trend only these reports; BENCH_REPORTS=none generates the data and stops
 *   BENCH_KEEP_DATABASE=1      keep the database afterwards (its URL is printed) to query it by hand
 *   BENCH_REUSE_DATABASE=name  time the reports on a database kept from an earlier run (migrations added since
 *                              are applied, then VACUUM ANALYZE), without generating or dropping it
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test   (a server where it may create a database;
 *                              as a superuser, foreign keys are checked once after the load instead of per row)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { startService } from '../src/server.js';
import { openDatabase, type Database } from '../src/db/client.js';
import { createLogger } from '../src/shared/logger.js';
import { hashPassword } from '../src/auth/passwords.js';
import type { AuthUser } from '../src/auth/middleware.js';
import type { Services } from '../src/services.js';
import { refreshReportRollups } from '../src/reports/rollups.js';
import { countRows, generateYear, type YearSizes } from './bench-reports-data.js';
import { pct } from './bench-stats.js';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const calls = num('BENCH_CALLS', 1_000_000);
const sizes: YearSizes = {
  calls,
  outboundShare: num('BENCH_OUTBOUND_SHARE', 0.2),
  contacts: num('BENCH_CONTACTS', Math.round(calls / 4)),
  meetings: num('BENCH_MEETINGS', Math.round(calls / 25)),
  firstDeals: num('BENCH_FIRST_DEALS', Math.round(calls / 125)),
  laterDeals: num('BENCH_LATER_DEALS', Math.round(calls / 50)),
  sources: num('BENCH_SOURCES', 20),
  campaigns: num('BENCH_CAMPAIGNS', 10),
  operators: num('BENCH_OPERATORS', 30),
  hunters: num('BENCH_HUNTERS', 10),
  managers: num('BENCH_MANAGERS', 10),
};
const warmup = num('BENCH_WARMUP', 5);
const runs = num('BENCH_RUNS', 30);
const caseSeconds = num('BENCH_CASE_SECONDS', 60);
const targetMs = 500;
const explain = process.env.BENCH_EXPLAIN ?? 'slow';
const only = process.env.BENCH_REPORTS ? new Set(process.env.BENCH_REPORTS.split(',').map((r) => r.trim())) : null;
const reuse = process.env.BENCH_REUSE_DATABASE;
const keep = process.env.BENCH_KEEP_DATABASE === '1' || !!reuse;
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A report's domain function: (services, actor, query), or (services, query) for those with no per-person scope. */
type Report = ((s: Services, actor: AuthUser, query: Record<string, string>) => Promise<unknown>) | ((s: Services, query: Record<string, string>) => Promise<unknown>);
/** The reports timed, by the name of their domain function, with the groupings each is asked for. */
const wanted: Array<{ name: string; fn: string; groupings: Array<string | null> }> = [
  { name: 'funnel', fn: 'funnelReport', groupings: ['source', 'campaign', 'operator', 'hunter'] },
  { name: 'trend', fn: 'trendReport', groupings: [null] },
  { name: 'operators', fn: 'operatorsReport', groupings: [null] },
  { name: 'hunters', fn: 'huntersReport', groupings: [null] },
  { name: 'account-managers', fn: 'accountManagersReport', groupings: [null] },
  { name: 'refusals', fn: 'refusalsReport', groupings: [null] },
];

/** Every function exported by src/reports/*.ts, by name. */
async function reportFunctions(): Promise<Map<string, Report>> {
  const dir = new URL('../src/reports/', import.meta.url);
  let files: string[];
  try {
    files = readdirSync(fileURLToPath(dir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  } catch {
    return new Map();
  }
  const found = new Map<string, Report>();
  for (const f of files) {
    const mod = (await import(new URL(f, dir).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(mod)) if (typeof value === 'function') found.set(name, value as Report);
  }
  return found;
}

/**
 * The statements a report sends, captured at the postgres-js client under drizzle (transactions included);
 * only those sent from the report's own async context, not the service's background work.
 */
function captureStatements(database: Database) {
  interface PgClient {
    unsafe: (...args: unknown[]) => unknown;
    begin: (...args: unknown[]) => unknown;
  }
  const context = new AsyncLocalStorage<Array<{ text: string; params: unknown[] }>>();
  const wrap = (client: PgClient) => {
    const unsafe = client.unsafe.bind(client);
    client.unsafe = (...args) => {
      context.getStore()?.push({ text: args[0] as string, params: (args[1] as unknown[]) ?? [] });
      return unsafe(...args);
    };
  };
  const client = (database.db as unknown as { $client: PgClient }).$client;
  wrap(client);
  const begin = client.begin.bind(client);
  client.begin = (...args) => {
    const fn = args.pop() as (tx: PgClient) => unknown;
    return begin(...args, (tx: PgClient) => {
      wrap(tx);
      return fn(tx);
    });
  };
  return {
    async during(fn: () => Promise<unknown>) {
      const seen: Array<{ text: string; params: unknown[] }> = [];
      await context.run(seen, fn);
      return seen;
    },
  };
}

const localDate = (d: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
const daysBefore = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) - n * 86_400_000).toISOString().slice(0, 10);
const pad = (v: string | number, n: number) => String(v).padEnd(n);
const padL = (v: string | number, n: number) => String(v).padStart(n);

async function main() {
  const dbName = reuse ?? `sb_bench_reports_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  if (!reuse) await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  // The rollups are refreshed (and timed) below, not in the background while the year is generated.
  const config = loadConfig({
    DATABASE_URL: url.toString(),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    TOKEN_SECRET: 'r'.repeat(40),
    ADMIN_PASSWORD: 'bench-password-1',
    REPORT_ROLLUP_REFRESH_MS: '0',
  });
  const database = await openDatabase(config.database);
  const capture = captureStatements(database);
  const service = await startService(config, { database, logger: createLogger('warn') });
  const s = service.services;
  const gen = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    let failed = false;
    const now = s.clock.now();
    const tz = config.companyTimeZone;
    if (reuse) {
      console.log(`bench:reports — on ${dbName}, generated by an earlier run (its year ends when it was generated)`);
      // A migration since may have rewritten a table (and its visibility map): vacuumed as well as analyzed.
      await gen.unsafe('VACUUM (ANALYZE)');
    } else {
      console.log(
        `bench:reports — a year to ${now.toISOString()} (${tz}): ${sizes.calls.toLocaleString('en')} calls (${Math.round(sizes.outboundShare * 100)} % outbound), ` +
          `~${sizes.contacts.toLocaleString('en')} contacts, ${sizes.meetings.toLocaleString('en')} meetings, ${sizes.firstDeals.toLocaleString('en')} first and ` +
          `${sizes.laterDeals.toLocaleString('en')} later deals; ${sizes.sources} sources, ${sizes.campaigns} campaigns, ${sizes.operators} operators, ` +
          `${sizes.hunters} hunters, ${sizes.managers} account managers`,
      );
      const started = performance.now();
      const { steps } = await generateYear(gen, sizes, {
        now,
        timeZone: tz,
        currency: config.currency,
        passwordHash: await hashPassword('bench-password-1'),
        targetCallSeconds: config.calls.targetSeconds,
        maxWaitSeconds: config.acd.maxWaitSeconds,
        wrapUpSeconds: config.acd.wrapUpSeconds,
        offerSeconds: config.routing.offerSeconds,
        commissionPercent: config.clients.commissionPercent,
        firstDealDeferralDays: config.clients.firstDealDeferralDays,
        firstDealCreditLimitMinor: config.clients.firstDealCreditLimitMinor,
        statePerCall: process.env.BENCH_STATE_PER_CALL !== '0',
      });
      const generated = (performance.now() - started) / 1000;
      // The generator's temporary tables and session settings go; EXPLAIN below runs as the service's sessions do.
      await gen.unsafe('DISCARD ALL');
      // Autovacuum may be off (it is on the bench machine): statistics and the visibility map as a running
      // server would have them.
      const vacuumStarted = performance.now();
      await gen.unsafe('VACUUM (ANALYZE)');
      const vacuumed = (performance.now() - vacuumStarted) / 1000;
      console.log(`generated in ${generated.toFixed(1)} s (${steps.map(([l, ms]) => `${l} ${(ms / 1000).toFixed(1)}`).join(', ')}); VACUUM ANALYZE ${vacuumed.toFixed(1)} s`);
    }
    // The funnel's call rollups: built whole after a load (or a migration), as the first report would.
    const rollupStarted = performance.now();
    const refreshed = await refreshReportRollups(s);
    const rollupSeconds = (performance.now() - rollupStarted) / 1000;
    await gen.unsafe('VACUUM (ANALYZE) report_call_marks, report_call_days');
    const [rollupRows] = (await gen.unsafe(
      `SELECT (SELECT count(*) FROM report_call_marks)::int AS marks, (SELECT count(*) FROM report_call_days)::int AS days`,
    )) as unknown as [{ marks: number; days: number }];
    console.log(
      `report rollups ${refreshed.rebuilt ? 'rebuilt' : `refreshed (${refreshed.applied} queued callers)`} in ${rollupSeconds.toFixed(1)} s: ` +
        `${rollupRows.marks.toLocaleString('en')} call marks, ${rollupRows.days.toLocaleString('en')} day rows`,
    );
    const counts = await countRows(gen);
    const [{ size }] = (await gen.unsafe(`SELECT pg_size_pretty(pg_database_size(current_database())) AS size`)) as unknown as [{ size: string }];
    console.log(`database ${size}`);
    console.log(`rows: ${Object.entries(counts).map(([t, n]) => `${t} ${n.toLocaleString('en')}`).join(', ')}`);
    if (only?.has('none')) return 0;

    const [actor] = await s.database.query<AuthUser & Record<string, unknown>>(
      sql`SELECT id, email, name, role, locale, timezone FROM users WHERE role = 'admin' AND active ORDER BY created_at LIMIT 1`,
    );
    const today = localDate(now, tz);
    const periods = [
      { label: 'last 30 days', from: daysBefore(today, 29), to: today },
      { label: 'last 90 days', from: daysBefore(today, 89), to: today },
      { label: 'year', from: daysBefore(today, 364), to: today },
      // A period that ends long before today: unique callers are counted from its own calls.
      { label: 'past quarter', from: daysBefore(today, 269), to: daysBefore(today, 180) },
    ];
    const found = await reportFunctions();
    const timed = wanted.filter((w) => (!only || only.has(w.name)) && found.has(w.fn));
    const missing = wanted.filter((w) => (!only || only.has(w.name)) && !found.has(w.fn));
    if (missing.length) console.log(`not in src/reports (skipped): ${missing.map((w) => w.fn).join(', ')}`);
    if (!timed.length) {
      console.log('RESULT: no report to time');
      return 1;
    }
    console.log(
      `${warmup} warm-up and ${runs} measured runs per case, fewer when a case's runs take over ${caseSeconds} s` +
        (runs <= 100 ? ' (p99 by nearest rank: with up to 100 runs, the slowest)' : ''),
    );
    console.log(`${pad('report', 17)}${pad('grouping', 10)}${pad('period', 14)}${padL('p50 ms', 9)}${padL('p99 ms', 9)}${padL('runs', 6)}${padL('rows', 7)}  p99 ≤ ${targetMs} ms`);
    const slow: Array<{ label: string; run: () => Promise<unknown> }> = [];
    for (const w of timed) {
      const fn = found.get(w.fn)!;
      for (const groupBy of w.groupings) {
        for (const p of periods) {
          const query: Record<string, string> = { from: p.from, to: p.to, ...(groupBy ? { groupBy } : {}) };
          const once = () => (fn.length >= 3 ? (fn as (s: Services, a: AuthUser, q: object) => Promise<unknown>)(s, actor!, query) : (fn as (s: Services, q: object) => Promise<unknown>)(s, query));
          let result: unknown;
          const warmStart = performance.now();
          for (let i = 0; i < warmup && (i === 0 || performance.now() - warmStart < (caseSeconds * 1000) / 4); i++) result = await once();
          const ms: number[] = [];
          const measureStart = performance.now();
          for (let i = 0; i < runs && (i < 5 || performance.now() - measureStart < caseSeconds * 1000); i++) {
            const t = performance.now();
            result = await once();
            ms.push(performance.now() - t);
          }
          const r = result as { rows?: unknown[]; days?: unknown[] };
          const rows = r.rows?.length ?? r.days?.length ?? '?';
          const p99 = pct(ms, 99);
          const ok = p99 <= targetMs;
          if (!ok) failed = true;
          console.log(`${pad(w.name, 17)}${pad(groupBy ?? '—', 10)}${pad(p.label, 14)}${padL(pct(ms, 50).toFixed(1), 9)}${padL(p99.toFixed(1), 9)}${padL(ms.length, 6)}${padL(rows, 7)}  ${ok ? 'yes' : 'NO'}`);
          if (explain === 'all' || (explain === 'slow' && !ok)) slow.push({ label: `${w.name}${groupBy ? ` by ${groupBy}` : ''}, ${p.label} (${p.from} … ${p.to})`, run: once });
          if (w.name === 'funnel' && groupBy === 'source' && p.label === 'year') {
            const total = (result as { total?: Record<string, unknown> }).total;
            if (total) console.log(`  year total: ${['calls', 'uniqueCallers', 'targetCalls', 'newLeads', 'meetingsBooked', 'meetingsHeld', 'firstSales', 'revenueMinor', 'costMinor'].map((k) => `${k} ${total[k]}`).join(', ')}`);
          }
        }
      }
    }
    for (const c of slow) {
      const statements = await capture.during(c.run);
      console.log(`\nEXPLAIN (ANALYZE, BUFFERS) — ${c.label}: ${statements.length} statement(s)`);
      for (const st of statements) {
        if (!/^[\s(]*(select|with)\b/i.test(st.text)) continue;
        const plan = (await gen.unsafe(`EXPLAIN (ANALYZE, BUFFERS) ${st.text}`, st.params as never[])) as unknown as Array<{ 'QUERY PLAN': string }>;
        console.log(`\n${st.text.trim()}\n-- params: ${JSON.stringify(st.params)}\n${plan.map((l) => l['QUERY PLAN']).join('\n')}`);
      }
    }
    console.log(failed ? `RESULT: over the target (p99 > ${targetMs} ms) — see above` : `RESULT: every report within p99 ≤ ${targetMs} ms`);
    return failed ? 1 : 0;
  } finally {
    await gen.end();
    await service.close();
    await database.close();
    if (keep) console.log(`database kept: ${url.toString()}`);
    else await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
