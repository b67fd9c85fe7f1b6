import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, contacts } from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { findOrCreateContactByPhone } from '../../src/contacts/from-phone.js';
import { markAnswered } from '../../src/acd/store.js';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';
import { importDialList } from '../helpers/dial-lists.js';

/** Wednesday 2 December 2026, 12:00 in Moscow: inside the campaign's calling window. */
const offsetMs = Date.parse('2026-12-02T09:00:00Z') - Date.now();
const clock = { now: () => new Date(Date.now() + offsetMs) };
const TODAY = 'from=2026-12-02&to=2026-12-02';

describe('when a contact becomes a lead', () => {
  let h: Harness;
  let cc: TestUser, op: TestUser;
  let campaignId: string;

  beforeAll(async () => {
    h = await startHarness({ clock });
    cc = await h.user('cc_admin');
    op = await h.user('operator');
    const res = await h.api('/api/campaigns', {
      token: cc.token,
      body: { name: 'Склады', status: 'active', window: { start: '09:00', end: '21:00', days: [1, 2, 3, 4, 5] }, operatorIds: [op.id] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    campaignId = res.body.id;
  }, 60_000);
  afterAll(() => h?.stop());

  const funnel = async (groupBy: string) => (await h.api(`/api/reports/funnel?${TODAY}&groupBy=${groupBy}`, { token: cc.token })).body;
  const leadOf = async (id: string) => (await h.services.database.db.select().from(contacts).where(eq(contacts.id, id)))[0]!;

  it('a dial list is not leads; a callback, a meeting or the contact calling in makes one', async () => {
    await importDialList(h, cc.token, campaignId, {
      name: 'Склады',
      mapping: { name: 'Имя', phones: ['Телефон'], timezone: 'Пояс' },
      csv: 'Имя,Телефон,Пояс\nПервый,+74957000001,Europe/Moscow\nВторой,+74957000002,Europe/Moscow\nТретий,+74957000003,Europe/Moscow\n',
    });
    expect((await funnel('campaign')).total.newLeads).toBe(0);

    const first = (await h.api('/api/dialer/next', { method: 'POST', token: op.token })).body.entry;
    const cb = await h.api(`/api/dialer/entries/${first.id}/disposition`, {
      token: op.token,
      body: { kind: 'callback', callbackAt: new Date(clock.now().getTime() + 3_600_000).toISOString() },
    });
    expect(cb.status, JSON.stringify(cb.body)).toBe(201);
    expect(await leadOf(first.contact.id)).toMatchObject({ leadBy: op.id, leadCampaignId: campaignId });

    const second = (await h.api('/api/dialer/next', { method: 'POST', token: op.token })).body.entry;
    const booked = await h.api(`/api/dialer/entries/${second.id}/disposition`, {
      token: op.token,
      body: { kind: 'meeting_booked', meeting: { scheduledAt: new Date(clock.now().getTime() + 2 * 86_400_000).toISOString(), location: 'Склад' } },
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const byCampaign = await funnel('campaign');
    expect(byCampaign.rows.find((r: any) => r.key === campaignId)).toMatchObject({ newLeads: 2, meetingsBooked: 1 });

    const untouched = ['+74957000001', '+74957000002', '+74957000003'].find((p) => p !== first.phone && p !== second.phone)!;
    const third = await findOrCreateContactByPhone(h.services, untouched, { sourceId: null, at: clock.now() });
    expect(third.known).toBe(true);
    expect((await leadOf(third.contactId)).leadAt).not.toBeNull();
    expect((await funnel('campaign')).total.newLeads).toBe(3);
  });

  it("a contact entered by staff is their lead; a new caller is the lead of whoever answers", async () => {
    const created = await h.api('/api/contacts', { token: op.token, body: { name: 'Новый', phones: ['+74957000010'] } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(await leadOf(created.body.id)).toMatchObject({ leadBy: op.id, leadCampaignId: null });

    const caller = await findOrCreateContactByPhone(h.services, '+74957000020', { sourceId: null, at: clock.now() });
    expect(caller.known).toBe(false);
    expect(await leadOf(caller.contactId)).toMatchObject({ leadBy: null });
    const callId = newId('call');
    await h.services.database.db.insert(calls).values({
      id: callId, linkedid: callId, direction: 'inbound', capturedBy: 'ari', startedAt: clock.now(), queuedAt: clock.now(), contactId: caller.contactId, fromNumber: '+74957000020',
    });
    await markAnswered(h.services, callId, op.id, null);
    expect(await leadOf(caller.contactId)).toMatchObject({ leadBy: op.id });
    const mine = (await funnel('operator')).rows.find((r: any) => r.key === op.id);
    expect(mine).toMatchObject({ newLeads: 4, meetingsBooked: 1 });
  });
});
