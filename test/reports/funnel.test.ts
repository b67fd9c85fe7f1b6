import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, campaigns, contacts, deals, dialEntries, dialLists, dispositions, handoffs, meetingOffers, meetings, payments, sources, userStatusLog } from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/**
 * A hand-checked November in Moscow (UTC+3): seven calls inside it and one on each side of its edges,
 * leads, meetings, deals and payments whose every figure below is counted by hand.
 */
const clock = { now: () => new Date('2026-12-02T09:00:00Z') };
const t = (iso: string) => new Date(iso);
const NOV = 'from=2026-11-01&to=2026-11-30';

describe('funnel and people reports', () => {
  let h: Harness;
  let op1: TestUser, op2: TestUser, h1: TestUser, h2: TestUser, am: TestUser, admin: string;
  const id = { srcA: newId('source'), srcB: newId('source'), camp: newId('campaign'), k: [] as string[], m: [] as string[], d: [] as string[] };

  beforeAll(async () => {
    h = await startHarness({ clock });
    admin = await h.adminToken();
    [op1, op2, h1, h2, am] = [
      await h.user('operator', { name: 'Анна' }),
      await h.user('operator', { name: 'Борис' }),
      await h.user('hunter', { name: 'Виктор' }),
      await h.user('hunter', { name: 'Галина' }),
      await h.user('account_manager', { name: 'Дарья' }),
    ];
    const db = h.services.database.db;
    await db.insert(sources).values([
      { id: id.srcA, name: 'Яндекс', channel: 'paid_search', monthlyCostMinor: 3_000_000, currency: 'RUB' },
      { id: id.srcB, name: 'Avito', channel: 'paid_social', currency: 'RUB' },
    ]);
    await db.insert(campaigns).values({ id: id.camp, name: 'Обзвон', windowDays: [1, 2, 3, 4, 5], retryMinutes: { no_answer: 120, busy: 15, voicemail: 240 } });
    id.k = Array.from({ length: 6 }, () => newId('contact'));
    const [K1, K2, K3, K4, K5, K6] = id.k as [string, string, string, string, string, string];
    await db.insert(contacts).values([
      { id: K1, name: 'K1', firstSourceId: id.srcA, leadAt: t('2026-11-05T10:00:00Z'), leadBy: op1.id, hunterId: h1.id, status: 'active', accountManagerId: am.id, clientSince: t('2026-11-14T09:00:00Z') },
      { id: K2, name: 'K2', firstSourceId: id.srcA, leadAt: t('2026-11-07T10:00:00Z'), leadBy: op2.id, hunterId: h2.id },
      { id: K3, name: 'K3', firstSourceId: id.srcB, leadAt: t('2026-10-20T10:00:00Z'), leadBy: op1.id, hunterId: h1.id, status: 'active', accountManagerId: am.id, clientSince: t('2026-11-16T09:00:00Z') },
      { id: K4, name: 'K4', leadAt: t('2026-11-10T10:00:00Z'), leadBy: op2.id, leadCampaignId: id.camp, hunterId: h1.id },
      { id: K5, name: 'K5', firstSourceId: id.srcB, leadAt: t('2026-11-30T20:59:00Z') },
      { id: K6, name: 'K6', firstSourceId: id.srcB, leadAt: t('2026-08-01T10:00:00Z'), status: 'active', accountManagerId: am.id, clientSince: t('2026-09-01T09:00:00Z') },
    ]);
    const call = (o: Partial<typeof calls.$inferInsert> & { startedAt: Date; direction: 'inbound' | 'outbound' | 'internal' }) => ({
      id: newId('call'),
      linkedid: newId('call'),
      capturedBy: 'ari' as const,
      status: (o.answeredAt ? 'answered' : 'missed') as 'answered' | 'missed',
      ...o,
    });
    const answered = (at: string, talk: number) => ({ answeredAt: t(at), talkSeconds: talk });
    await db.insert(calls).values([
      call({ direction: 'inbound', startedAt: t('2026-11-05T10:00:00Z'), ...answered('2026-11-05T10:00:05Z', 120), fromNumber: '+79000000001', sourceId: id.srcA, contactId: K1, operatorId: op1.id, target: true }),
      call({ direction: 'inbound', startedAt: t('2026-11-06T10:00:00Z'), ...answered('2026-11-06T10:00:05Z', 10), fromNumber: '+79000000001', sourceId: id.srcA, contactId: K1, operatorId: op1.id }),
      call({ direction: 'inbound', startedAt: t('2026-11-07T10:00:00Z'), ...answered('2026-11-07T10:00:05Z', 90), fromNumber: '+79000000002', sourceId: id.srcA, contactId: K2, operatorId: op2.id, target: true }),
      call({ direction: 'inbound', startedAt: t('2026-11-08T10:00:00Z'), ...answered('2026-11-08T10:00:05Z', 60), fromNumber: '+79000000003', sourceId: id.srcB, contactId: K3, operatorId: op1.id, target: true }),
      call({ direction: 'inbound', startedAt: t('2026-11-09T10:00:00Z'), fromNumber: '+79000000009', sourceId: id.srcA }),
      call({ direction: 'outbound', startedAt: t('2026-11-10T10:00:00Z'), ...answered('2026-11-10T10:00:09Z', 200), toNumber: '+79000000004', contactId: K4, operatorId: op2.id, campaignId: id.camp, target: true }),
      // Edges: 23:59:59 on 31 October and on 30 November, and 00:30 on 1 December, Moscow time.
      call({ direction: 'inbound', startedAt: t('2026-10-31T20:59:59Z'), fromNumber: '+79000000007', sourceId: id.srcA }),
      call({ direction: 'inbound', startedAt: t('2026-11-30T20:59:59Z'), fromNumber: '+79000000005', sourceId: id.srcB, contactId: K5 }),
      call({ direction: 'inbound', startedAt: t('2026-11-30T21:30:00Z'), fromNumber: '+79000000010', sourceId: id.srcB }),
      call({ direction: 'internal', startedAt: t('2026-11-11T10:00:00Z'), fromNumber: '1001', toNumber: '1002' }),
    ]);
    id.m = Array.from({ length: 4 }, () => newId('meeting'));
    const [M1, M2, M3, M4] = id.m as [string, string, string, string];
    const meeting = (mid: string, contactId: string, bookedBy: string, hunterId: string, createdAt: string, heldAt?: string) => ({
      id: mid, contactId, bookedBy, hunterId, createdAt: t(createdAt), scheduledAt: t('2026-11-25T10:00:00Z'), durationMinutes: 60,
      status: (heldAt ? 'held' : 'assigned') as 'held' | 'assigned', heldAt: heldAt ? t(heldAt) : null,
    });
    await db.insert(meetings).values([
      meeting(M1, K1, op1.id, h1.id, '2026-11-05T11:00:00Z', '2026-11-12T10:00:00Z'),
      meeting(M2, K2, op2.id, h2.id, '2026-11-07T11:00:00Z'),
      meeting(M3, K3, op1.id, h1.id, '2026-11-09T11:00:00Z', '2026-11-15T10:00:00Z'),
      meeting(M4, K4, op2.id, h1.id, '2026-11-10T11:00:00Z', '2026-12-01T00:00:00Z'),
    ]);
    const offer = (meetingId: string, hunterId: string, offeredAt: string, status: 'accepted' | 'declined' | 'expired', afterSeconds: number) => ({
      id: newId('offer'), meetingId, hunterId, how: 'pool' as const, offeredAt: t(offeredAt), expiresAt: t(offeredAt), status,
      respondedAt: new Date(t(offeredAt).getTime() + afterSeconds * 1000),
    });
    await db.insert(meetingOffers).values([
      offer(M1, h2.id, '2026-11-05T11:00:00Z', 'declined', 300),
      offer(M1, h1.id, '2026-11-05T11:06:00Z', 'accepted', 120),
      offer(M2, h2.id, '2026-11-07T11:00:00Z', 'accepted', 60),
      offer(M3, h1.id, '2026-11-09T11:00:00Z', 'expired', 300),
      offer(M3, h1.id, '2026-11-09T11:06:00Z', 'accepted', 300),
      offer(M4, h1.id, '2026-11-10T11:00:00Z', 'accepted', 30),
    ]);
    id.d = Array.from({ length: 5 }, () => newId('deal'));
    const [D1, D2, D3, D4, D5] = id.d as [string, string, string, string, string];
    const deal = (did: string, contactId: string, amountMinor: number, dealDate: string, isFirst: boolean, extra: Partial<typeof deals.$inferInsert> = {}) => ({
      id: did, contactId, amountMinor, currency: 'RUB', dealDate: t(dealDate), dueAt: t(dealDate), isFirst, createdBy: h1.id, ...extra,
    });
    await db.insert(deals).values([
      deal(D1, K1, 100_000, '2026-11-14T09:00:00Z', true),
      deal(D2, K1, 50_000, '2026-11-20T10:00:00Z', false, { commissionHunterId: h1.id, commissionPercent: 3, commissionMinor: 1500 }),
      deal(D3, K3, 70_000, '2026-11-16T09:00:00Z', true),
      deal(D4, K3, 999, '2026-10-25T09:00:00Z', false),
      deal(D5, K2, 20_000, '2026-11-18T09:00:00Z', true, { currency: 'USD', createdBy: h2.id }),
    ]);
    await db.insert(handoffs).values([
      { id: newId('handoff'), contactId: K1, dealId: D1, fromHunterId: h1.id, toAccountManagerId: am.id, at: t('2026-11-14T09:00:00Z'), reason: {} },
      { id: newId('handoff'), contactId: K3, dealId: D3, fromHunterId: h1.id, toAccountManagerId: am.id, at: t('2026-11-16T09:00:00Z'), reason: {} },
    ]);
    await db.insert(payments).values([
      { id: newId('payment'), dealId: D1, amountMinor: 50_000, paidAt: t('2026-11-18T09:00:00Z'), createdBy: am.id },
      { id: newId('payment'), dealId: D3, amountMinor: 70_000, paidAt: t('2026-10-30T09:00:00Z'), createdBy: am.id },
    ]);
    // Anna's 5 November (Moscow): in at 09:00, lunch 10:00–10:30, a call 11:00–11:10, wrap-up a minute, out at 12:00.
    const log = (status: string, at: string, reason: string | null = null) => ({ id: newId('statusChange'), userId: op1.id, status, reason, at: t(at) });
    await db.insert(userStatusLog).values([
      log('offline', '2026-11-04T20:00:00Z'),
      log('available', '2026-11-05T06:00:00Z'),
      log('paused', '2026-11-05T07:00:00Z', 'Обед'),
      log('available', '2026-11-05T07:30:00Z'),
      log('on_call', '2026-11-05T08:00:00Z'),
      log('wrap_up', '2026-11-05T08:10:00Z'),
      log('available', '2026-11-05T08:11:00Z'),
      log('offline', '2026-11-05T09:00:00Z'),
    ]);
    const listId = newId('dialList');
    await db.insert(dialLists).values({ id: listId, campaignId: id.camp, name: 'list', status: 'ready' });
    const entryId = newId('dialEntry');
    await db.insert(dialEntries).values({ id: entryId, campaignId: id.camp, listId, contactId: K4, phone: '+79000000004', timezone: 'Europe/Moscow', nextAt: t('2026-11-01T00:00:00Z'), status: 'done' });
    const refusal = (reason: string, at: string) => ({
      id: newId('disposition'), entryId, campaignId: id.camp, contactId: K4, operatorId: op2.id, kind: 'not_interested' as const, reason, createdAt: t(at),
    });
    await db.insert(dispositions).values([
      refusal('Дорого', '2026-11-03T10:00:00Z'),
      refusal('Дорого', '2026-11-04T10:00:00Z'),
      refusal('Есть поставщик', '2026-11-05T10:00:00Z'),
      refusal('Дорого', '2026-10-05T10:00:00Z'),
    ]);
  }, 60_000);
  afterAll(() => h?.stop());

  const get = async (path: string, token = admin) => {
    const res = await h.api(path, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const row = (body: any, key: string | null) => body.rows.find((r: any) => r.key === key);

  it('counts every stage by source, with prorated costs and conversions', async () => {
    const f = await get(`/api/reports/funnel?${NOV}&groupBy=source`);
    expect(f.period).toEqual({ from: '2026-10-31T21:00:00.000Z', to: '2026-11-30T21:00:00.000Z', timeZone: 'Europe/Moscow' });
    expect(f.rows.map((r: any) => r.key)).toEqual([id.srcA, id.srcB, null]);
    expect(row(f, id.srcA)).toMatchObject({
      label: 'Яндекс', calls: 4, uniqueCallers: 3, targetCalls: 2, newLeads: 2, meetingsBooked: 2, meetingsHeld: 1, firstSales: 2, revenueMinor: 150_000,
      costMinor: 3_000_000, costCurrency: 'RUB', costPerLeadMinor: 1_500_000, costPerMeetingMinor: 1_500_000, costPerFirstSaleMinor: 1_500_000,
    });
    expect(row(f, id.srcA).conversion).toMatchObject({ calls_targetCalls: 0.5, newLeads_meetingsBooked: 1, meetingsBooked_meetingsHeld: 0.5, calls_firstSales: 0.5 });
    expect(row(f, id.srcB)).toMatchObject({
      label: 'Avito', calls: 2, uniqueCallers: 2, targetCalls: 1, newLeads: 1, meetingsBooked: 1, meetingsHeld: 1, firstSales: 1, revenueMinor: 70_000,
      costMinor: null, costPerLeadMinor: null,
    });
    expect(row(f, null)).toMatchObject({ calls: 1, uniqueCallers: 1, targetCalls: 1, newLeads: 1, meetingsBooked: 1, meetingsHeld: 0, firstSales: 0, revenueMinor: 0 });
    expect(row(f, null).conversion.meetingsHeld_firstSales).toBeNull();
    expect(f.total).toMatchObject({
      label: 'Total', calls: 7, uniqueCallers: 6, targetCalls: 4, newLeads: 4, meetingsBooked: 4, meetingsHeld: 2, firstSales: 3, revenueMinor: 220_000, costMinor: 3_000_000,
    });
    expect(Object.keys(f.total.conversion)).toHaveLength(21);
  });

  it('prorates a monthly cost to part of a month', async () => {
    const f = await get('/api/reports/funnel?from=2026-11-01&to=2026-11-15&groupBy=source');
    expect(row(f, id.srcA).costMinor).toBe(1_500_000);
    expect(row(f, id.srcA)).toMatchObject({ calls: 4, newLeads: 2, costPerLeadMinor: 750_000, firstSales: 1 });
  });

  it('groups by operator, hunter and campaign', async () => {
    const byOp = await get(`/api/reports/funnel?${NOV}&groupBy=operator`);
    expect(row(byOp, op1.id)).toMatchObject({ label: 'Анна', calls: 3, uniqueCallers: 2, targetCalls: 2, newLeads: 1, meetingsBooked: 2, meetingsHeld: 2, firstSales: 2, revenueMinor: 220_000, costMinor: null });
    expect(row(byOp, op2.id)).toMatchObject({ calls: 2, uniqueCallers: 2, targetCalls: 2, newLeads: 2, meetingsBooked: 2, meetingsHeld: 0, firstSales: 1, revenueMinor: 0 });
    expect(row(byOp, null)).toMatchObject({ calls: 2, targetCalls: 0, newLeads: 1, meetingsBooked: 0 });

    const byHunter = await get(`/api/reports/funnel?${NOV}&groupBy=hunter`);
    expect(row(byHunter, h1.id)).toMatchObject({ label: 'Виктор', calls: 0, newLeads: 2, meetingsBooked: 3, meetingsHeld: 2, firstSales: 2, revenueMinor: 220_000 });
    expect(row(byHunter, h2.id)).toMatchObject({ newLeads: 1, meetingsBooked: 1, meetingsHeld: 0, firstSales: 1, revenueMinor: 0 });
    expect(row(byHunter, null)).toMatchObject({ calls: 7, newLeads: 1 });

    const byCampaign = await get(`/api/reports/funnel?${NOV}&groupBy=campaign`);
    expect(row(byCampaign, id.camp)).toMatchObject({ label: 'Обзвон', calls: 1, newLeads: 1, meetingsBooked: 1, meetingsHeld: 0, firstSales: 0 });
    expect(row(byCampaign, null)).toMatchObject({ calls: 6, newLeads: 3, meetingsBooked: 3, firstSales: 3 });
  });

  it("takes the company's days: an instant period, and the edges of a local day", async () => {
    const instants = await get('/api/reports/funnel?from=2026-11-30T20:59:00Z&to=2026-11-30T21:31:00Z');
    expect(instants.total.calls).toBe(2);
    const lastDay = await get('/api/reports/funnel?from=2026-11-30&to=2026-11-30');
    expect(lastDay.total).toMatchObject({ calls: 1, newLeads: 1 });
    const firstOfDecember = await get('/api/reports/funnel?from=2026-12-01&to=2026-12-01');
    expect(firstOfDecember.total).toMatchObject({ calls: 1, meetingsHeld: 1 });
  });

  it('gives the trend per local day, every day present', async () => {
    const tr = await get(`/api/reports/trend?${NOV}`);
    expect(tr.days).toHaveLength(30);
    expect(tr.days[0].date).toBe('2026-11-01');
    expect(tr.days.find((d: any) => d.date === '2026-11-05')).toMatchObject({ calls: 1, targetCalls: 1, newLeads: 1, meetingsBooked: 1 });
    expect(tr.days.find((d: any) => d.date === '2026-11-30')).toMatchObject({ calls: 1, newLeads: 1 });
    expect(tr.days.reduce((n: number, d: any) => n + d.calls, 0)).toBe(7);
    const one = await get(`/api/reports/trend?${NOV}&groupBy=source&key=${id.srcB}`);
    expect(one.days.reduce((n: number, d: any) => n + d.calls, 0)).toBe(2);
    expect(one.days.find((d: any) => d.date === '2026-11-16')).toMatchObject({ firstSales: 1, revenueMinor: 70_000 });
  });

  it("reports an operator's day: calls, time in each state and pause reason, meetings per hour", async () => {
    const r = await get('/api/reports/operators?from=2026-11-05&to=2026-11-05');
    const anna = r.rows.find((x: any) => x.userId === op1.id);
    expect(anna).toMatchObject({
      name: 'Анна', callsHandled: 1, callsMade: 0, talkSeconds: 120, avgHandleSeconds: 180,
      statusSeconds: { available: 8340, paused: 1800, ringing: 0, on_call: 600, wrap_up: 60 },
      loggedInSeconds: 10_800, pauseSeconds: [{ reason: 'Обед', seconds: 1800 }], meetingsBooked: 1, meetingsPerHour: 0.33,
    });
    expect(r.rows.find((x: any) => x.userId === op2.id)).toMatchObject({ callsHandled: 0, loggedInSeconds: 0, meetingsPerHour: null, avgHandleSeconds: null });
    // A state held when the period begins counts from its start.
    const late = await get('/api/reports/operators?from=2026-11-05T07:15:00Z&to=2026-11-05T07:45:00Z');
    expect(late.rows.find((x: any) => x.userId === op1.id).statusSeconds).toMatchObject({ paused: 900, available: 900 });
  });

  it('reports hunters and account managers', async () => {
    const r = await get(`/api/reports/hunters?${NOV}`);
    expect(r.rows.find((x: any) => x.userId === h1.id)).toMatchObject({
      offers: 4, accepted: 3, declined: 0, expired: 1, avgSecondsToAccept: 150, meetingsHeld: 2, firstSales: 2, conversion: 1, revenueMinor: 170_000, commissionMinor: 1500,
    });
    expect(r.rows.find((x: any) => x.userId === h2.id)).toMatchObject({ offers: 2, accepted: 1, declined: 1, avgSecondsToAccept: 60, meetingsHeld: 0, firstSales: 1, conversion: null, revenueMinor: 0 });
    const m = await get(`/api/reports/account-managers?${NOV}`);
    expect(m.rows.find((x: any) => x.userId === am.id)).toMatchObject({ clients: 3, abandoned: 1, payments: 1, collectedMinor: 50_000 });
  });

  it('reports refusal reasons', async () => {
    const r = await get(`/api/reports/refusals?${NOV}`);
    expect(r.total).toBe(3);
    expect(r.rows).toEqual([
      { reason: 'Дорого', count: 2, share: 0.6667 },
      { reason: 'Есть поставщик', count: 1, share: 0.3333 },
    ]);
    expect((await get(`/api/reports/refusals?${NOV}&campaignId=${newId('campaign')}`)).total).toBe(0);
  });

  it('exports the same rows as CSV', async () => {
    const res = await fetch(`${h.url}/api/reports/funnel?${NOV}&groupBy=source&format=csv`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="funnel-by-source-2026-11-01-2026-11-30.csv"');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    const records: Record<string, string>[] = parse(text, { bom: true, columns: true });
    const json = await get(`/api/reports/funnel?${NOV}&groupBy=source`);
    expect(records).toHaveLength(json.rows.length + 1);
    for (const [i, r] of [...json.rows, json.total].entries()) {
      const csv = records[i]!;
      expect(csv.key).toBe(r.key ?? '');
      expect(csv.label).toBe(r.label);
      for (const k of ['calls', 'uniqueCallers', 'targetCalls', 'newLeads', 'meetingsBooked', 'meetingsHeld', 'firstSales', 'revenueMinor']) expect(Number(csv[k])).toBe(r[k]);
      expect(csv.costMinor).toBe(r.costMinor === null ? '' : String(r.costMinor));
      for (const [pair, v] of Object.entries(r.conversion)) expect(csv[`conversion.${pair}`]).toBe(v === null ? '' : String(v));
    }
    const ops = await h.api('/api/reports/operators?from=2026-11-05&to=2026-11-05', { token: admin, headers: { accept: 'text/csv' } });
    const opRows: Record<string, string>[] = parse(ops.body, { bom: true, columns: true });
    expect(opRows.find((r) => r.userId === op1.id)).toMatchObject({ 'statusSeconds.paused': '1800', 'pauseSeconds.Обед': '1800', meetingsPerHour: '0.33' });
  });

  it('neutralises formulas in CSV text cells', async () => {
    await h.services.database.db.insert(sources).values({ id: newId('source'), name: '=HYPERLINK("x")', channel: 'other', currency: 'RUB' });
    const res = await h.api(`/api/reports/funnel?${NOV}&format=csv`, { token: admin });
    expect(res.body).not.toMatch(/^=|,=/m);
  });

  it('shows operators and hunters their own figures only, and refuses other roles', async () => {
    const mine = await get(`/api/reports/funnel?${NOV}&groupBy=operator`, op1.token);
    expect(mine.rows.map((r: any) => r.key)).toEqual([op1.id]);
    expect(mine.total).toMatchObject({ calls: 3, meetingsBooked: 2 });
    expect((await h.api(`/api/reports/funnel?${NOV}&groupBy=source`, { token: op1.token })).status).toBe(403);
    const hunter = await get(`/api/reports/funnel?${NOV}&groupBy=hunter`, h2.token);
    expect(hunter.rows.map((r: any) => r.key)).toEqual([h2.id]);
    expect((await get(`/api/reports/trend?${NOV}`, op2.token)).days.reduce((n: number, d: any) => n + d.calls, 0)).toBe(2);
    expect((await h.api(`/api/reports/trend?${NOV}&groupBy=operator&key=${op1.id}`, { token: op2.token })).status).toBe(403);
    const ops = await get('/api/reports/operators?from=2026-11-05&to=2026-11-05', op2.token);
    expect(ops.rows.map((r: any) => r.userId)).toEqual([op2.id]);
    expect((await get(`/api/reports/account-managers?${NOV}`, am.token)).rows.map((r: any) => r.userId)).toEqual([am.id]);
    for (const [path, token] of [
      ['/api/reports/hunters', op1.token],
      ['/api/reports/account-managers', h1.token],
      ['/api/reports/refusals', op1.token],
      ['/api/reports/funnel', am.token],
      ['/api/reports/wallboard', op1.token],
    ] as const) {
      expect((await h.api(path, { token })).status, path).toBe(403);
    }
    expect((await h.api('/api/reports/funnel')).status).toBe(401);
  });

  it('rejects a bad period with a clear error', async () => {
    for (const [q, path] of [
      ['from=2026-02-30', 'query.from'],
      ['from=2026-11-10&to=2026-11-01', 'query.to'],
      ['from=2025-01-01&to=2026-11-30', 'query.to'],
      ['from=yesterday', 'query.from'],
      ['groupBy=region', 'query.groupBy'],
    ]) {
      const res = await h.api(`/api/reports/funnel?${q}`, { token: admin });
      expect(res.status, q).toBe(400);
      expect(res.body.errors.map((e: any) => e.path), q).toContain(path);
    }
  });
});
