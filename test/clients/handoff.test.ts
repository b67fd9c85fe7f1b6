import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent, startHarness, type Harness, type TestUser } from '../helpers/harness.js';

let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
const DAY = 86_400_000;

let h: Harness;
let head: TestUser;
let clientHead: TestUser;
let hunter: TestUser;
let amBusy: TestUser;
let amFree: TestUser;
let amAway: TestUser;

beforeAll(async () => {
  h = await startHarness({ clock });
  head = await h.user('sales_head');
  clientHead = await h.user('client_head');
  hunter = await h.user('hunter');
  amBusy = await h.user('account_manager');
  amFree = await h.user('account_manager');
  amAway = await h.user('account_manager');
  const now = clock.now();
  // amAway is on vacation for the first two weeks.
  const abs = await h.api(`/api/users/${amAway.id}/absences`, {
    token: await h.adminToken(),
    body: { from: new Date(now.getTime() - DAY).toISOString(), to: new Date(now.getTime() + 14 * DAY).toISOString(), reason: 'vacation' },
  });
  expect(abs.status).toBe(201);
});
afterAll(() => h?.stop());

/** Moves the service's clock; sessions outlive a jump of days only by signing in again. */
async function advance(ms: number) {
  offsetMs += ms;
  for (const u of [head, clientHead, hunter, amBusy, amFree, amAway]) {
    const res = await h.api('/api/auth/login', { body: { email: u.email, password: u.password } });
    expect(res.status).toBe(200);
    u.token = res.body.token;
  }
}

let seq = 0;
async function prospect(owner: TestUser | null = hunter) {
  seq += 1;
  const res = await h.api('/api/contacts', {
    token: head.token,
    body: { name: `Shop ${seq}`, company: `Shop ${seq} LLC`, phones: [`+7919${String(3000000 + seq)}`], ...(owner ? { hunterId: owner.id } : {}) },
  });
  expect(res.status).toBe(201);
  return res.body.id as string;
}
const sale = (contactId: string, amountMinor: number, token = hunter.token, key?: string) =>
  h.api('/api/deals', { token, body: { contactId, amountMinor }, headers: key ? { 'idempotency-key': key } : undefined });

describe('first sale', () => {
  it('makes the prospect a client, hands it to the least loaded present manager, once', async () => {
    // amBusy already has a client.
    const earlier = await prospect();
    const e = await sale(earlier, 5_000);
    expect(e.status).toBe(201);
    const firstManager = e.body.handoff.toAccountManagerId;
    expect([amBusy.id, amFree.id]).toContain(firstManager);
    const other = firstManager === amBusy.id ? amFree : amBusy;

    const socket = h.socket(other.token);
    await nextEvent(socket, 'session:ready');
    const told = nextEvent(socket, 'client:handed-over');
    const contactId = await prospect();
    const first = await sale(contactId, 15_000, hunter.token, 'sale-1');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ isFirst: true, amountMinor: 15_000, currency: 'RUB', commission: null });
    expect(first.body.handoff).toMatchObject({ fromHunterId: hunter.id, toAccountManagerId: other.id });
    const away = first.body.handoff.reason.candidates.find((c: { id: string }) => c.id === amAway.id);
    expect(away).toMatchObject({ eligible: false, reason: 'absent' });
    expect(await told).toEqual({ contactId, accountManagerId: other.id, hunterId: hunter.id });
    // Ten days' deferral from the deal.
    expect(Date.parse(first.body.dueAt) - Date.parse(first.body.dealDate)).toBe(10 * DAY);

    const c = await h.api(`/api/contacts/${contactId}`, { token: clientHead.token });
    expect(c.body).toMatchObject({ status: 'active', accountManager: { id: other.id } });
    const tasksAm = await h.api('/api/tasks', { token: other.token });
    expect(tasksAm.body.filter((t: { kind: string; contact: { id: string } }) => t.kind === 'introduction' && t.contact.id === contactId)).toHaveLength(1);
    const tasksHunter = await h.api('/api/tasks', { token: hunter.token });
    expect(tasksHunter.body.some((t: { kind: string; contact: { id: string } }) => t.kind === 'introduction' && t.contact.id === contactId)).toBe(true);

    // The retried request returns the same deal; the hunter now sees the client read-only.
    const retry = await sale(contactId, 15_000, hunter.token, 'sale-1');
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    expect((await sale(contactId, 1_000)).status).toBe(403);
    const edit = await h.api(`/api/contacts/${contactId}`, { method: 'PATCH', token: hunter.token, body: { notes: 'mine' } });
    expect(edit.status).toBe(403);
    const deals = await h.api(`/api/contacts/${contactId}/deals`, { token: hunter.token });
    expect(deals.body.items).toHaveLength(1);
    socket.close();
  });

  it('concurrent first sales make exactly one first deal and one handoff', async () => {
    const contactId = await prospect();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => sale(contactId, 1_000 + i, head.token)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.filter((r) => r.body.isFirst)).toHaveLength(1);
    const handoffs = new Set(results.map((r) => r.body.handoff?.id));
    expect(handoffs.size).toBe(1);
    const deals = await h.api(`/api/contacts/${contactId}/deals`, { token: head.token });
    expect(deals.body.items).toHaveLength(6);
    // The five later deals earn the hunter the default 3%.
    const later = deals.body.items.filter((d: { isFirst: boolean }) => !d.isFirst);
    expect(later.every((d: { amountMinor: number; commission: { hunterId: string; amountMinor: number } }) => d.commission.hunterId === hunter.id && d.commission.amountMinor === Math.round(d.amountMinor * 0.03))).toBe(true);
  });
});

describe('after the handoff', () => {
  it('later deals by the account manager earn the hunter commission (per-hunter rate), reported per period', async () => {
    const contactId = await prospect();
    const first = await sale(contactId, 10_000);
    const am = [amBusy, amFree].find((u) => u.id === first.body.handoff.toAccountManagerId)!;
    expect((await h.api(`/api/users/${hunter.id}/commission`, { method: 'PUT', token: head.token, body: { percent: 5 } })).status).toBe(200);
    expect((await h.api(`/api/users/${am.id}/commission`, { method: 'PUT', token: head.token, body: { percent: 5 } })).status).toBe(409);
    const later = await sale(contactId, 40_000, am.token);
    expect(later.body.commission).toEqual({ hunterId: hunter.id, percent: 5, amountMinor: 2_000 });
    // Another manager (not this client's) may not record its sales.
    expect((await sale(contactId, 1_000, amAway.token)).status).toBe(403);

    const from = new Date(clock.now().getTime() - DAY).toISOString();
    const to = new Date(clock.now().getTime() + DAY).toISOString();
    const report = await h.api(`/api/reports/commissions?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: head.token });
    const line = report.body.items.find((r: { hunterId: string }) => r.hunterId === hunter.id);
    expect(line.commissionMinor).toBeGreaterThanOrEqual(2_000);
    const own = await h.api(`/api/reports/commissions?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: hunter.token });
    expect(own.body.items.every((r: { hunterId: string }) => r.hunterId === hunter.id)).toBe(true);
    const op = await h.user('operator');
    expect((await sale(contactId, 1_000, op.token)).status).toBe(403);
    expect((await h.api('/api/clients/workload', { token: hunter.token })).status).toBe(403);
    await h.api(`/api/users/${hunter.id}/commission`, { method: 'PUT', token: head.token, body: { percent: 3 } });
  });

  it('an overdue debt raises a task for the manager, or their cover while they are away; risk follows payments', async () => {
    const contactId = await prospect();
    const first = await sale(contactId, 20_000);
    const am = [amBusy, amFree].find((u) => u.id === first.body.handoff.toAccountManagerId)!;
    const cover = am.id === amBusy.id ? amFree : amBusy;
    // Eleven days later the first deal (10 days' deferral) is overdue; the manager is on sick leave.
    await advance(11 * DAY);
    const now = clock.now();
    const sick = await h.api(`/api/users/${am.id}/absences`, {
      token: clientHead.token,
      body: { from: new Date(now.getTime() - 3_600_000).toISOString(), to: new Date(now.getTime() + 2 * DAY).toISOString(), reason: 'sick' },
    });
    expect(sick.status).toBe(201);
    const summary = await h.api('/api/clients/recompute', { method: 'POST', token: clientHead.token });
    expect(summary.status).toBe(200);
    expect(summary.body.debtTasks).toBeGreaterThanOrEqual(1);
    const coverTasks = await h.api('/api/tasks', { token: cover.token });
    const overdue = coverTasks.body.find((t: { kind: string; contact: { id: string } }) => t.kind === 'debt_overdue' && t.contact.id === contactId);
    expect(overdue).toBeTruthy();
    // The cover also sees the client, marked as covered; ownership did not change.
    const coverClients = await h.api('/api/clients?limit=500', { token: cover.token });
    expect(coverClients.body.items.find((c: { id: string }) => c.id === contactId)).toMatchObject({ covering: true, accountManagerId: am.id, riskGroup: 1 });
    const work = await h.api('/api/clients/workload', { token: clientHead.token });
    expect(work.body.managers.find((m: { id: string }) => m.id === am.id).coveredBy).toBe(cover.id);

    // Paid (late, by 2 days): the reminder closes; the risk group stays 1 (one violation, 2 days).
    const paid = await h.api(`/api/deals/${first.body.id}/payments`, { token: clientHead.token, body: { amountMinor: 20_000 } });
    expect(paid.status).toBe(201);
    expect(paid.body.overdueDays).toBe(1);
    await h.api('/api/clients/recompute', { method: 'POST', token: clientHead.token });
    const after = await h.api('/api/tasks', { token: cover.token });
    expect(after.body.some((t: { kind: string; contact: { id: string } }) => t.kind === 'debt_overdue' && t.contact.id === contactId)).toBe(false);
    const history = await h.api(`/api/clients/${contactId}/categories`, { token: clientHead.token });
    expect(history.body.items[0]).toMatchObject({ riskGroup: 1, violations: 1, category: 'B' });

    // Back from sick leave: the cover ends.
    await advance(3 * DAY);
    const back = await h.api('/api/clients/workload', { token: clientHead.token });
    expect(back.body.managers.find((m: { id: string }) => m.id === am.id).coveredBy).toBeNull();
    expect((await h.api('/api/deals/deal_01JZZZZZZZZZZZZZZZZZZZZZZZ/payments', { token: clientHead.token, body: { amountMinor: 1 } })).status).toBe(404);
    expect((await h.api(`/api/deals/${first.body.id}/payments`, { token: clientHead.token, body: { amountMinor: -5 } })).status).toBe(400);
  });

  it('clients without contact for the period are abandoned; when that persists the manager is flagged overloaded; the head reassigns', async () => {
    await advance(40 * DAY);
    for (let i = 0; i < 3; i++) {
      await h.api('/api/clients/recompute', { method: 'POST', token: clientHead.token });
      offsetMs += 60_000;
    }
    const work = await h.api('/api/clients/workload', { token: clientHead.token });
    const busy = work.body.managers.filter((m: { abandoned: number }) => m.abandoned > 0);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((m: { overloaded: boolean }) => m.overloaded)).toBe(true);
    const from = busy[0];
    const list = await h.api(`/api/clients?accountManagerId=${from.id}&abandoned=true`, { token: clientHead.token });
    expect(list.body.items.length).toBe(from.abandoned);
    expect(list.body.items[0].daysSinceContact).toBeGreaterThanOrEqual(30);
    const target = [amBusy, amFree].find((u) => u.id !== from.id)!;
    const moved = await h.api(`/api/clients/${list.body.items[0].id}/reassign`, { token: clientHead.token, body: { accountManagerId: target.id, reason: 'Balance the load' } });
    expect(moved.status).toBe(200);
    expect((await h.api(`/api/clients/${list.body.items[0].id}/reassign`, { token: clientHead.token, body: { accountManagerId: hunter.id, reason: 'x' } })).status).toBe(400);
    const theirs = await h.api('/api/clients?limit=500', { token: target.token });
    expect(theirs.body.items.some((c: { id: string }) => c.id === list.body.items[0].id)).toBe(true);

    // Half a year without deals: lost. It stays the client department's: the hunter may not sell to it
    // (and earn commission), and no meeting with it is routed to hunters.
    await advance(200 * DAY);
    await h.api('/api/clients/recompute', { method: 'POST', token: clientHead.token });
    const lostId = list.body.items[0].id;
    expect((await h.api(`/api/contacts/${lostId}`, { token: clientHead.token })).body.status).toBe('lost');
    expect((await sale(lostId, 1_000)).status).toBe(403);
    const meeting = await h.api('/api/meetings', { token: head.token, body: { contactId: lostId, scheduledAt: new Date(clock.now().getTime() + DAY).toISOString() } });
    expect(meeting.status).toBe(409);
  });
});
