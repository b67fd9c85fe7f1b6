import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChannelEvent, type ChannelEvent } from '../../src/calls/records.js';
import { startAriGateway } from '../../src/telephony/ari-gateway.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { abandonedCall, ARI, CEL_DATABASE_URL, holdAsterisk, inboundCall, requireAsterisk, uniqueCaller } from '../helpers/asterisk.js';

const available = await requireAsterisk();

describe.skipIf(!available)('capture from a real Asterisk (SIPp calls)', () => {
  let h: Harness;
  let cc: string;
  const env = { ARI_URL: ARI.url, ARI_USER: ARI.user, ARI_PASSWORD: ARI.password, ARI_APP: ARI.app, CEL_DATABASE_URL };

  let release: (() => void) | undefined;

  beforeAll(async () => {
    release = await holdAsterisk();
    h = await startHarness({ env });
    await h.gateway!.ready(20_000);
    cc = (await h.user('cc_admin')).token;
  });
  afterAll(async () => {
    await h?.stop();
    release?.();
  });

  /** The call from `caller`, once it has ended. */
  async function endedCallFrom(caller: string, timeoutMs = 15_000) {
    const from = `+${caller}`;
    let found: any = null;
    await expect
      .poll(
        async () => {
          await (h.services.telephony as { idle?: () => Promise<void> }).idle?.();
          const res = await h.api('/api/calls?direction=inbound&limit=200', { token: cc });
          found = res.body.items.find((c: { from: string; endedAt: string | null }) => c.from === from && c.endedAt);
          return !!found;
        },
        { timeout: timeoutMs, interval: 300 },
      )
      .toBe(true);
    return found;
  }

  it('reports telephony connected in /health', async () => {
    const res = await h.api('/health');
    expect(res.body.telephony.state).toBe('connected');
  });

  it('an inbound call to a static DID is recorded with that source, answered, with a new contact', async () => {
    const src = (await h.api('/api/sources', { token: cc, body: { name: 'Billboard Lenina', channel: 'offline' } })).body;
    await h.api('/api/tracking-numbers', { token: cc, body: { number: '+74951230001', sourceId: src.id, kind: 'static' } });
    const caller = uniqueCaller();
    await inboundCall('4951230001', caller, 1500);
    const call = await endedCallFrom(caller);
    expect(call).toMatchObject({
      direction: 'inbound', did: '+74951230001', to: '+74951230001', status: 'answered',
      source: { id: src.id, name: 'Billboard Lenina' }, attribution: { method: 'static_number', ambiguous: false }, repeatCaller: false, capturedBy: 'ari',
    });
    expect(call.waitSeconds).toBeGreaterThanOrEqual(1);
    expect(call.talkSeconds).toBeGreaterThanOrEqual(1);
    expect(call.contactId).toMatch(/^cnt_/);
    const contact = await h.api(`/api/contacts/${call.contactId}`, { token: cc });
    expect(contact.body).toMatchObject({ phones: [`+${caller}`], source: { id: src.id } });

    const detail = await h.api(`/api/calls/${call.id}`, { token: cc });
    expect(detail.body.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['StasisStart', 'ChannelDestroyed']));

    // The same caller again is a repeat caller; the contact keeps its first source.
    await inboundCall('4951239999', caller, 300);
    await expect.poll(async () => {
      const res = await h.api('/api/calls?direction=inbound&limit=200', { token: cc });
      return res.body.items.filter((c: { from: string; endedAt: string | null }) => c.from === `+${caller}` && c.endedAt).length;
    }, { timeout: 15_000 }).toBe(2);
    const again = (await h.api('/api/calls?direction=inbound&limit=200', { token: cc })).body.items.find(
      (c: { from: string; did: string }) => c.from === `+${caller}` && c.did === '+74951239999',
    );
    expect(again).toMatchObject({ repeatCaller: true, attribution: { method: 'repeat_caller' }, source: { id: src.id }, contactId: call.contactId });
  });

  it("an answered call's recording streams through the service with auth, and seeks with Range", async () => {
    const caller = uniqueCaller();
    await inboundCall('4951230003', caller, 1500);
    const call = await endedCallFrom(caller);
    expect(call.recordingUrl).toBe(`/api/calls/${call.id}/recording`);
    const get = (headers: Record<string, string>) => fetch(h.url + call.recordingUrl, { headers });
    // The PBX finishes writing the file as the call hangs up.
    await expect.poll(async () => (await get({ authorization: `Bearer ${cc}` })).status, { timeout: 10_000 }).toBe(200);
    const full = await get({ authorization: `Bearer ${cc}` });
    expect(full.headers.get('content-type')).toMatch(/audio|octet-stream/);
    const bytes = Buffer.from(await full.arrayBuffer());
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString()).toBe('WAVE');

    const part = await get({ authorization: `Bearer ${cc}`, range: 'bytes=8-11' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 8-11/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).toString()).toBe('WAVE');
    const tail = await get({ authorization: `Bearer ${cc}`, range: 'bytes=-4' });
    expect(Buffer.from(await tail.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 4));
    const outside = await get({ authorization: `Bearer ${cc}`, range: `bytes=${bytes.length + 10}-` });
    expect(outside.status).toBe(416);

    expect((await get({})).status).toBe(401);
    const hunter = (await h.user('hunter')).token;
    expect((await get({ authorization: `Bearer ${hunter}` })).status).toBe(403);
    const operator = (await h.user('operator')).token;
    expect((await get({ authorization: `Bearer ${operator}` })).status).toBe(403);
    const unknown = await h.api('/api/calls/call_01JZZZZZZZZZZZZZZZZZZZZZZZ/recording', { token: cc });
    expect(unknown.status).toBe(404);
  });

  it('a call to a pool number held by a visit is credited to the visit\'s UTM source; unmapped numbers are unknown', async () => {
    const site = (await h.api('/api/sources', { token: cc, body: { name: 'Site', channel: 'organic' } })).body;
    const ads = (await h.api('/api/sources', { token: cc, body: { name: 'Ads X', channel: 'paid_social', utmSource: 'x' } })).body;
    await h.api('/api/tracking-numbers', { token: cc, body: { number: '+74951235555', sourceId: site.id, kind: 'pool' } });
    const visit = await h.api('/api/track/sessions', { body: { visitorId: 'e2e-visitor-1', utm_source: 'x', utm_medium: 'cpc' } });
    expect(visit.body.number).toBe('+74951235555');
    const caller = uniqueCaller();
    await inboundCall('4951235555', caller, 300);
    const call = await endedCallFrom(caller);
    expect(call.source).toEqual({ id: ads.id, name: 'Ads X' });
    expect(call.attribution).toEqual({ method: 'dynamic_number', sessionId: visit.body.sessionId, utm: { source: 'x', medium: 'cpc' }, ambiguous: false });

    const stranger = uniqueCaller();
    await inboundCall('4959990000', stranger, 300);
    const unknown = await endedCallFrom(stranger);
    expect(unknown).toMatchObject({ source: null, attribution: { method: 'unknown' } });
  });

  it('a caller who hangs up before the answer is an abandoned call with its wait time', async () => {
    const caller = uniqueCaller();
    await abandonedCall('4951230002', caller, 1200);
    const call = await endedCallFrom(caller);
    expect(call.status).toBe('abandoned');
    expect(call.answeredAt).toBeNull();
    expect(call.talkSeconds).toBe(0);
    expect(call.waitSeconds).toBeGreaterThanOrEqual(1);
    // Nothing was recorded: the endpoint says so instead of streaming nothing.
    expect(call.recordingUrl).toBeNull();
    const rec = await h.api(`/api/calls/${call.id}/recording`, { token: cc });
    expect(rec.status).toBe(404);
    expect(rec.body.detail).toMatch(/no recording/);
  });

  it('the same ARI event delivered twice changes nothing', async () => {
    const caller = uniqueCaller();
    await inboundCall('4951230003', caller, 300);
    const call = await endedCallFrom(caller);
    const [ev] = await h.services.database.query<{ payload: ChannelEvent }>(
      sql`select payload from call_events where call_id = ${call.id} and type = 'ChannelDestroyed' order by id limit 1`,
    );
    const before = (await h.api(`/api/calls/${call.id}`, { token: cc })).body;
    const again = await applyChannelEvent(h.services, 'default', ev!.payload);
    expect(again).toMatchObject({ callId: call.id, duplicate: true });
    const after = (await h.api(`/api/calls/${call.id}`, { token: cc })).body;
    expect(after).toEqual(before);
  });

  it('calls placed while the ARI connection is down are all recorded after reconnect, none twice', async () => {
    await h.gateway!.stop();
    const callers = [uniqueCaller(), uniqueCaller(), uniqueCaller()];
    const longCaller = uniqueCaller();
    // Three calls begin and end during the gap; one is still talking when the connection returns.
    await Promise.all(callers.map((c, i) => inboundCall(`495123010${i}`, c, 300)));
    const long = inboundCall('4951230109', longCaller, 8000);
    await new Promise((r) => setTimeout(r, 3000));
    const gateway = startAriGateway(h.services, { ...ARI, pbx: 'default' });
    h.services.telephony = gateway;
    try {
      await gateway.ready(20_000);
      for (const c of callers) {
        const call = await endedCallFrom(c);
        expect(call).toMatchObject({ capturedBy: 'cel', direction: 'inbound', status: 'answered' });
      }
      await long;
      const live = await endedCallFrom(longCaller);
      expect(live).toMatchObject({ capturedBy: 'reconcile', status: 'answered' });
      expect(live.talkSeconds).toBeGreaterThanOrEqual(6);
      const counts = await h.services.database.query<{ from_number: string; n: number }>(
        sql`select from_number, count(*)::int as n from calls where from_number in ${[...callers, longCaller].map((c) => `+${c}`)} group by from_number`,
      );
      expect(counts).toHaveLength(4);
      expect(counts.every((r) => r.n === 1)).toBe(true);
    } finally {
      await gateway.stop();
    }
  });
});
