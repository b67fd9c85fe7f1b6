/**
 * npm run bench:capture — SIPp places N inbound calls at R calls/s against the Asterisk sandbox while
 * Switchboard (in this process, on a fresh PostgreSQL database) captures them. Prints calls placed vs
 * call records created (must be equal, none duplicated), p50/p99 from StasisStart to the record being
 * committed, and the service's event-loop delay.
 *
 *   BENCH_RATE=50 BENCH_SECONDS=60 npm run bench:capture      (needs npm run asterisk:up)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test  (a server where it may create a database)
 *   BENCH_POOL_SIZE=20  (connections, as DATABASE_POOL_SIZE)
 *   BENCH_RECORD=no     (yes: the sandbox also records every answered call, as it does by default)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { buildServices } from '../src/server.js';
import { openDatabase } from '../src/db/client.js';
import { createLogger } from '../src/shared/logger.js';
import { startAriGateway } from '../src/telephony/ari-gateway.js';
import { pct } from './bench-stats.js';

const rate = Number(process.env.BENCH_RATE ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const holdMs = Number(process.env.BENCH_HOLD_MS ?? 1000);
const total = Math.round(rate * seconds);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ari = { url: process.env.ARI_URL ?? 'http://127.0.0.1:8088', user: process.env.ARI_USER ?? 'switchboard', password: process.env.ARI_PASSWORD ?? 'switchboard', app: process.env.ARI_APP ?? 'switchboard', pbx: 'default' };
const did = `49577${String(Date.now() % 100000).padStart(5, '0')}`;


async function main() {
  const dbName = `sb_bench_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const config = loadConfig({ DATABASE_URL: url.toString(), LOG_LEVEL: 'warn', TOKEN_SECRET: 'x'.repeat(40), ADMIN_PASSWORD: 'bench-password-1', CEL_DATABASE_URL: serverUrl });
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), max: Number(process.env.BENCH_POOL_SIZE ?? 20) });
  const services = await buildServices(config, { database, logger: createLogger('warn') });

  const lags: number[] = [];
  const transits: number[] = [];
  let events = 0;
  // Recording is Asterisk's own load (MixMonitor per call), not capture's: off unless asked for.
  const record = (process.env.BENCH_RECORD ?? 'no') === 'yes' ? 'yes' : 'no';
  const setRecording = (value: string) =>
    fetch(`${ari.url}/ari/asterisk/variable?variable=SB_RECORD_CALLS&value=${value}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ari.user}:${ari.password}`).toString('base64')}` },
    }).then((r) => {
      if (!r.ok) throw new Error(`could not set SB_RECORD_CALLS: ${r.status}`);
    });
  await setRecording(record);
  const gateway = startAriGateway(services, ari, {
    onStored: (type, lag, transit) => {
      events++;
      if (type !== 'StasisStart') return;
      lags.push(lag);
      transits.push(transit);
    },
  });
  await gateway.ready(30_000);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  console.log(`bench:capture — ${total} calls at ${rate}/s for ${seconds} s to DID ${did}, hold ${holdMs} ms (+2 s ring-back), recording ${record === 'yes' ? 'on' : 'off'}`);
  const scenario = fileURLToPath(new URL('../asterisk/sipp/uac-inbound.xml', import.meta.url));
  const started = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const out = await new Promise<string>((resolve) => {
    execFile(
      'sipp',
      ['-sf', scenario, '-trace_screen', '-trace_err', '-s', did, '-key', 'caller', '79990000000', '-d', String(holdMs), '-r', String(rate), '-m', String(total), '-l', String(rate * 10), '-p', '25999', '-nostdin', '-timeout', String(seconds + 120), '127.0.0.1:5060'],
      { maxBuffer: 64 * 1024 * 1024, cwd: workDir },
      () => {
        // SIPp writes its final statistics screen to <scenario>_<pid>_screen.log.
        const screen = readdirSync(workDir).find((f) => f.endsWith('_screen.log'));
        resolve(screen ? readFileSync(join(workDir, screen), 'utf8') : '');
      },
    );
  });
  const sippSeconds = (Date.now() - started) / 1000;
  const num = (label: string) => {
    const line = out.split('\n').reverse().find((l) => l.includes(label));
    const cells = line?.split('|').map((c) => c.trim()) ?? [];
    return Number(cells.filter(Boolean).pop() ?? NaN);
  };
  const successful = num('Successful call');
  const failed = num('Failed call');
  const placed = successful + failed;
  if (failed > 0) {
    // SIPp's error trace says why Asterisk refused calls (e.g. 488 when RTP ports run out).
    const errors = readdirSync(workDir).find((f) => f.endsWith('_errors.log'));
    const first = errors ? readFileSync(join(workDir, errors), 'utf8').split('\n').find((l) => l.includes('Aborting call')) : undefined;
    console.log(`SIPp's first failure: ${first?.slice(0, 240) ?? '(no error trace)'}`);
  }
  rmSync(workDir, { recursive: true, force: true });

  // Let the last events land.
  const deadline = Date.now() + 30_000;
  let recorded = 0;
  let ended = 0;
  while (Date.now() < deadline) {
    await gateway.idle();
    const [row] = await database.query<{ n: number; ended: number }>(
      sql`SELECT count(*)::int AS n, count(*) FILTER (WHERE ended_at IS NOT NULL)::int AS ended FROM calls WHERE did = ${'+7' + did}`,
    );
    recorded = row!.n;
    ended = row!.ended;
    if (ended >= placed) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const [dups] = await database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM (SELECT linkedid FROM calls GROUP BY pbx, linkedid HAVING count(*) > 1) d`);
  loop.disable();

  console.log(`SIPp: ${successful} successful + ${failed} failed = ${placed} placed in ${sippSeconds.toFixed(1)} s (${(placed / sippSeconds).toFixed(1)} calls/s achieved)`);
  console.log(`records: ${recorded} created, ${ended} closed, duplicates ${dups!.n}, lost ${Math.max(0, placed - recorded)}`);
  console.log(`StasisStart → record committed: p50 ${pct(lags, 50).toFixed(1)} ms, p99 ${pct(lags, 99).toFixed(1)} ms (n=${lags.length})`);
  console.log(`  of which Asterisk → event received: p50 ${pct(transits, 50).toFixed(1)} ms, p99 ${pct(transits, 99).toFixed(1)} ms; channel events stored: ${events}`);
  console.log(`event-loop delay: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`);
  const ok = recorded === placed && dups!.n === 0 && placed === total;
  console.log(ok ? 'RESULT: every call placed was recorded exactly once' : 'RESULT: MISMATCH between calls placed and records');

  await gateway.stop();
  await setRecording('yes');
  await database.close();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  process.exit(ok ? 0 : 1);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
