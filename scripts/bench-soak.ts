/**
 * npm run bench:soak — two instances (`dist/main.js` in processes of their own) on one PostgreSQL
 * database and the Asterisk sandbox: SIPp places SOAK_CALLS_PER_SECOND inbound calls (30) while an
 * operator books SOAK_BOOKINGS_PER_SECOND meetings (5) through both instances and hunters connected to
 * both accept the offers, for SOAK_SECONDS (600). Half-way the instance holding the ARI connection is
 * killed (SIGKILL). Prints calls placed vs recorded (once each, all closed), meetings booked vs assigned
 * (each at most once), the failover time, and booking latency p50/p99 before and after the kill.
 *
 *   npm run build && SOAK_SECONDS=120 npm run bench:soak     (needs npm run asterisk:up, CEL into PostgreSQL)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test  (a server where it may create a database)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import { spawnInstance, type Instance } from '../test/helpers/instance.js';
import { pct } from './bench-stats.js';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const callRate = Number(process.env.SOAK_CALLS_PER_SECOND ?? 30);
const bookingRate = Number(process.env.SOAK_BOOKINGS_PER_SECOND ?? 5);
const holdMs = Number(process.env.SOAK_HOLD_MS ?? 3000);
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ari = { url: process.env.ARI_URL ?? 'http://127.0.0.1:8088', user: process.env.ARI_USER ?? 'switchboard', password: process.env.ARI_PASSWORD ?? 'switchboard', app: process.env.ARI_APP ?? 'switchboard' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const name = `sb_soak_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = postgres(url.toString(), { max: 2, onnotice: () => {} });
  const adminPassword = randomBytes(12).toString('hex');
  const env = {
    DATABASE_URL: url.toString(),
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    ADMIN_EMAIL: 'soak@bench.local',
    ADMIN_PASSWORD: adminPassword,
    ARI_URL: ari.url,
    ARI_USER: ari.user,
    ARI_PASSWORD: ari.password,
    ARI_APP: ari.app,
    CEL_DATABASE_URL: serverUrl,
    ARI_LEASE_CHECK_MS: '500',
    LOG_LEVEL: 'warn',
    RECORD_CALLS: 'false',
  };
  const instances: Instance[] = [];
  const sockets: Socket[] = [];
  try {
    const a = await spawnInstance('soak-a', env);
    instances.push(a);
    await waitFor(async () => (await a.health()).telephony.servers[0].state === 'connected', 30_000, 'a to connect to Asterisk');
    const b = await spawnInstance('soak-b', env);
    instances.push(b);
    await waitFor(async () => (await b.health()).telephony.servers[0].role === 'standby', 15_000, 'b to stand by');

    const api = async (base: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(base + path, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as any };
    };
    const adminToken = (await api(a.url, '/api/auth/login', null, { email: env.ADMIN_EMAIL, password: adminPassword })).body.token as string;
    const person = async (role: string, i: number) => {
      const email = `${role}${i}@bench.local`;
      const created = await api(a.url, '/api/users', adminToken, { email, name: `${role} ${i}`, role, password: 'soak-password-1' });
      if (created.status !== 201) throw new Error(`could not create ${email}: ${JSON.stringify(created.body)}`);
      return { id: created.body.id as string, token: (await api(a.url, '/api/auth/login', null, { email, password: 'soak-password-1' })).body.token as string };
    };
    const operator = await person('operator', 0);
    const hunters = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => person('hunter', i)));
    for (const [i, hu] of hunters.entries()) {
      const s = io(i % 2 ? b.url : a.url, { transports: ['websocket'], auth: { token: hu.token }, forceNew: true });
      s.on('meeting:offered', (o: { offerId: string }) => s.emit('meeting:accept', { offerId: o.offerId }));
      sockets.push(s);
      await fetch(`${a.url}/api/me/status`, { method: 'PUT', headers: { authorization: `Bearer ${hu.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ status: 'available' }) });
    }

    const caller = `7915${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
    const total = Math.round(callRate * seconds);
    console.log(`bench:soak — ${seconds} s: ${callRate} calls/s (${total} calls, hold ${holdMs} ms), ${bookingRate} bookings/s over two instances; the ARI holder is killed at ${Math.round(seconds / 2)} s`);
    const startedAt = new Date();
    const started = Date.now();
    const killAt = started + (seconds / 2) * 1000;
    const endAt = started + seconds * 1000;
    const workDir = mkdtempSync(join(tmpdir(), 'sb-soak-'));
    const scenario = fileURLToPath(new URL('../asterisk/sipp/uac-inbound.xml', import.meta.url));
    const sipp = new Promise<string>((resolve) => {
      execFile(
        'sipp',
        ['-sf', scenario, '-trace_screen', '-s', '4951230500', '-key', 'caller', caller, '-d', String(holdMs), '-r', String(callRate), '-m', String(total), '-l', String(callRate * 20), '-p', '25998', '-nostdin', '-timeout', String(seconds + 180), '127.0.0.1:5060'],
        { maxBuffer: 64 * 1024 * 1024, cwd: workDir },
        () => {
          const screen = readdirSync(workDir).find((f) => f.endsWith('_screen.log'));
          resolve(screen ? readFileSync(join(workDir, screen), 'utf8') : '');
        },
      );
    });

    // Bookings through both instances, each timed; before and after the kill apart.
    const latency = { before: [] as number[], after: [] as number[] };
    let booked = 0;
    let bookingErrors = 0;
    let retried = 0;
    let killed = false;
    let failoverMs = NaN;
    const booking = (async () => {
      let i = 0;
      while (Date.now() < endAt) {
        const tick = Date.now();
        const base = i % 2 && !killed ? a.url : b.url;
        const n = i++;
        void (async () => {
          const t0 = performance.now();
          const contact = await api(base, '/api/contacts', operator.token, { name: `Soak ${n}`, phones: [`+7917${String(1000000 + n).padStart(7, '0')}`] });
          // As a careful client books: with an Idempotency-Key, and once more through the other instance
          // when the answer is lost (the instance died after its commit, say), which returns the first booking.
          const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
          const book = (at: string) =>
            api(at, '/api/meetings', operator.token, { contactId: contact.body.id, scheduledAt }, { 'idempotency-key': `soak-${n}` });
          let meeting = contact;
          if (contact.status === 201) {
            meeting = await book(base).catch(() => ({ status: 0, body: null }));
            if (meeting.status === 0 || meeting.status >= 500) {
              retried++;
              meeting = await book(base === a.url ? b.url : a.url);
            }
          }
          if (meeting.status === 201 || meeting.status === 200) {
            booked++;
            (killed ? latency.after : latency.before).push(performance.now() - t0);
          } else bookingErrors++;
        })().catch(() => bookingErrors++);
        await sleep(Math.max(0, 1000 / bookingRate - (Date.now() - tick)));
      }
    })();

    await sleep(Math.max(0, killAt - Date.now()));
    const t0 = Date.now();
    killed = true;
    await a.kill('SIGKILL');
    await waitFor(async () => {
      const s = (await b.health()).telephony.servers[0];
      return s.role === 'holder' && s.state === 'connected';
    }, 30_000, 'b to take over').catch(async (err: Error) => {
      // What the standby was doing, to tell why.
      const health = await b.health().catch((e: Error) => e.message);
      console.error(`b's /health: ${JSON.stringify(health)}\nb's last log lines:\n${b.logs.slice(-40).join('\n')}`);
      throw err;
    });
    failoverMs = Date.now() - t0;

    await booking;
    const screen = await sipp;
    rmSync(workDir, { recursive: true, force: true });
    const num = (label: string) => Number(screen.split('\n').reverse().find((l) => l.includes(label))?.split('|').map((c) => c.trim()).filter(Boolean).pop() ?? NaN);
    const placed = num('Successful call') + num('Failed call');
    const successful = num('Successful call');

    // Let the last events and offers land.
    let calls = { n: 0, open: 0, dup: 0 };
    await waitFor(async () => {
      const [r] = await db`select count(*)::int as n, count(*) filter (where ended_at is null)::int as open,
                                  (count(*) - count(distinct linkedid))::int as dup
                             from calls where from_number = ${'+' + caller} and started_at >= ${startedAt}`;
      calls = r as typeof calls;
      return calls.n >= successful && calls.open === 0;
    }, 60_000, 'every call to be recorded and closed').catch(() => {});
    await sleep(3000);
    const [m] = await db`select count(*)::int as booked,
                                count(*) filter (where hunter_id is not null)::int as assigned,
                                (select count(*)::int from (select meeting_id from meeting_offers where status = 'accepted' group by meeting_id having count(*) > 1) x) as twice
                           from meetings`;
    console.log(`calls: placed ${placed} (SIPp successful ${successful}), recorded ${calls.n}, still open ${calls.open}, recorded twice ${calls.dup}`);
    console.log(`meetings: booked ${booked} (refused ${bookingErrors}; ${retried} sent again with their Idempotency-Key), stored ${m!.booked}, assigned to a hunter ${m!.assigned}, accepted twice ${m!.twice}`);
    console.log(`failover: the standby held and reconciled the ARI connection ${failoverMs} ms after the kill`);
    const f = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms (n=${xs.length})`;
    console.log(`booking latency: before the kill ${f(latency.before)}; after ${f(latency.after)}`);
    // What went wrong on the way, if anything: each instance's warnings and errors, counted by message.
    for (const i of instances) {
      const counts = new Map<string, number>();
      for (const line of i.logs) {
        try {
          const l = JSON.parse(line) as { level?: number; msg?: string };
          if ((l.level ?? 0) >= 40) counts.set(l.msg ?? '?', (counts.get(l.msg ?? '?') ?? 0) + 1);
        } catch {
          /* not a log line */
        }
      }
      const top = [...counts].sort((x, y) => y[1] - x[1]).slice(0, 8);
      console.log(`${i.id} warnings and errors: ${top.length ? top.map(([m, n]) => `${n}× ${m}`).join('; ') : 'none'}`);
    }
  } finally {
    for (const s of sockets) s.close();
    for (const i of instances) await i.kill();
    await db.end();
    if (!process.env.BENCH_KEEP_DATABASE) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function waitFor(fn: () => Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
