import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { harnessEnv, spawnInstance, type Instance } from '../helpers/instance.js';
import { waitFor } from '../helpers/wait.js';
import {
  ARI,
  ARI_B,
  CEL_DATABASE_URL,
  CEL_TABLE_B,
  SIP_TARGET,
  SIP_TARGET_B,
  holdAsterisk,
  inboundCall,
  requireTwoAsterisks,
  uniqueCaller,
} from '../helpers/asterisk.js';

const onPostgres = !!process.env.DATABASE_URL;
if (!onPostgres) console.warn('[skip] two Asterisk servers: several instances share a database only on PostgreSQL (set DATABASE_URL)');
const available = onPostgres && (await requireTwoAsterisks());

const PBX = ['pbx-a', 'pbx-b'] as const;
type Pbx = (typeof PBX)[number];
const SIP: Record<Pbx, string> = { 'pbx-a': SIP_TARGET, 'pbx-b': SIP_TARGET_B };

interface Placed {
  caller: string;
  pbx: Pbx;
}

type CallRow = {
  from_number: string;
  pbx: string;
  linkedid: string;
  ended_at: Date | null;
  captured_by: string;
  close_reason: string | null;
  talk_seconds: number | null;
};

/**
 * Two real Asterisk servers (the sandbox and its second copy, `npm run asterisk:b:up`: own ports,
 * systemname "sbb", CEL table cel_b) and service instances in processes of their own on one PostgreSQL
 * database: each server's ARI connection is held by one instance, calls into both are recorded once each
 * under their own server, through a takeover and through CEL recovery.
 */
describe.skipIf(!available)('two Asterisk servers', () => {
  let h: Harness;
  let env: Record<string, string>;
  let release: (() => void) | undefined;
  const instances: Instance[] = [];
  /** Every call this file placed, and the server it went to. */
  const placed: Placed[] = [];

  type ServerHealth = { name: string; role: 'holder' | 'standby'; holder: string | null; state: string };
  const serversOf = async (i: Instance): Promise<ServerHealth[]> => (await i.health()).telephony.servers;
  const holdsBoth = async (i: Instance) => {
    const all = await serversOf(i);
    return all.length === 2 && all.every((x) => x.role === 'holder' && x.holder === i.id && x.state === 'connected');
  };
  const standsByFor = async (i: Instance, holder: string) => {
    const all = await serversOf(i);
    return all.length === 2 && all.every((x) => x.role === 'standby' && x.holder === holder && x.state === 'connected');
  };

  async function spawn(id: string) {
    const i = await spawnInstance(id, env);
    instances.push(i);
    return i;
  }

  /** Places a call into `pbx` (remembered for the final checks); resolves when the caller hangs up. */
  function call(pbx: Pbx, did: string, holdMs: number, delayMs = 0) {
    const caller = uniqueCaller();
    placed.push({ caller, pbx });
    const done = new Promise((r) => setTimeout(r, delayMs)).then(() => inboundCall(did, caller, holdMs, SIP[pbx]));
    return { caller, pbx, done };
  }

  async function rowsOf(callers: string[]) {
    return h.services.database.query<CallRow>(
      sql`select from_number, pbx, linkedid, ended_at, captured_by, close_reason, talk_seconds from calls
           where from_number in ${callers.map((c) => `+${c}`)} order by started_at`,
    );
  }

  /** Waits until each call has a closed record, then checks each has exactly one, under its own server. */
  async function expectRecordedOnceEach(calls: Placed[]) {
    const rows = await waitFor(
      `${calls.length} calls to be recorded and closed`,
      async () => {
        const r = await rowsOf(calls.map((c) => c.caller));
        const closed = new Set(r.filter((x) => x.ended_at).map((x) => x.from_number));
        return calls.every((c) => closed.has(`+${c.caller}`)) && r.every((x) => x.ended_at) ? r : null;
      },
      45_000,
    );
    const shown = JSON.stringify(rows, null, 1);
    for (const c of calls) {
      const mine = rows.filter((r) => r.from_number === `+${c.caller}`);
      expect(mine.map((r) => r.pbx), `${c.caller} (placed into ${c.pbx})\n${shown}`).toEqual([c.pbx]);
    }
    // Server B has a systemname: its linkedids carry it, server A's do not.
    for (const r of rows) expect(r.linkedid).toMatch(r.pbx === 'pbx-b' ? /^sbb-\d+\.\d+$/ : /^\d+\.\d+$/);
    return rows;
  }

  const perServer = (rows: CallRow[]) => Object.fromEntries(PBX.map((p) => [p, rows.filter((r) => r.pbx === p).length]));

  /** The summary each instance logs per server after connecting and reconciling. */
  function reconciled(i: Instance, pbx: Pbx) {
    return i.logs
      .map((l) => {
        try {
          return JSON.parse(l) as { msg?: string; pbx?: string; recovered?: number; closed?: number; live?: number };
        } catch {
          return null;
        }
      })
      .filter((l) => l?.msg === 'ARI connected and reconciled' && l.pbx === pbx);
  }

  beforeAll(async () => {
    release = await holdAsterisk();
    h = await startHarness();
    env = {
      ...harnessEnv(h),
      ARI_SERVERS: JSON.stringify([
        { name: 'pbx-a', url: ARI.url, user: ARI.user, password: ARI.password, app: ARI.app },
        { name: 'pbx-b', url: ARI_B.url, user: ARI_B.user, password: ARI_B.password, app: ARI_B.app, celTable: CEL_TABLE_B },
      ]),
      CEL_DATABASE_URL,
      ARI_LEASE_CHECK_MS: '500',
    };
    const first = await spawn('sb-two-1');
    await waitFor('the first instance to hold both servers', () => holdsBoth(first));
    const second = await spawn('sb-two-2');
    await waitFor('the second instance to stand by for both', () => standsByFor(second, first.id));
  }, 90_000);
  afterAll(async () => {
    for (const i of instances) await i.kill();
    await h?.stop();
    release?.();
  });

  it('each server is held by exactly one instance, and every instance says which', async () => {
    const [one, two] = instances as [Instance, Instance];
    const health = await Promise.all([one, two].map(serversOf));
    for (const pbx of PBX) {
      const views = health.map((all) => all.find((x) => x.name === pbx)!);
      expect(views.filter((v) => v.role === 'holder'), pbx).toHaveLength(1);
      expect(views.map((v) => v.holder)).toEqual([one.id, one.id]);
      expect(views.map((v) => v.state)).toEqual(['connected', 'connected']);
    }
    const leases = await h.services.database.query<{ pbx: string; instance_id: string }>(sql`select pbx, instance_id from pbx_leases order by pbx`);
    expect(leases).toEqual([
      { pbx: 'pbx-a', instance_id: one.id },
      { pbx: 'pbx-b', instance_id: one.id },
    ]);
  });

  it('calls into both servers at once are each recorded once, under the server they went to', async () => {
    const calls = PBX.flatMap((pbx, s) => Array.from({ length: 6 }, (_, i) => call(pbx, `49512310${s}${i}`, 1000)));
    await Promise.all(calls.map((c) => c.done));
    const rows = await expectRecordedOnceEach(calls);
    console.log(`[two-servers] at once: placed 6 + 6, recorded ${JSON.stringify(perServer(rows))}`);
    expect(perServer(rows)).toEqual({ 'pbx-a': 6, 'pbx-b': 6 });
    expect(rows.every((r) => r.captured_by === 'ari')).toBe(true);
  }, 60_000);

  it('killing the instance holding both servers: the other takes both over, and every call stays recorded once', async () => {
    const [one, two] = instances as [Instance, Instance];
    // Calls talking when the holder dies …
    const early = PBX.flatMap((pbx, s) => Array.from({ length: 4 }, (_, i) => call(pbx, `49512320${s}${i}`, 7000, i * 250)));
    await waitFor('the first calls on both servers to be recorded', async () => (await rowsOf(early.map((c) => c.caller))).length === early.length);
    const killedAt = Date.now();
    await one.kill('SIGKILL');
    // … and calls placed while nobody holds the servers and right after the takeover.
    const late = PBX.flatMap((pbx, s) => Array.from({ length: 4 }, (_, i) => call(pbx, `49512330${s}${i}`, 1500, i * 400)));
    const takeover: Partial<Record<Pbx, number>> = {};
    await waitFor(
      'the standby to take both servers over',
      async () => {
        for (const x of await serversOf(two)) {
          if (x.role === 'holder' && x.state === 'connected') takeover[x.name as Pbx] ??= Date.now() - killedAt;
        }
        return PBX.every((p) => takeover[p] !== undefined);
      },
      30_000,
    );
    console.log(`[two-servers] after the holder was killed, the standby held and reconciled pbx-a in ${takeover['pbx-a']} ms, pbx-b in ${takeover['pbx-b']} ms`);
    expect(await holdsBoth(two)).toBe(true);

    await Promise.all([...early, ...late].map((c) => c.done));
    const rows = await expectRecordedOnceEach([...early, ...late]);
    console.log(`[two-servers] through the takeover: placed 8 + 8, recorded ${JSON.stringify(perServer(rows))}`);
    expect(perServer(rows)).toEqual({ 'pbx-a': 8, 'pbx-b': 8 });
    // The calls talking at the kill were closed when they really ended, not at the takeover.
    for (const c of early) expect(rows.find((r) => r.from_number === `+${c.caller}`)!.talk_seconds).toBeGreaterThanOrEqual(5);
    // Nothing the first instance recorded was imported again, under either server, by the takeover.
    await expectRecordedOnceEach(placed);
    const leases = await h.services.database.query<{ instance_id: string }>(sql`select instance_id from pbx_leases`);
    expect(leases.map((l) => l.instance_id)).toEqual([two.id, two.id]);
  }, 120_000);

  it("CEL recovery of each server takes in that server's missed calls, and never the other server's", async () => {
    const two = instances[1]!;
    // A call on each server is talking when the last instance dies, and ends while nobody listens …
    const cut = PBX.map((pbx, s) => call(pbx, `49512340${s}0`, 5000));
    await waitFor('the calls in progress to be recorded', async () => (await rowsOf(cut.map((c) => c.caller))).length === cut.length);
    await two.kill('SIGKILL');
    // … and calls begin and end on both servers while no instance is up.
    const missed = PBX.flatMap((pbx, s) => Array.from({ length: 3 }, (_, i) => call(pbx, `49512350${s}${i}`, 300)));
    await Promise.all([...cut, ...missed].map((c) => c.done));

    const three = await spawn('sb-two-3');
    await waitFor('a new instance to hold both servers', () => holdsBoth(three), 30_000);
    const rows = await expectRecordedOnceEach([...cut, ...missed]);
    console.log(`[two-servers] recovered while no instance was up: placed 3 + 3, recorded ${JSON.stringify(perServer(rows.filter((r) => r.captured_by === 'cel')))}`);
    for (const c of missed) expect(rows.find((r) => r.from_number === `+${c.caller}`)!.captured_by).toBe('cel');
    for (const c of cut) {
      const r = rows.find((x) => x.from_number === `+${c.caller}`)!;
      expect(r.close_reason, JSON.stringify(r)).toMatch(/time from CEL/);
      expect(r.talk_seconds).toBeGreaterThanOrEqual(4);
    }
    // Each server's reconciliation recovered its own three calls and closed its own cut call: no more.
    for (const pbx of PBX) {
      expect(reconciled(three, pbx).map((l) => ({ recovered: l!.recovered, closed: l!.closed })), pbx).toEqual([{ recovered: 3, closed: 1 }]);
    }
    // And every call this file placed is still recorded once, under its own server.
    const all = await expectRecordedOnceEach(placed);
    console.log(`[two-servers] in all: placed ${placed.length}, records ${all.length}: ${JSON.stringify(perServer(all))}`);
  }, 120_000);
});
