import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contacts } from '../../src/db/schema.js';
import { startHarness, nextEvent, type Harness, type TestUser } from '../helpers/harness.js';
import { abandonedCall, ARI, CEL_DATABASE_URL, hangupCallsWith, holdAsterisk, inboundCall, requireAsterisk, startPhone, startTrunk, uniqueCaller } from '../helpers/asterisk.js';

const available = await requireAsterisk();

type Phone = Awaited<ReturnType<typeof startPhone>>;

describe.skipIf(!available)('inbound distribution and click-to-call on a real Asterisk (SIPp phones)', () => {
  let h: Harness;
  let release: (() => void) | undefined;
  let cc: TestUser;
  let ops: TestUser[];
  let phones: Phone[];
  let sourceId: string;
  const env = {
    ARI_URL: ARI.url,
    ARI_USER: ARI.user,
    ARI_PASSWORD: ARI.password,
    ARI_APP: ARI.app,
    CEL_DATABASE_URL,
    ACD_RING_SECONDS: '3',
    ACD_MAX_WAIT_SECONDS: '9',
    ACD_ANNOUNCE_AFTER_SECONDS: '0',
    WRAP_UP_SECONDS: '3',
    OUTBOUND_CALLER_ID: '+74951230000',
  };

  beforeAll(async () => {
    release = await holdAsterisk();
    h = await startHarness({ env });
    await h.gateway!.ready(20_000);
    cc = await h.user('cc_admin');
    ops = [];
    for (const [i, name] of ['Ольга Первая', 'Павел Второй', 'Роман Третий'].entries()) {
      const u = await h.user('operator', { name });
      const res = await h.api(`/api/users/${u.id}`, { method: 'PATCH', token: await h.adminToken(), body: { extension: `100${i + 1}`, phoneDevice: 'desk' } });
      expect(res.status).toBe(200);
      ops.push(u);
    }
    phones = await Promise.all(['1001', '1002', '1003'].map((ext) => startPhone(ext, 300)));
    expect((await h.api('/api/pause-reasons', { token: cc.token, body: { label: 'Обед' } })).status).toBe(201);
    const src = (await h.api('/api/sources', { token: cc.token, body: { name: 'Яндекс Директ', channel: 'paid_search' } })).body;
    sourceId = src.id;
    await h.api('/api/tracking-numbers', { token: cc.token, body: { number: '+74951231001', sourceId, kind: 'static' } });
  });
  afterAll(async () => {
    await Promise.all((phones ?? []).map((p) => p.stop()));
    await h?.stop();
    release?.();
  });

  const ariGet = async (path: string) =>
    (await fetch(`${ARI.url}/ari${path}`, { headers: { authorization: `Basic ${Buffer.from(`${ARI.user}:${ARI.password}`).toString('base64')}` } })).json() as Promise<any[]>;

  const setStatus = (u: TestUser, status: string, reason?: string) =>
    h.api('/api/me/status', { method: 'PUT', token: u.token, body: reason ? { status, reason } : { status } });

  /** Everyone off the phones, wrap-ups over; then `order` made available one after another (first = idle longest). */
  async function lineUp(order: TestUser[]) {
    for (const u of ops) {
      await expect.poll(async () => (await h.api(`/api/users/${u.id}`, { token: await h.adminToken() })).body.status, { timeout: 15_000 }).not.toMatch(/ringing|on_call/);
      await setStatus(u, 'offline');
    }
    for (const u of order) {
      await setStatus(u, 'available');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function callFrom(caller: string, timeoutMs = 20_000) {
    let found: any = null;
    await expect
      .poll(
        async () => {
          await h.gateway!.idle();
          const res = await h.api('/api/calls?direction=inbound&limit=200', { token: cc.token });
          found = res.body.items.find((c: { from: string; endedAt: string | null }) => c.from === `+${caller}` && c.endedAt);
          return !!found;
        },
        { timeout: timeoutMs, interval: 300 },
      )
      .toBe(true);
    return (await h.api(`/api/calls/${found.id}`, { token: cc.token })).body;
  }

  beforeEach(async () => {
    for (const p of phones) await p.setRing(300);
  });

  it('the longest-idle operator gets the call, and wrap-up keeps them from the next one', async () => {
    const [a, b, c] = ops as [TestUser, TestUser, TestUser];
    await lineUp([b, a, c]);
    // The administrator's inbound script comes with the screen pop.
    const script = (await h.api('/api/call-scripts', { token: cc.token, body: { name: 'Входящий звонок', inbound: true } })).body;
    expect((await h.api(`/api/call-scripts/${script.id}/publish`, { method: 'POST', token: cc.token })).status).toBe(201);
    const sock = h.socket(b.token);
    await new Promise<void>((r) => sock.on('connect', () => r()));
    const popped = nextEvent(sock, 'call:incoming', 15_000);

    const first = uniqueCaller();
    await inboundCall('4951231001', first, 1500);
    const call = await callFrom(first);
    expect(call).toMatchObject({ status: 'answered', operatorId: b.id, acdOutcome: 'answered', source: { id: sourceId } });
    expect(call.talkSeconds).toBeGreaterThanOrEqual(1);
    expect(call.attempts).toEqual([expect.objectContaining({ userId: b.id, how: 'queue', outcome: 'answered' })]);
    expect(call.legs.length).toBe(2);
    // Bridged calls are recorded by the PBX and streamed through the service.
    expect(call.recordingUrl).toBe(`/api/calls/${call.id}/recording`);
    const audio = await fetch(h.url + call.recordingUrl, { headers: { authorization: `Bearer ${cc.token}` } });
    expect(audio.status).toBe(200);
    expect(Buffer.from(await audio.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');
    const pop = await popped;
    expect(pop).toMatchObject({ callId: call.id, from: `+${first}`, how: 'queue', owner: null, source: { id: sourceId, name: 'Яндекс Директ' } });
    expect(pop.contact.id).toBe(call.contactId);
    expect(pop.script).toMatchObject({ scriptId: script.id, version: 1, graph: { start: 'greeting' } });
    // The operator walks it; the call record keeps the version, the path and the link to the operator.
    const run = await h.api('/api/script-runs', {
      token: b.token,
      body: { scriptId: script.id, version: 1, callId: call.id, path: [{ stepId: 'greeting', optionId: 'continue' }, { stepId: 'done' }] },
    });
    expect(run.status).toBe(201);
    expect(run.body).toMatchObject({ callId: call.id, contactId: call.contactId, operatorId: b.id, outcome: 'completed' });
    const detail = (await h.api(`/api/calls/${call.id}`, { token: cc.token })).body;
    expect(detail.scriptRuns).toEqual([expect.objectContaining({ scriptId: script.id, version: 1, path: ['greeting', 'done'], operatorId: b.id })]);
    // Another operator cannot claim the call's script run.
    expect((await h.api('/api/script-runs', { token: a.token, body: { scriptId: script.id, version: 1, callId: call.id, path: [{ stepId: 'greeting' }] } })).status).toBe(400);

    // B is in wrap-up now: the next caller goes to A, the next longest idle.
    expect((await h.api(`/api/users/${b.id}`, { token: await h.adminToken() })).body.status).toBe('wrap_up');
    const second = uniqueCaller();
    await inboundCall('4951231001', second, 500);
    const next = await callFrom(second);
    expect(next.operatorId).toBe(a.id);
    // After wrap-up B is available again by itself.
    await expect.poll(async () => (await h.api(`/api/users/${b.id}`, { token: await h.adminToken() })).body.status, { timeout: 10_000 }).toBe('available');
  });

  it('a paused operator is skipped; a ring timeout moves on to the next operator', async () => {
    const [a, b, c] = ops as [TestUser, TestUser, TestUser];
    await lineUp([a, b, c]);
    expect((await setStatus(a, 'paused', 'Обед')).status).toBe(200);
    await phones[1]!.setRing(10_000); // B does not pick up within ACD_RING_SECONDS

    const caller = uniqueCaller();
    await inboundCall('4951231001', caller, 500);
    const call = await callFrom(caller);
    expect(call.attempts.map((x: { userId: string; outcome: string }) => [x.userId, x.outcome])).toEqual([
      [b.id, 'no_answer'],
      [c.id, 'answered'],
    ]);
    expect(call.operatorId).toBe(c.id);
    expect(call.waitSeconds).toBeGreaterThanOrEqual(3);
    expect((await h.api(`/api/users/${a.id}`, { token: await h.adminToken() })).body.status).toBe('paused');
  });

  it("a client's call goes to their account manager first, and the screen pop names them", async () => {
    const am = await h.user('account_manager', { name: 'Алла Менеджерова' });
    await h.api(`/api/users/${am.id}`, { method: 'PATCH', token: await h.adminToken(), body: { extension: '1004', phoneDevice: 'desk' } });
    const amPhone = await startPhone('1004', 300);
    phones.push(amPhone);
    const caller = uniqueCaller();
    // A known client: a first call (everyone paused, the caller gives up) makes the contact; then it
    // becomes the manager's client.
    await lineUp([]);
    for (const u of ops) expect((await setStatus(u, 'paused', 'Обед')).status).toBe(200);
    await abandonedCall('4951231001', caller, 300).catch(() => {});
    const first = await callFrom(caller);
    await h.services.database.db.update(contacts).set({ status: 'active', accountManagerId: am.id }).where(eq(contacts.id, first.contactId));
    await lineUp([...ops]);
    await setStatus(am, 'available');

    const sock = h.socket(am.token);
    await new Promise<void>((r) => sock.on('connect', () => r()));
    const popped = nextEvent(sock, 'call:incoming', 15_000);
    await inboundCall('4951231001', caller, 800);
    await expect.poll(async () => (await h.api('/api/calls?direction=inbound&limit=200', { token: cc.token })).body.items.filter((c: any) => c.from === `+${caller}` && c.endedAt).length, { timeout: 20_000 }).toBe(2);
    const list = (await h.api('/api/calls?direction=inbound&limit=200', { token: cc.token })).body.items.filter((c: any) => c.from === `+${caller}`);
    const second = (await h.api(`/api/calls/${list[0].id}`, { token: cc.token })).body;
    expect(second).toMatchObject({ operatorId: am.id, ownerId: am.id, status: 'answered' });
    expect(second.attempts).toEqual([expect.objectContaining({ userId: am.id, how: 'owner', outcome: 'answered' })]);
    expect(await popped).toMatchObject({ how: 'owner', owner: { id: am.id, name: 'Алла Менеджерова', kind: 'account_manager' }, contact: { id: first.contactId, status: 'active' } });
    await setStatus(am, 'offline');
  });

  it('a caller who hangs up while waiting gets a callback task with the source; the callback closes it', async () => {
    const [a, b, c] = ops as [TestUser, TestUser, TestUser];
    // Earlier tests' callers left tasks: the administrator closes them, saying why.
    for (const t of (await h.api('/api/callbacks?limit=200', { token: cc.token })).body.items) {
      const res = await h.api(`/api/callbacks/${t.id}/cancel`, { token: cc.token, body: { note: 'Клиент перезвонил сам' } });
      expect(res.body).toMatchObject({ status: 'cancelled', closeNote: 'Клиент перезвонил сам' });
    }
    expect((await h.api(`/api/callbacks/${'cb_01JD0000000000000000000000'}/cancel`, { token: cc.token, body: { note: 'x' } })).status).toBe(404);
    await lineUp([a, b, c]);
    for (const u of ops) expect((await setStatus(u, 'paused', 'Обед')).status).toBe(200);
    const caller = uniqueCaller();
    await abandonedCall('4951231001', caller, 2000).catch(() => {});
    const call = await callFrom(caller);
    expect(call).toMatchObject({ status: 'abandoned', acdOutcome: 'abandoned', operatorId: null });

    const tasks = (await h.api('/api/callbacks', { token: a.token })).body.items;
    const task = tasks.find((t: { phone: string }) => t.phone === `+${caller}`);
    expect(task).toMatchObject({ reason: 'abandoned_call', source: { id: sourceId }, callId: call.id, status: 'open', claimedBy: null });
    expect(task.waitSeconds).toBeGreaterThanOrEqual(1);

    // Handed out first in, first out, to one operator at a time; only the holder may close it.
    await setStatus(a, 'available');
    const mine = (await h.api('/api/callbacks/next', { method: 'POST', token: a.token })).body.task;
    expect(mine).toMatchObject({ id: task.id, claimedBy: { id: a.id } });
    expect((await h.api('/api/callbacks/next', { method: 'POST', token: b.token })).body.task).toBeNull();
    expect((await h.api('/api/callbacks/next', { method: 'POST', token: a.token })).body.task.id).toBe(task.id);
    expect((await h.api(`/api/callbacks/${task.id}/cancel`, { token: b.token, body: { note: 'не моё' } })).status).toBe(403);
    expect((await h.api('/api/calls/originate', { token: b.token, body: { callbackId: task.id } })).status).toBe(409);

    // Calling the number back from the panel: A's phone rings, then the client's.
    const trunk = startTrunk(300);
    try {
      const res = await h.api('/api/calls/originate', { token: a.token, body: { callbackId: task.id } });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ to: `+${caller}`, callbackId: task.id, status: 'ringing_your_phone' });
      let out: any = null;
      await expect
        .poll(
          async () => {
            await h.gateway!.idle();
            const list = (await h.api('/api/calls?direction=outbound&limit=200', { token: cc.token })).body.items;
            out = list.find((x: { to: string; answeredAt: string | null }) => x.to === `+${caller}` && x.answeredAt);
            return !!out;
          },
          { timeout: 20_000 },
        )
        .toBe(true);
      expect(out).toMatchObject({ direction: 'outbound', operatorId: a.id });
      const outbound = (await h.api('/api/calls?direction=outbound&limit=200', { token: cc.token })).body.items.filter((x: { to: string }) => x.to === `+${caller}`);
      expect(outbound).toHaveLength(1);
      expect((await h.api(`/api/users/${a.id}`, { token: await h.adminToken() })).body.status).toBe('on_call');
      // Both SIPp ends wait for a BYE: end the conversation from the PBX side.
      await new Promise((r) => setTimeout(r, 1200));
      expect(await hangupCallsWith(caller)).toBeGreaterThan(0);
    } finally {
      await trunk.stop();
    }
    await expect
      .poll(async () => (await h.api('/api/callbacks?status=done', { token: cc.token })).body.items.find((t: { id: string }) => t.id === task.id)?.closedByCallId ?? null, { timeout: 20_000 })
      .not.toBeNull();
    const done = (await h.api('/api/callbacks?status=done', { token: cc.token })).body.items.find((t: { id: string }) => t.id === task.id);
    const closing = (await h.api(`/api/calls/${done.closedByCallId}`, { token: cc.token })).body;
    expect(closing).toMatchObject({ direction: 'outbound', source: { id: sourceId }, attribution: { method: 'callback' }, operatorId: a.id, contactId: call.contactId });
  });

  it('nobody free within the maximum wait: the caller gets a callback task and the call counts as missed', async () => {
    await lineUp([]);
    expect((await setStatus(ops[0]!, 'paused', 'Обед')).status).toBe(200);
    const caller = uniqueCaller();
    await inboundCall('4951231001', caller, 500).catch(() => {}); // the app hangs up on them
    const call = await callFrom(caller, 30_000);
    expect(call).toMatchObject({ acdOutcome: 'timed_out', status: 'missed', operatorId: null });
    expect(call.waitSeconds).toBeGreaterThanOrEqual(8);
    const task = (await h.api('/api/callbacks', { token: cc.token })).body.items.find((t: { phone: string }) => t.phone === `+${caller}`);
    expect(task).toMatchObject({ reason: 'missed_call', source: { id: sourceId }, status: 'open' });
  });

  it('the call-centre administrator listens to a call in progress on their own phone', async () => {
    const [a] = ops as [TestUser];
    await h.api(`/api/users/${cc.id}`, { method: 'PATCH', token: await h.adminToken(), body: { extension: '1005', phoneDevice: 'desk' } });
    const ccPhone = await startPhone('1005', 300);
    phones.push(ccPhone);
    await lineUp([a]);
    const caller = uniqueCaller();
    const placed = inboundCall('4951231001', caller, 6000);
    let live: any = null;
    await expect
      .poll(
        async () => {
          const list = (await h.api('/api/calls?direction=inbound&limit=50', { token: cc.token })).body.items;
          live = list.find((c: { from: string; operatorId: string | null; endedAt: string | null }) => c.from === `+${caller}` && c.operatorId && !c.endedAt);
          return !!live;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    expect((await h.api(`/api/calls/${live.id}/listen`, { method: 'POST', token: a.token })).status).toBe(403);
    const res = await h.api(`/api/calls/${live.id}/listen`, { method: 'POST', token: cc.token });
    expect(res.status).toBe(202);
    // A bridge now joins a snoop on the operator's channel with the administrator's phone.
    await expect
      .poll(
        async () => {
          const channels = await ariGet('/channels');
          const names = new Map(channels.map((c: { id: string; name: string }) => [c.id, c.name]));
          const bridges = await ariGet('/bridges');
          return bridges.some((b: { channels: string[] }) => {
            const members = b.channels.map((id) => names.get(id) ?? '');
            return members.some((n) => n.startsWith('Snoop/')) && members.some((n) => n.startsWith('PJSIP/op1005-'));
          });
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    await placed;
    // The call ended: the listener is hung up with it.
    await expect.poll(async () => (await ariGet('/channels')).some((c: { name: string }) => c.name.startsWith('PJSIP/op1005-')), { timeout: 10_000 }).toBe(false);
    const ended = await h.api(`/api/calls/${live.id}/listen`, { method: 'POST', token: cc.token });
    expect(ended.status).toBe(409);
  });

  it('validates click-to-call and refuses people without a phone', async () => {
    const hunter = await h.user('hunter');
    const noPhone = await h.api('/api/calls/originate', { token: hunter.token, body: { to: '+74951112233' } });
    expect(noPhone.status).toBe(409);
    expect(noPhone.body.detail).toContain('extension');
    const bad = await h.api('/api/calls/originate', { token: ops[0]!.token, body: { to: 'not a phone' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('to');
    const both = await h.api('/api/calls/originate', { token: ops[0]!.token, body: { to: '+74951112233', callbackId: 'cb_01JD0000000000000000000000' } });
    expect(both.status).toBe(400);
    const head = await h.user('sales_head');
    expect((await h.api('/api/calls/originate', { token: head.token, body: { to: '+74951112233' } })).status).toBe(403);
    expect((await h.api('/api/callbacks', { token: head.token })).status).toBe(403);
    const taken = await h.api(`/api/users/${hunter.id}`, { method: 'PATCH', token: await h.adminToken(), body: { extension: '1001' } });
    expect(taken.status).toBe(409);
    expect(taken.body.errors[0].path).toBe('extension');
  });
});
