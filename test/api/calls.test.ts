import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChannelEvent } from '../../src/calls/records.js';
import { startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let cc: string;
beforeAll(async () => {
  h = await startHarness();
  cc = (await h.user('cc_admin')).token;
});
afterAll(() => h?.stop());

/** A finished inbound call made of its first channel's StasisStart and ChannelDestroyed. */
async function inboundCall(n: number, startedAt: string) {
  const id = `1700000${n}.1`;
  const channel = {
    id, name: `PJSIP/trunk-0000000${n}`, state: 'Ring', caller: { number: `7916100000${n}` }, creationtime: startedAt,
    dialplan: { context: 'from-trunk', exten: '4951230001' },
    channelvars: { SB_DID: '4951230001', SB_DIRECTION: 'inbound', 'CHANNEL(linkedid)': id },
  };
  await applyChannelEvent(h.services, 'default', { type: 'StasisStart', timestamp: startedAt, args: ['inbound'], channel });
  const end = new Date(Date.parse(startedAt) + 4000).toISOString();
  await applyChannelEvent(h.services, 'default', { type: 'ChannelDestroyed', timestamp: end, cause: 16, cause_txt: 'Normal Clearing', channel });
}

describe('call log API', () => {
  it('pages newest first by start time and filters by period and status', async () => {
    for (let i = 1; i <= 5; i++) await inboundCall(i, `2026-11-20T10:0${i}:00.000Z`);
    const p1 = await h.api('/api/calls?limit=2', { token: cc });
    expect(p1.status).toBe(200);
    expect(p1.body.items.map((c: { from: string }) => c.from)).toEqual(['+79161000005', '+79161000004']);
    const p2 = await h.api(`/api/calls?limit=2&cursor=${p1.body.nextCursor}`, { token: cc });
    expect(p2.body.items.map((c: { from: string }) => c.from)).toEqual(['+79161000003', '+79161000002']);
    const window = await h.api(`/api/calls?from=${encodeURIComponent('2026-11-20T10:02:00Z')}&to=${encodeURIComponent('2026-11-20T10:04:00Z')}&status=abandoned`, { token: cc });
    expect(window.body.items.map((c: { from: string }) => c.from)).toEqual(['+79161000003', '+79161000002']);
    expect(window.body.items[0]).toMatchObject({ status: 'abandoned', waitSeconds: 4, talkSeconds: 0, did: '+74951230001', attribution: { method: 'unknown' } });
  });

  it('rejects bad filters with field errors, and keeps operators to their own calls', async () => {
    const bad = await h.api('/api/calls?from=yesterday&status=lost&limit=0', { token: cc });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.from', 'query.limit', 'query.status']);
    expect((await h.api('/api/calls?cursor=bm9wZQ', { token: cc })).status).toBe(400);
    const op = await h.user('operator');
    expect((await h.api('/api/calls', { token: op.token })).body.items).toEqual([]);
    const hunter = await h.user('hunter');
    expect((await h.api('/api/calls', { token: hunter.token })).status).toBe(403);
  });
});
