import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';
import { harnessEnv, spawnInstance, type Instance } from '../helpers/instance.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { ARI, CEL_DATABASE_URL, holdAsterisk, inboundCall, requireAsterisk, startPhone, startTrunk, uniqueCaller } from '../helpers/asterisk.js';
import { waitFor } from '../helpers/wait.js';

const onPostgres = !!process.env.DATABASE_URL;
if (!onPostgres) console.warn('[skip] ARI failover between instances: several instances share a database only on PostgreSQL (set DATABASE_URL)');
const available = onPostgres && (await requireAsterisk());

/**
 * Two instances in processes of their own on one PostgreSQL database and one Asterisk: one holds the
 * ARI connection, the other stands by; the holder is killed with SIGKILL while calls are in progress.
 */
describe.skipIf(!available)('ARI failover between two instances', () => {
  let h: Harness;
  let a: Instance;
  let b: Instance;
  let release: (() => void) | undefined;
  let env: Record<string, string>;

  const server = async (i: Instance) => (await i.health()).telephony.servers[0];

  beforeAll(async () => {
    release = await holdAsterisk();
    h = await startHarness();
    env = {
      ...harnessEnv(h),
      ARI_URL: ARI.url,
      ARI_USER: ARI.user,
      ARI_PASSWORD: ARI.password,
      ARI_APP: ARI.app,
      CEL_DATABASE_URL,
      ARI_LEASE_CHECK_MS: '500',
      ACD_RING_SECONDS: '4',
      WRAP_UP_SECONDS: '1',
      OUTBOUND_CALLER_ID: '+74951230000',
    };
    a = await spawnInstance('sb-a', env);
    await waitFor('instance a to hold the ARI connection', async () => {
      const x = await server(a);
      return x.role === 'holder' && x.state === 'connected';
    });
    b = await spawnInstance('sb-b', env);
    await waitFor('instance b to stand by for a', async () => {
      const x = await server(b);
      return x.role === 'standby' && x.holder === 'sb-a' && x.state === 'connected';
    });
  }, 90_000);
  afterAll(async () => {
    await a?.kill();
    await b?.kill();
    await h?.stop();
    release?.();
  });

  it('a standby reports the holder, and passes click-to-call to it with the caller\'s own credentials', async () => {
    expect(await server(a)).toMatchObject({ role: 'holder', holder: 'sb-a', state: 'connected' });
    // Each instance's metrics say which one holds the connection, and that it is up.
    const metricsOf = async (i: Instance) => (await fetch(`${i.url}/metrics`)).text();
    expect(await metricsOf(a)).toMatch(/^switchboard_ari_holder\{pbx="default"\} 1$/m);
    expect(await metricsOf(b)).toMatch(/^switchboard_ari_holder\{pbx="default"\} 0$/m);
    expect(await metricsOf(b)).toMatch(/^switchboard_ari_state\{pbx="default",state="connected"\} 1$/m);
    const op: TestUser = await h.user('operator', { name: 'Ольга Резервная' });
    const patched = await h.api(`/api/users/${op.id}`, { method: 'PATCH', token: await h.adminToken(), body: { extension: '1001', phoneDevice: 'desk' } });
    expect(patched.status).toBe(200);
    const phone = await startPhone('1001', 300);
    const trunk = startTrunk(300);
    try {
      const res = await fetch(`${b.url}/api/calls/originate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${op.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: '+74957770011' }),
      });
      const body = await res.json();
      expect(res.status, JSON.stringify(body)).toBe(202);
      expect(body).toMatchObject({ to: '+74957770011', status: 'ringing_your_phone' });
      const [row] = await waitFor('the outbound call to be recorded with its operator', async () => {
        const rows = await h.services.database.query<{ operator_id: string | null; direction: string }>(
          sql`select operator_id, direction from calls where to_number = '+74957770011' and operator_id is not null`,
        );
        return rows.length ? rows : null;
      });
      expect(row).toMatchObject({ direction: 'outbound', operator_id: op.id });

      // A request already passed on once is never passed on again: it fails clearly instead of looping.
      const looped = await fetch(`${b.url}/api/calls/originate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${op.token}`, 'content-type': 'application/json', 'x-switchboard-forwarded': 'sb-x' },
        body: JSON.stringify({ to: '+74957770012' }),
      });
      expect(looped.status).toBe(503);
      expect(((await looped.json()) as { detail: string }).detail).toMatch(/moving between instances/);
      // Validation happens where the request lands.
      const bad = await fetch(`${b.url}/api/calls/originate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${op.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to: 'not a number' }),
      });
      expect(bad.status).toBe(400);
    } finally {
      await phone.stop();
      await trunk.stop();
      await h.api(`/api/users/${op.id}`, { method: 'PATCH', token: await h.adminToken(), body: { extension: null } });
    }
  }, 60_000);

  it('killing the holder mid-calls: the standby takes over within seconds, every call is recorded once and closed', async () => {
    const before = uniqueCaller().slice(0, 7);
    const early = Array.from({ length: 6 }, (_, i) => `${before}${String(100 + i)}`.padEnd(11, '0'));
    const late = Array.from({ length: 6 }, (_, i) => `${before}${String(200 + i)}`.padEnd(11, '0'));
    // Calls that are talking when the holder dies …
    const earlyCalls = early.map(async (c, i) => {
      await new Promise((r) => setTimeout(r, i * 250));
      return inboundCall(`49512302${String(i).padStart(2, '0')}`, c, 7000);
    });
    await waitFor('the first calls to be recorded by a', async () => {
      const [r] = await h.services.database.query<{ n: number }>(sql`select count(*)::int as n from calls where from_number in ${early.map((c) => `+${c}`)}`);
      return r!.n >= 4;
    });
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    // … and calls placed while nobody holds the connection and right after the takeover.
    const lateCalls = late.map(async (c, i) => {
      await new Promise((r) => setTimeout(r, i * 400));
      return inboundCall(`49512303${String(i).padStart(2, '0')}`, c, 1500);
    });
    await waitFor(
      'b to take over',
      async () => {
        const x = await server(b);
        return x.role === 'holder' && x.state === 'connected';
      },
      15_000,
    );
    const failoverMs = Date.now() - killedAt;
    console.log(`[failover] the standby held and reconciled the ARI connection ${failoverMs} ms after the holder was killed`);
    expect(failoverMs).toBeLessThan(10_000);
    expect(b.logs.some((l) => l.includes('took the ARI connection'))).toBe(true);

    await Promise.all([...earlyCalls, ...lateCalls]);
    const everyone = [...early, ...late].map((c) => `+${c}`);
    const rows = await waitFor(
      'every call to be closed',
      async () => {
        const r = await h.services.database.query<{ from_number: string; n: number; open: number; answered: number; talk: number }>(
          sql`select from_number, count(*)::int as n, count(*) filter (where ended_at is null)::int as open,
                     count(*) filter (where answered_at is not null)::int as answered, max(talk_seconds)::int as talk
                from calls where from_number in ${everyone} group by from_number`,
        );
        return r.length === everyone.length && r.every((x) => x.open === 0) ? r : null;
      },
      30_000,
    );
    expect(rows.every((r) => r.n === 1), JSON.stringify(rows)).toBe(true);
    expect(rows.every((r) => r.answered === 1), JSON.stringify(rows)).toBe(true);
    // The calls in progress at the kill were closed when they really ended, not at the takeover.
    const detail = await h.services.database.query(sql`select from_number, captured_by, status, started_at, answered_at, ended_at, talk_seconds, hangup_cause_text from calls where from_number in ${everyone} order by started_at`);
    for (const c of early) expect(rows.find((r) => r.from_number === `+${c}`)!.talk, JSON.stringify(detail, null, 1)).toBeGreaterThanOrEqual(5);
    const [lease] = await h.services.database.query<{ instance_id: string }>(sql`select instance_id from pbx_leases where pbx = 'default'`);
    expect(lease!.instance_id).toBe('sb-b');
  }, 90_000);

  it('callers left waiting in the app are queued again, and a conversation left bridged ends cleanly, by whoever takes over', async () => {
    // b holds the connection now (the previous test killed a); c stands by for it.
    const c = await spawnInstance('sb-c', env);
    try {
      await waitFor('c to stand by for b', async () => (await server(c)).holder === 'sb-b' && (await server(c)).role === 'standby');
      const op = await h.user('operator', { name: 'Пётр Перехватов' });
      const admin = await h.adminToken();
      expect((await h.api(`/api/users/${op.id}`, { method: 'PATCH', token: admin, body: { extension: '1002', phoneDevice: 'desk' } })).status).toBe(200);
      // The phone rings long: b rings it and dies while the caller waits.
      const phone = await startPhone('1002', 30_000);
      try {
        expect((await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'available' } })).status).toBe(200);
        // The holder learns of a change made on another instance at its next tick (each second).
        await new Promise((r) => setTimeout(r, 1500));
        const caller = uniqueCaller();
        const call = inboundCall('4951230400', caller, 6000);
        const callId = await waitFor('b to ring the operator for the caller', async () => {
          const [r] = await h.services.database.query<{ call_id: string }>(
            sql`select a.call_id from acd_attempts a join calls c on c.id = a.call_id where c.from_number = ${`+${caller}`} and a.user_id = ${op.id}`,
          );
          return r?.call_id;
        });
        await phone.setRing(300);
        await b.kill('SIGKILL');
        await waitFor('c to take over from b', async () => (await server(c)).role === 'holder' && (await server(c)).state === 'connected', 15_000);
        expect(c.logs.some((l) => l.includes('took over callers and conversations left in the app') && l.includes('"requeued":1'))).toBe(true);
        // c rings the operator again, and the call is answered by them.
        await waitFor('the re-queued caller to be answered by the operator', async () => {
          const [r] = await h.services.database.query<{ operator_id: string | null; answered_at: Date | null }>(
            sql`select operator_id, answered_at from calls where id = ${callId}`,
          );
          return r?.answered_at && r.operator_id === op.id;
        }, 20_000);

        // Now c dies mid-conversation; a new standby, d, takes over the bridge.
        const d = await spawnInstance('sb-d', env);
        try {
          await waitFor('d to stand by for c', async () => (await server(d)).holder === 'sb-c');
          await c.kill('SIGKILL');
          await waitFor('d to take over from c', async () => (await server(d)).role === 'holder' && (await server(d)).state === 'connected', 15_000);
          expect(d.logs.some((l) => l.includes('took over callers and conversations left in the app') && l.includes('"watched":1'))).toBe(true);
          await call;
          // The caller hung up: the operator's leg is hung up too, the call is closed with its operator, and
          // the operator is off the call (wrap-up, then available).
          await waitFor('the call to close', async () => {
            const [r] = await h.services.database.query<{ ended_at: Date | null; operator_id: string | null }>(sql`select ended_at, operator_id from calls where id = ${callId}`);
            return r?.ended_at && r.operator_id === op.id;
          });
          await waitFor('the operator to be free again', async () => {
            const me = await h.api(`/api/users/${op.id}`, { token: admin });
            return ['wrap_up', 'available'].includes(me.body.status);
          });
          const auth = { authorization: `Basic ${Buffer.from(`${ARI.user}:${ARI.password}`).toString('base64')}` };
          await waitFor('no channel left on the operator\'s phone', async () => {
            const chans = (await (await fetch(`${ARI.url}/ari/channels`, { headers: auth })).json()) as Array<{ name: string }>;
            return !chans.some((ch) => ch.name.startsWith('PJSIP/op1002-'));
          });
        } finally {
          await d.kill();
        }
      } finally {
        await phone.stop();
        await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'offline' } });
      }
    } finally {
      await c.kill();
    }
  }, 120_000);

  it('a holder cut off from the database gives up the connection; another takes over, and the first stands by once it is back', async () => {
    // e reaches PostgreSQL through a relay the test cuts; f reaches it directly.
    const db = new URL(h.testDb.url!);
    const relay = await startTcpProxy({ host: db.hostname, port: Number(db.port || 5432) });
    const viaRelay = new URL(db);
    viaRelay.port = String(relay.port);
    const e = await spawnInstance('sb-e', { ...env, DATABASE_URL: viaRelay.toString() });
    let f: Instance | undefined;
    try {
      await waitFor('e to hold the connection', async () => (await server(e)).role === 'holder' && (await server(e)).state === 'connected', 20_000);
      f = await spawnInstance('sb-f', env);
      await waitFor('f to stand by for e', async () => (await server(f!)).holder === 'sb-e' && (await server(f!)).role === 'standby');
      const cutAt = Date.now();
      await relay.cut();
      await waitFor('f to take over from e', async () => (await server(f!)).role === 'holder' && (await server(f!)).state === 'connected', 15_000);
      const takeoverMs = Date.now() - cutAt;
      console.log(`[failover] the standby held the ARI connection ${takeoverMs} ms after the holder lost the database`);
      expect(takeoverMs).toBeLessThan(10_000);
      expect(e.logs.some((l) => l.includes('gave up the ARI connection'))).toBe(true);
      // A call placed while e is cut off is recorded once, by f.
      const caller = uniqueCaller();
      await inboundCall('4951230500', caller, 1500);
      const rows = await waitFor('the call to be recorded and closed', async () => {
        const r = await h.services.database.query<{ n: number; open: number }>(
          sql`select count(*)::int as n, count(*) filter (where ended_at is null)::int as open from calls where from_number = ${`+${caller}`}`,
        );
        return r[0]!.n > 0 && r[0]!.open === 0 ? r : null;
      });
      expect(rows[0]!.n).toBe(1);
      // f's log follows the call by its id, from start to end.
      const [recorded] = await h.services.database.query<{ id: string }>(sql`select id from calls where from_number = ${`+${caller}`}`);
      const about = f.logs.filter((l) => l.includes(`"callId":"${recorded!.id}"`));
      expect(about.some((l) => l.includes('"msg":"call started"')) && about.some((l) => l.includes('"msg":"call ended"')), about.join('\n')).toBe(true);
      // Back on the network, e stands by for f.
      await relay.restore();
      await waitFor('e to stand by for f', async () => (await server(e)).role === 'standby' && (await server(e)).holder === 'sb-f', 20_000);
      expect(await server(f)).toMatchObject({ role: 'holder', holder: 'sb-f', state: 'connected' });
    } finally {
      await f?.kill();
      await e.kill();
      await relay.close();
    }
  }, 120_000);
});
