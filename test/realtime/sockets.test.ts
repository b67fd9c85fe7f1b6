import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitWithAck, nextEvent, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const connected = (s: ReturnType<Harness['socket']>) =>
  new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });

describe('socket.io', () => {
  it('a valid token connects, joins its rooms and gets events addressed to its user only', async () => {
    const alice = await h.user('operator');
    const bob = await h.user('operator');
    const sa = h.socket(alice.token);
    const sb = h.socket(bob.token);
    const ready = nextEvent(sa, 'session:ready');
    await Promise.all([connected(sa), connected(sb)]);
    expect((await ready).user).toMatchObject({ id: alice.id, role: 'operator' });

    const toBob: unknown[] = [];
    sb.on('test:ping', (p) => toBob.push(p));
    const got = nextEvent(sa, 'test:ping');
    h.services.realtime.toUser(alice.id, 'test:ping', { n: 1 });
    expect(await got).toEqual({ n: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(toBob).toEqual([]);
  });

  it('events addressed to a role reach that role only', async () => {
    const head = await h.user('sales_head');
    const op = await h.user('operator');
    const sh = h.socket(head.token);
    const so = h.socket(op.token);
    await Promise.all([connected(sh), connected(so)]);
    const opGot: unknown[] = [];
    so.on('test:role', (p) => opGot.push(p));
    const got = nextEvent(sh, 'test:role');
    h.services.realtime.toRoles(['sales_head'], 'test:role', { ok: true });
    expect(await got).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(opGot).toEqual([]);
  });

  it('no token or a bad token is refused with a problem', async () => {
    const none = h.socket(null);
    const err = await new Promise<Error & { data?: any }>((resolve) => none.once('connect_error', resolve));
    expect(err.data).toMatchObject({ status: 401, code: 'unauthorized' });
    const bad = h.socket('not.a.token');
    const err2 = await new Promise<Error & { data?: any }>((resolve) => bad.once('connect_error', resolve));
    expect(err2.data.status).toBe(401);
  });

  it('the session cookie also authenticates a socket (the web panel)', async () => {
    const u = await h.user('hunter');
    const { io } = await import('socket.io-client');
    const s = io(h.url, { transports: ['websocket'], extraHeaders: { cookie: `sb_session=${u.token}` }, reconnection: false, forceNew: true });
    try {
      const ready = await nextEvent(s, 'session:ready');
      expect(ready.user.id).toBe(u.id);
    } finally {
      s.close();
    }
  });

  it('checks the role of every event and validates payloads', async () => {
    const op = await h.user('operator');
    const s = h.socket(op.token);
    await connected(s);
    const denied = await emitWithAck(s, 'presence:list', {});
    expect(denied).toMatchObject({ ok: false, error: { status: 403, code: 'forbidden' } });
    const invalid = await emitWithAck(s, 'status:set', { status: 'asleep' });
    expect(invalid.ok).toBe(false);
    expect(invalid.error.status).toBe(400);
    expect(invalid.error.errors[0].path).toBe('status');
  });

  it('status:set goes through the same domain function and supervisors see presence change', async () => {
    const cc = await h.user('cc_admin');
    const op = await h.user('operator');
    const sc = h.socket(cc.token);
    const so = h.socket(op.token);
    await Promise.all([connected(sc), connected(so)]);
    await h.api('/api/pause-reasons', { token: cc.token, body: { label: 'training' } });
    const seen = nextEvent(sc, 'presence:changed');
    const ack = await emitWithAck(so, 'status:set', { status: 'paused', reason: 'training' });
    expect(ack).toMatchObject({ ok: true, data: { id: op.id, status: 'paused', statusReason: 'training' } });
    expect(await seen).toMatchObject({ userId: op.id, status: 'paused', reason: 'training' });
    const list = await emitWithAck(sc, 'presence:list');
    expect(list.ok).toBe(true);
    const me = list.data.find((p: { id: string }) => p.id === op.id);
    expect(me).toMatchObject({ status: 'paused', connected: true });
    expect(list.data.every((p: { role: string }) => ['operator', 'cc_admin'].includes(p.role))).toBe(true);
  });

  it('supervisors hear when a user opens their first panel and closes their last', async () => {
    const cc = await h.user('cc_admin');
    const op = await h.user('operator');
    const sc = h.socket(cc.token);
    await connected(sc);
    const events: Array<{ userId: string; connected: boolean }> = [];
    sc.on('presence:connection', (e) => e.userId === op.id && events.push(e));
    const first = h.socket(op.token);
    await connected(first);
    const second = h.socket(op.token);
    await connected(second);
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual([{ userId: op.id, role: 'operator', connected: true }]);
    first.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toHaveLength(1);
    second.close();
    await expect.poll(() => events.length).toBe(2);
    expect(events[1]).toEqual({ userId: op.id, role: 'operator', connected: false });
  });

  it('a revoked session cannot keep using its socket', async () => {
    const u = await h.user('operator');
    const s = h.socket(u.token);
    await connected(s);
    await h.api('/api/auth/logout?everywhere=true', { method: 'POST', token: u.token });
    const gone = new Promise<string>((resolve) => s.once('disconnect', resolve));
    const ack = await emitWithAck(s, 'status:set', { status: 'available' });
    expect(ack).toMatchObject({ ok: false, error: { status: 401 } });
    await gone;
  });
});
