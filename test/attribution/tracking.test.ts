import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeNumber } from '../../src/attribution/sessions.js';
import { startHarness, type Harness } from '../helpers/harness.js';

const clock = { offsetMs: 0, now: () => new Date(Date.UTC(2026, 10, 20, 9, 0, 0) + clock.offsetMs) };
const advance = (seconds: number) => (clock.offsetMs += seconds * 1000);

let h: Harness;
let cc: string;
let web: { id: string };
let yandex: { id: string };
beforeAll(async () => {
  h = await startHarness({
    clock,
    env: { TRACKING_SESSION_TTL_SECONDS: '60', TRACKING_GRACE_SECONDS: '120', TRACKING_QUARANTINE_SECONDS: '300', TRACKING_RATE_LIMIT: '1000' },
  });
  cc = (await h.user('cc_admin')).token;
  web = (await h.api('/api/sources', { token: cc, body: { name: 'Website', channel: 'organic' } })).body;
  yandex = (await h.api('/api/sources', { token: cc, body: { name: 'Yandex Direct', channel: 'paid_search', utmSource: 'yandex' } })).body;
});
afterAll(() => h?.stop());

const startVisit = (body: Record<string, unknown> = {}) => h.api('/api/track/sessions', { body });

describe('tracking numbers', () => {
  it('cc_admin adds static and pool numbers, normalized; duplicates and junk are refused', async () => {
    const s1 = await h.api('/api/tracking-numbers', { token: cc, body: { number: '8 (495) 100-00-01', sourceId: yandex.id, kind: 'static' } });
    expect(s1.status).toBe(201);
    expect(s1.body).toMatchObject({ number: '+74951000001', kind: 'static', active: true });
    expect((await h.api('/api/tracking-numbers', { token: cc, body: { number: '+74951000001', sourceId: web.id, kind: 'pool' } })).status).toBe(409);
    expect((await h.api('/api/tracking-numbers', { token: cc, body: { number: 'none', sourceId: web.id, kind: 'pool' } })).status).toBe(400);
    expect((await h.api('/api/tracking-numbers', { token: cc, body: { number: '+74951000002', sourceId: 'src_01JD0000000000000000000000', kind: 'pool' } })).status).toBe(400);
    const op = await h.user('operator');
    expect((await h.api('/api/tracking-numbers', { token: op.token, body: { number: '+74951000003', sourceId: web.id, kind: 'pool' } })).status).toBe(403);
    expect(await attributeNumber(h.services, '+74951000001', clock.now())).toMatchObject({ sourceId: yandex.id, method: 'static_number' });
    expect(await attributeNumber(h.services, '+74950000000', clock.now())).toMatchObject({ sourceId: null, method: 'unknown' });
  });
});

describe('dynamic number insertion', () => {
  it('reserves pool numbers per visit, credits the UTM source, shares and marks ambiguous when exhausted, and quarantines', async () => {
    for (const n of ['+74952000001', '+74952000002']) {
      expect((await h.api('/api/tracking-numbers', { token: cc, body: { number: n, sourceId: web.id, kind: 'pool' } })).status).toBe(201);
    }
    const a = await startVisit({ visitorId: 'visitor-aaaa', utm_source: 'yandex', utm_campaign: 'water-spring', landingUrl: 'https://voda.example/?utm_source=yandex' });
    const b = await startVisit({ visitorId: 'visitor-bbbb', utm_source: 'facebook' });
    expect(a.status).toBe(201);
    expect(a.headers.get('access-control-allow-origin')).toBe('*');
    expect(a.body.shared).toBe(false);
    expect(b.body.shared).toBe(false);
    expect(new Set([a.body.number, b.body.number])).toEqual(new Set(['+74952000001', '+74952000002']));

    // The same visitor coming back keeps the number.
    const again = await startVisit({ visitorId: 'visitor-aaaa', utm_source: 'yandex' });
    expect(again.body).toMatchObject({ sessionId: a.body.sessionId, number: a.body.number });

    const attrA = await attributeNumber(h.services, a.body.number, clock.now());
    expect(attrA).toMatchObject({ sourceId: yandex.id, method: 'dynamic_number', sessionId: a.body.sessionId, ambiguous: false });
    expect(attrA.utm).toEqual({ source: 'yandex', campaign: 'water-spring' });
    expect(await attributeNumber(h.services, b.body.number, clock.now())).toMatchObject({ sourceId: web.id, sessionId: b.body.sessionId });

    // Pool exhausted: a third visitor shares the least recently used number; calls to it are ambiguous.
    const c = await startVisit({ visitorId: 'visitor-cccc' });
    expect(c.body.shared).toBe(true);
    expect([a.body.number, b.body.number]).toContain(c.body.number);
    expect(await attributeNumber(h.services, c.body.number, clock.now())).toMatchObject({ method: 'dynamic_number', sessionId: null, ambiguous: true, sourceId: web.id });

    // Pings keep a live session; after expiry a ping is 410.
    advance(50);
    expect((await h.api(`/api/track/sessions/${a.body.sessionId}/ping`, { method: 'POST' })).status).toBe(200);
    advance(100);
    const late = await h.api(`/api/track/sessions/${b.body.sessionId}/ping`, { method: 'POST' });
    expect(late.status).toBe(410);
    // A call within the grace period after the visit ended still goes to that visit...
    const bNumber = b.body.number;
    const bExpired = new Date(clock.now().getTime());
    const holders = await attributeNumber(h.services, bNumber, bExpired);
    expect(holders.method).toBe('dynamic_number');
    // ...and the number is quarantined: a new visitor does not get it before the quarantine ends.
    advance(200);
    const d = await startVisit({ visitorId: 'visitor-dddd' });
    expect(d.body.shared).toBe(true);
    advance(400);
    const e = await startVisit({ visitorId: 'visitor-eeee' });
    expect(e.body.shared).toBe(false);
  });

  it('rejects bad input with field errors and stores nothing', async () => {
    const before = (await h.services.database.query<{ n: number }>(sql`select count(*)::int as n from track_sessions`))[0]!.n;
    const bad = await startVisit({ visitorId: 'x', utm_source: 'a'.repeat(500), landingUrl: 'javascript:alert(1)', extra: 1 });
    expect(bad.status).toBe(400);
    const paths = bad.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['visitorId', 'utm_source', 'landingUrl']));
    expect((await h.api('/api/track/sessions', { body: '[1,2', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    const after = (await h.services.database.query<{ n: number }>(sql`select count(*)::int as n from track_sessions`))[0]!.n;
    expect(after).toBe(before);
    expect((await h.api('/api/track/sessions/nope/ping', { method: 'POST' })).status).toBe(400);
  });

  it('a website request creates the contact with the visit\'s source and a callback task', async () => {
    const visit = await startVisit({ visitorId: 'visitor-form', utm_source: 'yandex' });
    const res = await h.api('/api/track/requests', { body: { sessionId: visit.body.sessionId, name: 'Мария', phone: '8 916 555 44 33', comment: 'Перезвоните после 18:00' } });
    expect(res.status).toBe(201);
    const contacts = await h.api('/api/contacts?phone=+79165554433', { token: cc });
    expect(contacts.body.items).toHaveLength(1);
    expect(contacts.body.items[0]).toMatchObject({ name: 'Мария', source: { id: yandex.id } });
    const tasks = await h.services.database.query<{ reason: string; source_id: string; phone: string }>(
      sql`select reason, source_id, phone from callback_tasks where request_id = ${res.body.requestId}`,
    );
    expect(tasks).toEqual([{ reason: 'web_request', source_id: yandex.id, phone: '+79165554433' }]);
    const junk = await h.api('/api/track/requests', { body: { name: 'X', phone: 'call me' } });
    expect(junk.status).toBe(400);
    expect(junk.body.errors[0].path).toBe('phone');
  });

  it('serves the website snippet', async () => {
    const res = await fetch(`${h.url}/track.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('javascript');
    expect(await res.text()).toContain('data-switchboard-number');
  });
});
