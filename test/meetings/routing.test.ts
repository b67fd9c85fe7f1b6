import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import { startService } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { emitWithAck, nextEvent, startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/** A clock the test moves forward (offer deadlines); the service reads it everywhere. */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

let h: Harness;
let op: TestUser;
let head: TestUser;
const open: Array<{ socket: Socket; userId: string }> = [];

beforeAll(async () => {
  h = await startHarness({ clock, env: { MEETING_OFFER_SECONDS: '60', ROUTING_SWEEP_MS: '60000' } });
  op = await h.user('operator');
  head = await h.user('sales_head');
});
afterAll(() => h?.stop());
// Hunters are eligible only while connected: each test connects the ones it wants.
afterEach(async () => {
  await Promise.all(open.splice(0).map(({ socket, userId }) => disconnect(socket, userId)));
});

async function online(role: 'hunter' | 'sales_head' | 'operator', user?: TestUser) {
  const u = user ?? (await h.user(role));
  const socket = h.socket(u.token);
  const offers: any[] = [];
  socket.on('meeting:offered', (o) => offers.push(o));
  await nextEvent(socket, 'session:ready');
  open.push({ socket, userId: u.id });
  return { ...u, socket, offers };
}

async function disconnect(socket: Socket, userId: string) {
  socket.close();
  await expect.poll(async () => (await h.services.realtime.presenceSnapshot()).has(userId)).toBe(false);
}

let phoneSeq = 0;
async function prospect(extra: Record<string, unknown> = {}) {
  phoneSeq += 1;
  const res = await h.api('/api/contacts', { token: op.token, body: { name: `Prospect ${phoneSeq}`, phones: [`+7916${String(4000000 + phoneSeq)}`], ...extra } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const tomorrow = () => new Date(clock.now().getTime() + 86_400_000).toISOString();
const book = (contactId: string, extra: Record<string, unknown> = {}, token = op.token, headers?: Record<string, string>) =>
  h.api('/api/meetings', { token, headers, body: { contactId, scheduledAt: tomorrow(), location: 'Office', ...extra } });
const routing = async (meetingId: string) => (await h.api(`/api/meetings/${meetingId}/routing`, { token: head.token })).body;

describe('booking', () => {
  it('validates the booking and refuses roles that do not book', async () => {
    const bad = await h.api('/api/meetings', { token: op.token, body: { contactId: 42, scheduledAt: 'tomorrow', durationMinutes: 2 } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['contactId', 'scheduledAt', 'durationMinutes']));
    const unknown = await book('cnt_01JZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ path: 'contactId' });
    const past = await book(await prospect(), { scheduledAt: new Date(clock.now().getTime() - 3_600_000).toISOString() });
    expect(past.body.errors[0]).toMatchObject({ path: 'scheduledAt', message: 'must be in the future' });
    const malformed = await h.api('/api/meetings', { token: op.token, body: '{"contactId":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    const hunter = await h.user('hunter');
    expect((await book(await prospect(), {}, hunter.token)).status).toBe(403);
    expect((await h.api('/api/meetings', { body: {} })).status).toBe(401);
  });

  it('a retried booking with the same Idempotency-Key returns the first one', async () => {
    const contactId = await prospect();
    const first = await book(contactId, {}, op.token, { 'idempotency-key': 'form-17' });
    const again = await book(contactId, {}, op.token, { 'idempotency-key': 'form-17' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });
});

describe('offers over socket.io', () => {
  it('goes to the fairest connected hunter only; accept assigns it and tells the booking operator', async () => {
    const a = await online('hunter');
    const b = await online('hunter');
    const booker = await online('operator', op);
    const assignedToBooker = nextEvent(booker.socket, 'meeting:assigned');
    const res = await book(await prospect());
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('offered');
    await expect.poll(() => a.offers.length + b.offers.length).toBe(1);
    const [winner, other] = a.offers.length ? [a, b] : [b, a];
    const offer = winner.offers[0];
    expect(offer).toMatchObject({ how: 'pool', meeting: { id: res.body.id, location: 'Office', contact: { phone: expect.stringMatching(/^\+7916/) } } });
    expect(Date.parse(offer.expiresAt) - clock.now().getTime()).toBeGreaterThan(50_000);

    // The other hunter cannot take it.
    const stolen = await emitWithAck(other.socket, 'meeting:accept', { offerId: offer.offerId });
    expect(stolen).toMatchObject({ ok: false, error: { status: 403 } });

    const assigned = nextEvent(winner.socket, 'meeting:assigned');
    expect(await emitWithAck(winner.socket, 'meeting:accept', { offerId: offer.offerId })).toMatchObject({ ok: true, data: { status: 'accepted' } });
    expect((await assigned).hunter.id).toBe(winner.id);
    expect((await assignedToBooker).id).toBe(res.body.id);
    const m = await h.api(`/api/meetings/${res.body.id}`, { token: winner.token });
    expect(m.body).toMatchObject({ status: 'assigned', assignedHow: 'pool', hunter: { id: winner.id } });
    // The next meeting goes to the other hunter (lower load).
    await book(await prospect());
    await expect.poll(() => other.offers.length).toBe(1);
    expect(winner.offers).toHaveLength(1);
    expect(other.offers[0].offerId).not.toBe(offer.offerId);
    expect((await emitWithAck(winner.socket, 'meeting:accept', { offerId: 'nope' })).error.status).toBe(400);
  });

  it('the prospect stays with its hunter (sticky); when they are absent it goes to the pool and the log says why', async () => {
    const owner = await online('hunter');
    const other = await online('hunter');
    const contactId = await prospect({ email: 'ceo@acme-sticky.ru' });
    // First meeting: whoever gets it owns the prospect.
    const first = await book(contactId);
    await expect.poll(() => owner.offers.length + other.offers.length).toBe(1);
    const [holder, rival] = owner.offers.length ? [owner, other] : [other, owner];
    await emitWithAck(holder.socket, 'meeting:accept', { offerId: holder.offers[0].offerId });
    expect((await h.api(`/api/contacts/${contactId}`, { token: op.token })).body.hunter.id).toBe(holder.id);

    // A colleague of the same company (same e-mail domain) is sticky too, despite the holder's higher load.
    const colleague = await prospect({ email: 'cfo@acme-sticky.ru' });
    const second = await book(colleague);
    await expect.poll(() => holder.offers.length).toBe(2);
    expect(holder.offers[1]).toMatchObject({ how: 'sticky', meeting: { id: second.body.id } });
    await emitWithAck(holder.socket, 'meeting:accept', { offerId: holder.offers[1].offerId });

    // Holder on vacation: the pool, and the decision log names the owner and the reason.
    const now = clock.now();
    const abs = await h.api(`/api/users/${holder.id}/absences`, {
      token: await h.adminToken(),
      body: { from: new Date(now.getTime() - 60_000).toISOString(), to: new Date(now.getTime() + 3_600_000).toISOString(), reason: 'vacation' },
    });
    expect(abs.status).toBe(201);
    const third = await book(contactId);
    await expect.poll(() => rival.offers.length).toBe(1);
    const log = await routing(third.body.id);
    const decision = log.decisions.find((d: { kind: string }) => d.kind === 'offer');
    expect(decision.detail).toMatchObject({ how: 'pool', chosen: rival.id, owner: { id: holder.id, eligible: false, reasons: ['absent'] } });
    const holderRow = decision.detail.candidates.find((c: { id: string }) => c.id === holder.id);
    expect(holderRow).toMatchObject({ eligible: false, reasons: ['absent'], assigned: 2, weight: 1 });
    expect(first.status).toBe(201);
    await h.api(`/api/users/${holder.id}/absences/${abs.body.id}`, { method: 'DELETE', token: await h.adminToken() });
  });

  it('decline (with a reason) or timeout moves the offer on; a late accept is refused; nobody left alerts the head', async () => {
    const a = await online('hunter');
    const b = await online('hunter');
    const boss = await online('sales_head', head);
    const res = await book(await prospect());
    await expect.poll(() => a.offers.length + b.offers.length).toBe(1);
    const [first, second] = a.offers.length ? [a, b] : [b, a];

    const noReason = await emitWithAck(first.socket, 'meeting:decline', { offerId: first.offers[0].offerId });
    expect(noReason).toMatchObject({ ok: false, error: { status: 400 } });
    const declined = await h.api(`/api/meetings/offers/${first.offers[0].offerId}/decline`, { token: first.token, body: { reason: 'Too far from my area' } });
    expect(declined.status).toBe(200);
    await expect.poll(() => second.offers.length).toBe(1);

    // The second hunter lets the offer run out.
    const closed = nextEvent(second.socket, 'meeting:offer-closed');
    const alert = nextEvent(boss.socket, 'meeting:unassigned');
    offsetMs += 61_000;
    const late = await h.api(`/api/meetings/offers/${second.offers[0].offerId}/accept`, { method: 'POST', token: second.token });
    expect(late.status).toBe(410);
    expect(late.body.detail).toMatch(/expired at/);
    expect(await closed).toMatchObject({ status: 'expired', meetingId: res.body.id });
    expect(await alert).toEqual({ meetingId: res.body.id });
    const again = await h.api(`/api/meetings/offers/${second.offers[0].offerId}/accept`, { method: 'POST', token: second.token });
    expect(again.status).toBe(410);

    const log = await routing(res.body.id);
    expect(log.decisions.map((d: { kind: string }) => d.kind)).toEqual(['offer', 'declined', 'offer', 'expired', 'no_candidates']);
    expect(log.offers.map((o: { status: string }) => o.status)).toEqual(['declined', 'expired']);
    expect(log.offers[0].declineReason).toBe('Too far from my area');
    const last = log.decisions[4].detail.candidates;
    expect(last.find((c: { id: string }) => c.id === first.id).reasons).toContain('declined_before');
    expect(last.find((c: { id: string }) => c.id === second.id).reasons).toContain('expired_before');

    // The head assigns by hand.
    const badHunter = await h.api(`/api/meetings/${res.body.id}/assign`, { token: head.token, body: { hunterId: op.id, reason: 'x' } });
    expect(badHunter.status).toBe(400);
    const mine = nextEvent(first.socket, 'meeting:assigned');
    const manual = await h.api(`/api/meetings/${res.body.id}/assign`, { token: head.token, body: { hunterId: first.id, reason: 'Knows the client' } });
    expect(manual.status).toBe(200);
    expect(manual.body).toMatchObject({ status: 'assigned', assignedHow: 'manual', hunter: { id: first.id } });
    expect((await mine).id).toBe(res.body.id);
    expect((await h.api(`/api/meetings/${res.body.id}/assign`, { token: first.token, body: { hunterId: first.id, reason: 'x' } })).status).toBe(403);
  });

  it('a hunter back from an absence rejoins at the team level instead of taking every new meeting', async () => {
    const a = await online('hunter');
    const b = await online('hunter');
    const now = clock.now();
    await h.api(`/api/users/${b.id}/absences`, {
      token: await h.adminToken(),
      body: { from: new Date(now.getTime() - 3_600_000).toISOString(), to: new Date(now.getTime() + 5_000).toISOString(), reason: 'sick' },
    });
    for (let i = 0; i < 4; i++) {
      await book(await prospect());
      await expect.poll(() => a.offers.length).toBe(i + 1);
      await emitWithAck(a.socket, 'meeting:accept', { offerId: a.offers[i].offerId });
    }
    expect(b.offers).toHaveLength(0);
    offsetMs += 10_000;
    const first = await book(await prospect());
    const second = await book(await prospect());
    await expect.poll(() => a.offers.length + b.offers.length).toBe(6);
    // One each: without the credit the returning hunter would have received both.
    expect(b.offers).toHaveLength(1);
    const log = await routing(first.body.id);
    const row = log.decisions[0].detail.candidates.find((c: { id: string }) => c.id === b.id);
    expect(row).toMatchObject({ assigned: 0, credit: 4, eligible: true });
    expect(second.status).toBe(201);
  });

  it('a hunter on pause is passed over; a reassigned hunter is told', async () => {
    const a = await online('hunter');
    const b = await online('hunter');
    const paused = await emitWithAck(b.socket, 'status:set', { status: 'paused', reason: 'Lunch' });
    expect(paused.ok).toBe(true);
    const res = await book(await prospect());
    await expect.poll(() => a.offers.length).toBe(1);
    const log = await routing(res.body.id);
    expect(log.decisions[0].detail.candidates.find((c: { id: string }) => c.id === b.id).reasons).toEqual(['paused']);
    await emitWithAck(a.socket, 'meeting:accept', { offerId: a.offers[0].offerId });
    const told = nextEvent(a.socket, 'meeting:reassigned');
    await h.api(`/api/meetings/${res.body.id}/assign`, { token: head.token, body: { hunterId: b.id, reason: 'Sector expertise' } });
    expect(await told).toEqual({ meetingId: res.body.id, hunterId: b.id });
    await emitWithAck(b.socket, 'status:set', { status: 'available' });
    const waiting = await h.api('/api/meetings?status=routing,offered,unassigned&limit=200', { token: head.token });
    expect(waiting.status).toBe(200);
    expect(waiting.body.items.every((m: { status: string }) => ['routing', 'offered', 'unassigned'].includes(m.status))).toBe(true);
    expect((await h.api('/api/meetings?status=offered,bogus', { token: head.token })).status).toBe(400);
  });

  it('two meetings with one new prospect go to the same hunter, even before the first is accepted', async () => {
    const a = await online('hunter');
    const b = await online('hunter');
    const contactId = await prospect();
    const [m1, m2] = await Promise.all([book(contactId), book(contactId)]);
    await expect.poll(() => a.offers.length + b.offers.length).toBe(2);
    expect(a.offers.length === 2 || b.offers.length === 2).toBe(true);
    const holder = a.offers.length ? a : b;
    expect(holder.offers.map((o: { meeting: { id: string } }) => o.meeting.id).sort()).toEqual([m1.body.id, m2.body.id].sort());
  });

  it('a hunter who reconnects mid-offer is shown the offer again', async () => {
    const a = await online('hunter');
    const res = await book(await prospect());
    await expect.poll(() => a.offers.length).toBe(1);
    await disconnect(a.socket, a.id);
    const again = h.socket(a.token);
    open.push({ socket: again, userId: a.id });
    const offered = await nextEvent(again, 'meeting:offered');
    expect(offered).toMatchObject({ offerId: a.offers[0].offerId, meeting: { id: res.body.id } });
    const listed = await h.api('/api/meetings/offers', { token: a.token });
    expect(listed.body.map((o: { offerId: string }) => o.offerId)).toEqual([a.offers[0].offerId]);
    expect((await emitWithAck(again, 'meeting:offers', {})).data).toHaveLength(1);
  });

  it('the offer deadline survives a restart: another instance on the same database expires it', async () => {
    const a = await online('hunter');
    const res = await book(await prospect());
    await expect.poll(() => a.offers.length).toBe(1);
    await h.routing.stop();
    offsetMs += 61_000;
    const other = await startService(h.config, { database: h.testDb.database, logger: createLogger('silent'), clock });
    try {
      await other.routing.sweep();
      const log = await routing(res.body.id);
      expect(log.offers[0].status).toBe('expired');
      expect(log.decisions.map((d: { kind: string }) => d.kind)).toContain('expired');
    } finally {
      await other.close();
    }
  });
});

describe('outcomes, distribution and settings', () => {
  it('records outcomes with their rules and reports them per source and operator', async () => {
    const a = await online('hunter');
    const res = await book(await prospect());
    await expect.poll(() => a.offers.length).toBe(1);
    await emitWithAck(a.socket, 'meeting:accept', { offerId: a.offers[0].offerId });
    const id = res.body.id;
    const out = (body: unknown, token = a.token) => h.api(`/api/meetings/${id}/outcome`, { token, body });
    expect((await out({ outcome: 'won' })).status).toBe(409);
    expect((await out({ outcome: 'lost' })).body.errors[0]).toMatchObject({ path: 'reason' });
    expect((await out({ outcome: 'rescheduled' })).body.errors[0]).toMatchObject({ path: 'rescheduledTo' });
    const other = await h.user('hunter');
    expect((await out({ outcome: 'held' }, other.token)).status).toBe(403);
    const moved = await out({ outcome: 'rescheduled', rescheduledTo: new Date(clock.now().getTime() + 2 * 86_400_000).toISOString() });
    expect(moved.body).toMatchObject({ status: 'rescheduled', rescheduledFrom: res.body.scheduledAt });
    expect((await out({ outcome: 'held' })).body.status).toBe('held');
    expect((await h.api(`/api/contacts/${res.body.contact.id}`, { token: op.token })).body.status).toBe('potential');
    expect((await out({ outcome: 'won' })).body.status).toBe('won');

    const from = new Date(clock.now().getTime() - 86_400_000).toISOString();
    const to = new Date(clock.now().getTime() + 30 * 86_400_000).toISOString();
    const report = await h.api(`/api/meetings/outcomes?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: head.token });
    expect(report.status).toBe(200);
    const mine = report.body.byOperator.find((r: { id: string }) => r.id === op.id);
    expect(mine.byStatus.won).toBe(1);
    expect(mine.total).toBeGreaterThanOrEqual(1);
    expect((await h.api(`/api/meetings/outcomes?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`, { token: head.token })).status).toBe(400);
  });

  it('heads set weights and caps, and see assignments against the target share', async () => {
    const a = await h.user('hunter');
    const put = (body: unknown, id = a.id) => h.api(`/api/users/${id}/routing`, { method: 'PUT', token: head.token, body });
    expect((await put({ weight: 0 })).status).toBe(400);
    expect((await put({ weight: 0.004 })).status).toBe(400);
    expect((await put({ weight: 1.234 })).body.weight).toBe(1.23);
    expect((await put({ weight: 2 }, op.id)).status).toBe(409);
    expect((await put({ weight: 2, dailyCap: 5 })).body).toEqual({ userId: a.id, weight: 2, dailyCap: 5, weeklyCap: null });
    expect((await h.api(`/api/users/${a.id}/routing`, { method: 'PUT', token: a.token, body: { weight: 9 } })).status).toBe(403);

    const from = new Date(clock.now().getTime() - 86_400_000).toISOString();
    const to = new Date(clock.now().getTime() + 86_400_000).toISOString();
    const d = await h.api(`/api/meetings/distribution?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: head.token });
    expect(d.status).toBe(200);
    const row = d.body.hunters.find((x: { id: string }) => x.id === a.id);
    const weights = d.body.hunters.filter((x: { active: boolean }) => x.active).reduce((n: number, x: { weight: number }) => n + x.weight, 0);
    expect(row).toMatchObject({ weight: 2, assigned: 0 });
    expect(row.targetShare).toBeCloseTo(2 / weights);
    expect(d.body.total).toBe(d.body.hunters.reduce((n: number, x: { assigned: number }) => n + x.assigned, 0));
    expect((await h.api(`/api/meetings/distribution?from=x&to=y`, { token: head.token })).status).toBe(400);
    // Without a period: the current routing period (the company's month) up to now.
    const current = await h.api('/api/meetings/distribution', { token: head.token });
    expect(current.status).toBe(200);
    expect(Date.parse(current.body.from)).toBeLessThanOrEqual(clock.now().getTime());
    expect(new Date(current.body.from).getUTCDate() === 1 || new Date(current.body.from).getUTCHours() !== 0).toBe(true);
    expect((await h.api(`/api/meetings/distribution?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: op.token })).status).toBe(403);
  });

  it('lists meetings by role: hunters theirs, operators what they booked', async () => {
    const a = await online('hunter');
    await book(await prospect());
    await expect.poll(() => a.offers.length).toBe(1);
    await emitWithAck(a.socket, 'meeting:accept', { offerId: a.offers[0].offerId });
    const theirs = await h.api('/api/meetings?limit=200', { token: a.token });
    expect(theirs.body.items.length).toBe(1);
    const booked = await h.api('/api/meetings?limit=2', { token: op.token });
    expect(booked.body.items).toHaveLength(2);
    expect(booked.body.nextCursor).toBeTruthy();
    const next = await h.api(`/api/meetings?limit=2&cursor=${booked.body.nextCursor}`, { token: op.token });
    expect(next.body.items[0].id).not.toBe(booked.body.items[1].id);
    const otherOp = await h.user('operator');
    expect((await h.api('/api/meetings', { token: otherOp.token })).body.items).toEqual([]);
    expect((await h.api(`/api/meetings/${theirs.body.items[0].id}`, { token: otherOp.token })).status).toBe(403);
    expect((await h.api('/api/meetings?status=bogus', { token: op.token })).status).toBe(400);
    // A date PostgreSQL cannot store is the caller's mistake, not a server error.
    const ancient = await h.api(`/api/meetings?from=${encodeURIComponent('0000-01-01T00:00:00Z')}`, { token: op.token });
    expect(ancient.status).toBe(400);
  });
});
