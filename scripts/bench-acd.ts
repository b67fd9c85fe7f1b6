/**
 * npm run bench:acd — how fast an inbound caller reaches an operator's phone: the time from the caller's
 * INVITE (SIPp, as the carrier) to the INVITE arriving at an operator phone (SIPp, op1001..op1005), over
 * BENCH_CALLS calls, through Switchboard's distribution in the Stasis app and through Asterisk's own
 * Queue() with the same five phones (the [bench-queue] dialplan path, used only here). Calls are placed one
 * at a time so that each operator INVITE belongs to the caller INVITE before it; phones answer at once.
 * The two paths alternate in BENCH_ROUNDS rounds. Prints p50/p99/mean for both and their ratio
 * (target: ≤ 1.5 at p99).
 *
 *   BENCH_CALLS=500 npm run bench:acd                         (needs npm run asterisk:up)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (a server where it may create a database)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { createUser, transitionStatus } from '../src/users/service.js';
import { users } from '../src/db/schema.js';
import { pct } from './bench-stats.js';

const calls = Number(process.env.BENCH_CALLS ?? 500);
// The two paths take turns in rounds, so that a noisy moment on this shared machine hits both alike.
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ari = { url: process.env.ARI_URL ?? 'http://127.0.0.1:8088', user: process.env.ARI_USER ?? 'switchboard', password: process.env.ARI_PASSWORD ?? 'switchboard', app: process.env.ARI_APP ?? 'switchboard', pbx: 'default' };
const sipTarget = process.env.BENCH_SIP_TARGET ?? '127.0.0.1:5060';
const operatorPassword = process.env.SB_OPERATOR_PASSWORD ?? 'switchboard-op';
const sippDir = fileURLToPath(new URL('../asterisk/sipp/', import.meta.url));
const extensions = ['1001', '1002', '1003', '1004', '1005'];

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const f = (n: number) => n.toFixed(1);

function sipp(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('sipp', [...args, '-nostdin'], { cwd: '/tmp', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`sipp ${args.join(' ')}: ${err.message}\n${stdout.slice(-1500)}\n${stderr.slice(-800)}`));
      else resolve(stdout);
    });
  });
}

/** Times (ms since epoch, microsecond precision) of the INVITEs a SIPp message log shows sent or received. */
function invites(file: string, direction: 'sent' | 'received'): number[] {
  const text = readFileSync(file, 'utf8');
  const out: number[] = [];
  const re = /^-{20,} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)\.(\d{6})\n\w+ message (sent|received)[^\n]*\n\n(\S+)/gm;
  for (const m of text.matchAll(re)) {
    if (m[4] !== direction || m[5] !== 'INVITE') continue;
    out.push(Date.parse(`${m[1]}T${m[2]}Z`) + Number(m[3]) / 1000);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Pairs each caller INVITE with the first operator INVITE after it and before the next caller INVITE.
 * SIPp stamps a message it sends just after sending it, so a fast PBX's INVITE to the phone can be logged
 * up to a couple of milliseconds "before" the caller's: windows start SLACK_MS early.
 */
const SLACK_MS = 2;
function latencies(callerInvites: number[], phoneInvites: number[]) {
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < callerInvites.length; i++) {
    const t = callerInvites[i]!;
    const next = (callerInvites[i + 1] ?? Infinity) - SLACK_MS;
    while (j < phoneInvites.length && phoneInvites[j]! < t - SLACK_MS) j++;
    if (j < phoneInvites.length && phoneInvites[j]! < next) out.push(Math.max(0, phoneInvites[j]! - t));
  }
  return out;
}

async function main() {
  const dbName = `sb_bench_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  const config = loadConfig({
    DATABASE_URL: url.toString(),
    LOG_LEVEL: 'warn',
    TOKEN_SECRET: 'x'.repeat(40),
    ADMIN_PASSWORD: 'bench-password-1',
    CEL_DATABASE_URL: serverUrl,
    ACD_RING_SECONDS: '15',
    ACD_ANNOUNCE_AFTER_SECONDS: '0',
    WRAP_UP_SECONDS: '0',
    // Queue() records nothing either.
    RECORD_CALLS: 'no',
  });
  const database = await openDatabase({ kind: 'postgres', url: url.toString(), max: 20 });
  const services = await buildServices(config, { database, logger: createLogger('warn') });
  const work = mkdtempSync(join(tmpdir(), 'sb-bench-acd-'));
  const phones: ChildProcess[] = [];
  let gateway: ReturnType<typeof startAriGateway> | null = null;

  try {
    for (const ext of extensions) {
      const u = await createUser(services, { email: `op${ext}@bench.local`, name: `Operator ${ext}`, role: 'operator', password: 'bench-password-1' });
      await services.database.db.update(users).set({ extension: ext, phoneDevice: 'desk' }).where(sql`id = ${u.id}`);
      await transitionStatus(services, u.id, 'available', null);
    }
    gateway = startAriGateway(services, ari);
    await gateway.ready(30_000);

    // Five operator phones: registered, answering every call at once, logging each message with its time.
    const startPhones = (tag: string) =>
      Promise.all(
        extensions.map(async (ext, i) => {
          const port = 26000 + i;
          await sipp(['-sf', sippDir + 'register.xml', '-s', `op${ext}`, '-au', `op${ext}`, '-ap', operatorPassword, '-key', 'expires', '3600', '-m', '1', '-p', String(port), sipTarget], 15_000);
          const child = spawn(
            'sipp',
            ['-sf', sippDir + 'uas-answer.xml', '-set', 'ring_ms', '0', '-p', String(port), '-l', '10', '-m', '1000000', '-nostdin', '-trace_msg', '-message_file', join(work, `${tag}-phone-${ext}.log`)],
            { cwd: '/tmp', stdio: 'ignore' },
          );
          phones.push(child);
        }),
      ).then(() => new Promise((r) => setTimeout(r, 500)));
    const stopPhones = async () => {
      await Promise.all(
        phones.splice(0).map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      );
    };

    const run = async (tag: string, caller: string, n: number) => {
      await startPhones(tag);
      const uacLog = join(work, `${tag}-caller.log`);
      const started = Date.now();
      await sipp(
        ['-sf', sippDir + 'uac-inbound.xml', '-s', '4957770001', '-key', 'caller', caller, '-d', '0', '-m', String(n), '-l', '1', '-r', '50', '-p', '26100', '-trace_msg', '-message_file', uacLog, '-timeout', String(n * 2 + 60), '-timeout_error', sipTarget],
        (n * 2 + 90) * 1000,
      );
      const seconds = (Date.now() - started) / 1000;
      await stopPhones();
      const callerInvites = invites(uacLog, 'sent');
      const phoneInvites = extensions.flatMap((ext) => invites(join(work, `${tag}-phone-${ext}.log`), 'received')).sort((a, b) => a - b);
      const lat = latencies(callerInvites, phoneInvites);
      return { callerInvites: callerInvites.length, phoneInvites: phoneInvites.length, lat, seconds };
    };

    console.log(`bench:acd — ${calls} inbound calls per path, one at a time, in ${rounds} alternating rounds; 5 operator phones answering at once`);
    type Result = Awaited<ReturnType<typeof run>>;
    const pool = (rs: Result[]): Result => ({
      callerInvites: rs.reduce((a, r) => a + r.callerInvites, 0),
      phoneInvites: rs.reduce((a, r) => a + r.phoneInvites, 0),
      lat: rs.flatMap((r) => r.lat),
      seconds: rs.reduce((a, r) => a + r.seconds, 0),
    });
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const sbRounds: Result[] = [];
    const qRounds: Result[] = [];
    for (let i = 0; i < rounds; i++) {
      const n = Math.floor(calls / rounds) + (i < calls % rounds ? 1 : 0);
      sbRounds.push(await run(`switchboard-${i}`, '79160000000', n));
      qRounds.push(await run(`queue-${i}`, 'bench', n));
    }
    loop.disable();
    const sb = pool(sbRounds);
    const q = pool(qRounds);
    await gateway.idle();
    const [{ answered }] = (await services.database.query<{ answered: number }>(
      sql`SELECT count(*)::int AS answered FROM calls WHERE acd_outcome = 'answered'`,
    )) as [{ answered: number }];

    const line = (name: string, r: typeof sb) =>
      `  ${name.padEnd(22)} calls ${String(r.callerInvites).padStart(4)}  matched ${String(r.lat.length).padStart(4)}  p50 ${f(pct(r.lat, 50)).padStart(6)} ms  p99 ${f(pct(r.lat, 99)).padStart(6)} ms  mean ${f(mean(r.lat)).padStart(6)} ms  (${f(r.seconds)} s)`;
    console.log('caller INVITE → operator phone INVITE');
    console.log(line('Switchboard (Stasis)', sb));
    console.log(line('Asterisk Queue()', q));
    console.log(`  answered by an operator through Switchboard: ${answered}/${calls}`);
    console.log(`  service event-loop delay during the run: p50 ${f(loop.percentile(50) / 1e6)} ms, p99 ${f(loop.percentile(99) / 1e6)} ms, max ${f(loop.max / 1e6)} ms`);
    const ratio99 = pct(sb.lat, 99) / pct(q.lat, 99);
    const ratio50 = pct(sb.lat, 50) / pct(q.lat, 50);
    console.log(`ratio Switchboard/Queue(): p50 ${ratio50.toFixed(2)}, p99 ${ratio99.toFixed(2)} (target ≤ 1.5 at p99) ${ratio99 <= 1.5 ? 'OK' : 'OVER TARGET'}`);
    if (sb.lat.length < calls * 0.99 || q.lat.length < calls * 0.99) {
      console.log('WARNING: fewer than 99% of the calls could be matched to an operator INVITE');
      process.exitCode = 1;
    }
  } finally {
    for (const c of phones) c.kill('SIGKILL');
    await gateway?.stop();
    await services.database.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
