import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, campaignMembers, dialEntries, users } from '../../src/db/schema.js';
import { openDatabase } from '../../src/db/client.js';
import { newId } from '../../src/shared/ids.js';
import { releaseExpiredLocks } from '../../src/dialer/allocate.js';
import { startService, type RunningService } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/** Wednesday 2 December 2026, 12:00 in Moscow (09:00 UTC): inside a 09:00–21:00 weekday window there. */
const BASE = Date.parse('2026-12-02T09:00:00Z');
let offsetMs = BASE - Date.now();
const clock = { now: () => new Date(Date.now() + offsetMs) };
const MIN = 60_000;

describe('next contact allocation and dispositions', () => {
  let h: Harness;
  let cc: TestUser;
  let op1: TestUser;
  let op2: TestUser;
  let campaignId: string;
  let sourceId: string;

  beforeAll(async () => {
    h = await startHarness({ clock });
    cc = await h.user('cc_admin');
    op1 = await h.user('operator', { name: 'Оператор Один' });
    op2 = await h.user('operator', { name: 'Оператор Два' });
    sourceId = (await h.api('/api/sources', { token: cc.token, body: { name: 'Обзвон', channel: 'cold_list' } })).body.id;
    const res = await h.api('/api/campaigns', {
      token: cc.token,
      body: {
        name: 'Обзвон складов',
        status: 'active',
        sourceId,
        window: { start: '09:00', end: '21:00', days: [1, 2, 3, 4, 5] },
        maxAttempts: 2,
        retryMinutes: { no_answer: 120, busy: 15, voicemail: 240 },
        operatorIds: [op1.id, op2.id],
        callerId: '8 495 123-00-00',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ callerId: '+74951230000', operators: [{ name: 'Оператор Два' }, { name: 'Оператор Один' }] });
    campaignId = res.body.id;
    await importRows(['Москва 1,+74957000001,Europe/Moscow', 'Москва 2,+74957000002,Europe/Moscow', 'Москва 3,+74957000003,Europe/Moscow', 'Нью-Йорк,+12125550100,America/New_York']);
    expect((await h.api('/api/refusal-reasons', { token: cc.token, body: { label: 'Дорого' } })).status).toBe(201);
  });
  afterAll(() => h?.stop());

  async function importRows(rows: string[], into = campaignId) {
    const qs = new URLSearchParams({ name: 'Склады', mapping: JSON.stringify({ name: 'Имя', phones: ['Телефон'], timezone: 'Пояс' }) });
    const res = await fetch(`${h.url}/api/campaigns/${into}/lists?${qs}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cc.token}`, 'content-type': 'text/csv' },
      body: `Имя,Телефон,Пояс\n${rows.join('\n')}\n`,
    });
    const job = (await res.json()) as { id: string };
    for (let i = 0; i < 200; i++) {
      const status = (await h.api(`/api/imports/${job.id}`, { token: cc.token })).body.status;
      if (status === 'done') return;
      if (status === 'failed') throw new Error(`import ${job.id} failed`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`import ${job.id} did not finish`);
  }
  const next = (u: TestUser) => h.api('/api/dialer/next', { method: 'POST', token: u.token });
  const dispose = (u: TestUser, entryId: string, body: object) => h.api(`/api/dialer/entries/${entryId}/disposition`, { token: u.token, body });
  const advance = async (ms: number) => {
    offsetMs += ms;
    // Sessions are signed on the service's clock: sign in again after a jump.
    for (const u of [cc, op1, op2]) {
      u.token = (await h.api('/api/auth/login', { body: { email: u.email, password: u.password } })).body.token;
    }
  };
  const entryOf = async (id: string) => (await h.services.database.db.select().from(dialEntries).where(eq(dialEntries.id, id)))[0]!;

  it('hands out due entries one per operator, inside calling windows; a held entry comes back until it is disposed of', async () => {
    const a = (await next(op1)).body;
    const b = (await next(op2)).body;
    expect(a).toMatchObject({ held: false, entry: { campaign: { id: campaignId, name: 'Обзвон складов', callerId: '+74951230000' }, attempts: 0 } });
    expect(b.entry.id).not.toBe(a.entry.id);
    // New York is at 04:00: outside the window; it is never handed out now.
    expect([a.entry.phone, b.entry.phone]).not.toContain('+12125550100');
    const again = (await next(op1)).body;
    expect(again).toMatchObject({ held: true, entry: { id: a.entry.id } });

    // Someone else's entry cannot be disposed of; the holder's can, and the rules are checked.
    expect((await dispose(op2, a.entry.id, { kind: 'busy' })).status).toBe(409);
    const noReason = await dispose(op1, a.entry.id, { kind: 'not_interested' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].path).toBe('reason');
    const wrongReason = await dispose(op1, a.entry.id, { kind: 'not_interested', reason: 'Нет денег' });
    expect(wrongReason.status).toBe(400);
    expect(wrongReason.body.errors[0]).toMatchObject({ path: 'reason', message: 'not one of the refusal reasons' });
    expect((await dispose(op1, a.entry.id, { kind: 'callback' })).body.errors[0].path).toBe('callbackAt');
    expect((await dispose(op1, a.entry.id, { kind: 'busy', callbackAt: new Date(clock.now().getTime() + MIN).toISOString() })).status).toBe(400);
    const refused = await dispose(op1, a.entry.id, { kind: 'not_interested', reason: 'Дорого', note: 'Уже купили у конкурента' });
    expect(refused.status).toBe(201);
    expect(refused.body.entry).toMatchObject({ attempts: 1, lastDisposition: 'not_interested', history: [{ kind: 'not_interested', reason: 'Дорого', operatorId: op1.id }] });
    expect(await entryOf(a.entry.id)).toMatchObject({ status: 'done', outcome: 'not_interested', lockedBy: null });
    expect((await dispose(op2, b.entry.id, { kind: 'wrong_number' })).status).toBe(201);
  });

  it('retries after the campaign\'s time per disposition, up to the attempt limit', async () => {
    // The one Moscow entry left after the first test.
    const e = (await next(op1)).body.entry;
    expect(e.phone).toMatch(/^\+7495700000[123]$/);
    expect((await dispose(op1, e.id, { kind: 'no_answer' })).status).toBe(201);
    expect(Math.round(((await entryOf(e.id)).nextAt.getTime() - clock.now().getTime()) / MIN)).toBe(120);
    expect((await next(op1)).body.entry).toBeNull();
    await advance(121 * MIN);
    const retry = (await next(op2)).body.entry;
    expect(retry).toMatchObject({ id: e.id, attempts: 1, lastDisposition: 'no_answer' });
    expect((await dispose(op2, e.id, { kind: 'no_answer' })).status).toBe(201);
    expect(await entryOf(e.id)).toMatchObject({ status: 'done', outcome: 'attempts_exhausted', attempts: 2 });
  });

  it('a personal callback comes back to its operator; it becomes anyone\'s when they are offline past the grace period', async () => {
    await importRows(['Перезвон,+74957000010,Europe/Moscow']);
    const e = (await next(op1)).body.entry;
    expect(e.phone).toBe('+74957000010');
    await h.api('/api/me/status', { method: 'PUT', token: op1.token, body: { status: 'available' } });
    const at = new Date(clock.now().getTime() + 30 * MIN).toISOString();
    expect((await dispose(op1, e.id, { kind: 'callback', callbackAt: at })).status).toBe(201);
    await advance(31 * MIN);
    await h.api('/api/me/status', { method: 'PUT', token: op1.token, body: { status: 'available' } });
    expect((await next(op2)).body.entry).toBeNull();
    const back = (await next(op1)).body.entry;
    expect(back).toMatchObject({ id: e.id, personalCallback: true });
    // Promised again, then op1 signs off: past the grace period, op2 may call.
    expect((await dispose(op1, e.id, { kind: 'callback', callbackAt: new Date(clock.now().getTime() + 10 * MIN).toISOString() })).status).toBe(201);
    await h.api('/api/me/status', { method: 'PUT', token: op1.token, body: { status: 'offline' } });
    await advance(11 * MIN);
    expect((await next(op2)).body.entry).toBeNull();
    await advance(16 * MIN);
    const taken = (await next(op2)).body.entry;
    expect(taken).toMatchObject({ id: e.id, personalCallback: true });
    expect((await dispose(op2, e.id, { kind: 'do_not_call', note: 'Просил больше не звонить' })).status).toBe(201);
    const dnc = (await h.api('/api/dnc?q=74957000010', { token: cc.token })).body.items;
    expect(dnc).toEqual([expect.objectContaining({ phone: '+74957000010', reason: 'Просил больше не звонить', addedBy: op2.id })]);
  });

  it('honours the do-not-call list at allocation; a vanished operator\'s entry is released after the lock timeout', async () => {
    await importRows(['Под запретом,+74957000020,Europe/Moscow', 'Брошенный,+74957000021,Europe/Moscow']);
    expect((await h.api('/api/dnc', { token: cc.token, body: { phone: '+74957000020' } })).status).toBe(201);
    const held = (await next(op1)).body.entry;
    expect(held.phone).toBe('+74957000021');
    expect((await next(op2)).body.entry).toBeNull(); // the other one is on the do-not-call list
    await advance(31 * MIN);
    expect(await releaseExpiredLocks(h.services)).toBe(1);
    expect((await next(op2)).body.entry).toMatchObject({ id: held.id });
    // op1's late disposition is refused: the entry is op2's now.
    expect((await dispose(op1, held.id, { kind: 'busy' })).status).toBe(409);
    // Booked a meeting: the meeting is routed, and the call is credited to the campaign and its source.
    const callId = newId('call');
    await h.services.database.db.insert(calls).values({
      id: callId, linkedid: callId, direction: 'outbound', toNumber: '+74957000021', startedAt: clock.now(), capturedBy: 'manual', operatorId: op2.id,
    });
    const booked = await dispose(op2, held.id, {
      kind: 'meeting_booked',
      callId,
      meeting: { scheduledAt: new Date(clock.now().getTime() + 2 * 86_400_000).toISOString(), location: 'Склад клиента' },
    });
    expect(booked.status).toBe(201);
    const meeting = (await h.api(`/api/meetings/${booked.body.meetingId}`, { token: cc.token })).body;
    expect(meeting).toMatchObject({ contact: { id: held.contact.id }, location: 'Склад клиента', source: { id: sourceId } });
    const call = (await h.api(`/api/calls/${callId}`, { token: cc.token })).body;
    expect(call).toMatchObject({ campaignId, source: { id: sourceId }, attribution: { method: 'campaign' }, contactId: held.contact.id });
  });

  it('a disposition ends the operator\'s own call to the number, which is credited to the campaign', async () => {
    await importRows(['Звонок,+74957000030,Europe/Moscow']);
    const e = (await next(op1)).body.entry;
    expect(e.phone).toBe('+74957000030');
    // Someone else's call to the number, and op1's own: only op1's belongs to this disposition.
    const mk = async (operatorId: string) => {
      const id = newId('call');
      await h.services.database.db.insert(calls).values({ id, linkedid: id, direction: 'outbound', toNumber: e.phone, startedAt: clock.now(), capturedBy: 'manual', operatorId });
      return id;
    };
    const theirs = await mk(op2.id);
    const mine = await mk(op1.id);
    expect((await dispose(op1, e.id, { kind: 'voicemail' })).status).toBe(201);
    const call = (await h.api(`/api/calls/${mine}`, { token: cc.token })).body;
    expect(call).toMatchObject({ campaignId, source: { id: sourceId }, attribution: { method: 'campaign' }, contactId: e.contact.id });
    expect((await h.api(`/api/calls/${theirs}`, { token: cc.token })).body.campaignId).toBeNull();
    const [d] = await h.services.database.query<{ call_id: string }>(sql`SELECT call_id FROM dispositions WHERE entry_id = ${e.id}`);
    expect(d!.call_id).toBe(mine);
  });

  it('keeps campaigns to their operators and roles', async () => {
    const stranger = await h.user('operator');
    expect((await next(stranger)).body).toEqual({ entry: null, held: false });
    expect((await h.api(`/api/campaigns/${campaignId}`, { token: stranger.token })).status).toBe(403);
    expect((await h.api('/api/campaigns', { token: stranger.token })).body.items).toEqual([]);
    expect((await h.api('/api/campaigns', { token: op1.token })).body.items.map((c: { id: string }) => c.id)).toEqual([campaignId]);
    const hunter = await h.user('hunter');
    expect((await next(hunter)).status).toBe(403);
    expect((await h.api('/api/campaigns', { token: op1.token, body: { name: 'Свой' } })).status).toBe(403);
    const dup = await h.api('/api/campaigns', { token: cc.token, body: { name: 'обзвон складов' } });
    expect(dup.status).toBe(409);
    expect(dup.body.errors[0].path).toBe('name');
    const bad = await h.api('/api/campaigns', { token: cc.token, body: { name: 'X', window: { start: '21:00', end: '09:00', days: [8] }, operatorIds: [hunter.id] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['window.days.0', 'window.end']);
    const notOperator = await h.api('/api/campaigns', { token: cc.token, body: { name: 'Y', operatorIds: [hunter.id] } });
    expect(notOperator.status).toBe(400);
    expect(notOperator.body.errors[0]).toMatchObject({ path: 'operatorIds.0' });
  });

  it('never gives one entry to two operators: 200 at once, over two service instances on one database', async () => {
    const rows = Array.from({ length: 260 }, (_, i) => `Массовый ${i},+7496${String(7000000 + i)},Europe/Moscow`);
    await importRows(rows);
    // 200 operators in the campaign (made directly: signing 200 people in would only test the KDF).
    const ops: Array<{ id: string; token: string }> = [];
    const now = clock.now();
    for (let i = 0; i < 200; i++) {
      const id = newId('user');
      await h.services.database.db.insert(users).values({
        id, email: `bulk-${i}-${id}@test.local`, name: `Bulk ${i}`, role: 'operator', passwordHash: 'x', timezone: 'Europe/Moscow', statusChangedAt: now, createdAt: now, updatedAt: now,
      });
      await h.services.database.db.insert(campaignMembers).values({ campaignId, userId: id });
      ops.push({ id, token: (await h.services.tokens.issue({ id, role: 'operator', tokenVersion: 0 })).token });
    }
    // A second instance: its own connections when the database is a server.
    const secondDb = h.testDb.url ? await openDatabase({ kind: 'postgres', url: h.testDb.url }) : h.testDb.database;
    const second: RunningService = await startService(h.config, { database: secondDb, logger: createLogger('silent'), clock });
    try {
      const results = await Promise.all(
        ops.map((o, i) =>
          fetch(`${i % 2 ? second.url : h.url}/api/dialer/next`, { method: 'POST', headers: { authorization: `Bearer ${o.token}` } }).then((r) => r.json() as Promise<any>),
        ),
      );
      const ids = results.map((r) => r.entry?.id).filter(Boolean);
      expect(ids).toHaveLength(200);
      expect(new Set(ids).size).toBe(200);
      const locked = await h.services.database.query<{ n: number; entries: number }>(
        sql`SELECT count(DISTINCT locked_by)::int AS n, count(*)::int AS entries FROM dial_entries WHERE status = 'locked' AND locked_by LIKE 'usr_%' AND locked_by NOT IN (${op1.id}, ${op2.id})`,
      );
      expect(locked[0]).toEqual({ n: 200, entries: 200 });
    } finally {
      await second.close();
      if (secondDb !== h.testDb.database) await secondDb.close();
    }
  });

  it('takes the operator\'s own callbacks first, then their campaigns by priority', async () => {
    const op = await h.user('operator');
    const campaign = async (name: string, priority: number) => {
      const res = await h.api('/api/campaigns', {
        token: cc.token,
        body: { name, status: 'active', priority, window: { start: '09:00', end: '21:00', days: [1, 2, 3, 4, 5] }, operatorIds: [op.id] },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const low = await campaign('Низкий приоритет', 10);
    const high = await campaign('Высокий приоритет', 90);
    await importRows(['Низкий,+74958000001,Europe/Moscow'], low);
    await importRows(['Высокий 1,+74958000002,Europe/Moscow', 'Высокий 2,+74958000003,Europe/Moscow'], high);
    const first = (await next(op)).body.entry;
    expect(first.campaign.id).toBe(high);
    expect((await dispose(op, first.id, { kind: 'no_answer' })).status).toBe(201);
    const second = (await next(op)).body.entry;
    expect(second.campaign.id).toBe(high);
    expect((await dispose(op, second.id, { kind: 'no_answer' })).status).toBe(201);
    const third = (await next(op)).body.entry;
    expect(third.campaign.id).toBe(low);
    const at = new Date(clock.now().getTime() + 30 * MIN).toISOString();
    expect((await dispose(op, third.id, { kind: 'callback', callbackAt: at })).status).toBe(201);
    await importRows(['Высокий 3,+74958000004,Europe/Moscow'], high);
    await advance(31 * MIN);
    op.token = (await h.api('/api/auth/login', { body: { email: op.email, password: op.password } })).body.token;
    // Their callback in the low-priority campaign comes before the high-priority campaign's due entry.
    expect((await next(op)).body.entry).toMatchObject({ id: third.id, personalCallback: true, history: [{ kind: 'callback', operatorId: op.id }] });
    expect((await dispose(op, third.id, { kind: 'wrong_number' })).status).toBe(201);
    expect((await next(op)).body.entry).toMatchObject({ campaign: { id: high }, phone: '+74958000004' });
  });
});
