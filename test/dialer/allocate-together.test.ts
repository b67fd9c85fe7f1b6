import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, dialEntries, dispositions } from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { nextEntry } from '../../src/dialer/allocate.js';
import { recordDisposition } from '../../src/dialer/dispositions.js';
import type { AuthUser } from '../../src/auth/middleware.js';
import type { Statement } from '../../src/db/statements.js';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';
import { importDialList } from '../helpers/dial-lists.js';

/** Wednesday 2 December 2026, 12:00 in Moscow: inside a 09:00–21:00 weekday window there. */
const BASE = Date.parse('2026-12-02T09:00:00Z');
let offsetMs = BASE - Date.now();
const clock = { now: () => new Date(Date.now() + offsetMs) };
const MIN = 60_000;

/**
 * Operators asking at once are served by one statement for all of them (see `nextTogether` and
 * `disposeTogether`): what each gets must be what the rules give one at a time.
 */
describe('allocations and dispositions arriving together', () => {
  let h: Harness;
  let cc: TestUser;
  const ops: Record<'a' | 'b' | 'c' | 'd' | 'e' | 'f', AuthUser> = {} as never;
  let high: string;
  let low: string;
  /** Each batch the dialer sent: how many statements went first, and how many ran after them. */
  let batches: Array<{ first: number; after: number }> = [];

  beforeAll(async () => {
    h = await startHarness({ clock });
    cc = await h.user('cc_admin');
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f'] as const) {
      const u = await h.user('operator', { name: `Оператор ${k.toUpperCase()}` });
      ops[k] = { id: u.id, email: u.email, name: u.name, role: 'operator', locale: 'ru', timezone: 'Europe/Moscow' };
    }
    const members = [ops.a, ops.b, ops.c, ops.d, ops.e].map((o) => o.id);
    const campaign = async (name: string, priority: number) => {
      const res = await h.api('/api/campaigns', {
        token: cc.token,
        body: {
          name, status: 'active', priority, window: { start: '09:00', end: '21:00', days: [1, 2, 3, 4, 5] },
          maxAttempts: 3, retryMinutes: { no_answer: 120, busy: 15, voicemail: 240 }, operatorIds: members,
        },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    high = await campaign('Высокий', 90);
    low = await campaign('Низкий', 10);
    await importRows(high, ['В1,+74959000001', 'В2,+74959000002', 'В3,+74959000003']);
    await importRows(low, ['Н1,+74959000011', 'Н2,+74959000012', 'Н3,+74959000013', 'Н4,+74959000014']);
    expect((await h.api('/api/refusal-reasons', { token: cc.token, body: { label: 'Дорого' } })).status).toBe(201);

    const database = h.services.database;
    const batch = database.batch.bind(database);
    database.batch = (async (qs: Array<Statement>, then?: (rows: Record<string, unknown>[][]) => Statement[]) => {
      const seen = { first: qs.length, after: 0 };
      batches.push(seen);
      return batch(qs, then && ((rows) => {
        const more = then(rows);
        seen.after = more.length;
        return more;
      }));
    }) as typeof database.batch;
  });
  afterAll(() => h?.stop());

  const importRows = (campaignId: string, rows: string[]) =>
    importDialList(h, cc.token, campaignId, { name: 'Список', mapping: { name: 'Имя', phones: ['Телефон'] }, csv: `Имя,Телефон\n${rows.join('\n')}\n` });
  const entryOf = async (id: string) => (await h.services.database.db.select().from(dialEntries).where(eq(dialEntries.id, id)))[0]!;

  it('each operator gets what the rules give them alone: held, own callback, top campaign, then the next campaign', async () => {
    const s = h.services;
    // a already holds an entry; b promised a callback in the low-priority campaign, due now.
    const held = (await nextEntry(s, ops.a)).entry!;
    expect(held.campaign.id).toBe(high);
    const promised = (await nextEntry(s, ops.b)).entry!;
    expect(promised.campaign.id).toBe(high);
    await recordDisposition(s, ops.b, promised.id, { kind: 'callback', callbackAt: new Date(clock.now().getTime() + 30 * MIN).toISOString() });
    offsetMs += 31 * MIN;
    // One entry is left in the high campaign now, and b's callback is due.
    const dueLow = (await s.database.query<{ id: string }>(sql`SELECT id FROM dial_entries WHERE campaign_id = ${low} ORDER BY next_at, id LIMIT 2`)).map((r) => r.id);

    batches = [];
    type Next = Awaited<ReturnType<typeof nextEntry>>;
    const [a, b, c, d, e1, e2, f] = (await Promise.all([ops.a, ops.b, ops.c, ops.d, ops.e, ops.e, ops.f].map((o) => nextEntry(s, o)))) as [Next, Next, Next, Next, Next, Next, Next];
    // One statement for the seven requests, then their own statements for the five it left: b (a
    // callback due), d and e (the high campaign ran out after c), e's second request and f (no campaign).
    expect(batches).toEqual([{ first: 1, after: 5 }]);

    expect(a).toMatchObject({ held: true, entry: { id: held.id } });
    expect(b).toMatchObject({ held: false, entry: { id: promised.id, personalCallback: true } });
    expect(c).toMatchObject({ held: false, entry: { campaign: { id: high } } });
    // d asked after c: the high campaign has nothing left for d, so d goes on to the low one, by due time.
    expect(d.entry!.campaign.id).toBe(low);
    expect(e1.entry!.campaign.id).toBe(low);
    expect(e2).toMatchObject({ held: true, entry: { id: e1.entry!.id } });
    expect(f).toEqual({ entry: null, held: false });
    const given = [a, b, c, d, e1].map((r) => r.entry?.id);
    expect(new Set(given).size).toBe(5);
    const locked = await s.database.db.select().from(dialEntries).where(eq(dialEntries.status, 'locked'));
    expect(Object.fromEntries(locked.map((r) => [r.id, r.lockedBy]))).toEqual({
      [held.id]: ops.a.id, [promised.id]: ops.b.id, [c.entry!.id]: ops.c.id, [d.entry!.id]: ops.d.id, [e1.entry!.id]: ops.e.id,
    });
    // d and e took the two low entries due first, in the order they asked.
    expect([d.entry!.id, e1.entry!.id]).toEqual(dueLow);
  });

  it('records each disposition as alone: retry, refusal with its reason, a call credited; a second or foreign one is refused', async () => {
    const s = h.services;
    const lockedBy = async (op: AuthUser) => (await s.database.db.select().from(dialEntries).where(eq(dialEntries.lockedBy, op.id)))[0]!;
    const [ea, ec, ed, ee] = await Promise.all([ops.a, ops.c, ops.d, ops.e].map(lockedBy));
    const callId = newId('call');
    await s.database.db.insert(calls).values({ id: callId, linkedid: callId, direction: 'outbound', toNumber: ed!.phone, startedAt: clock.now(), capturedBy: 'manual', operatorId: ops.d.id });

    batches = [];
    const now = clock.now().getTime();
    const results = await Promise.allSettled([
      recordDisposition(s, ops.a, ea!.id, { kind: 'no_answer', note: 'Гудки' }),
      recordDisposition(s, ops.c, ec!.id, { kind: 'not_interested', reason: 'Дорого' }),
      recordDisposition(s, ops.d, ed!.id, { kind: 'wrong_number', callId }),
      recordDisposition(s, ops.e, ee!.id, { kind: 'busy' }),
      recordDisposition(s, ops.e, ee!.id, { kind: 'voicemail' }),
      recordDisposition(s, ops.f, ea!.id, { kind: 'busy' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(String((results[4] as PromiseRejectedResult).reason)).toMatch(/not yours now/);
    expect(String((results[5] as PromiseRejectedResult).reason)).toMatch(/not yours now/);
    // The not_interested one checks its reason first, so it may leave in a batch of its own; the others go together.
    expect(batches.some((b) => b.first === 1 && b.after === 2)).toBe(true);

    const [ra, rc, rd, re] = results.slice(0, 4).map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof recordDisposition>>>).value);
    expect(ra!.entry).toMatchObject({ id: ea!.id, attempts: 1, lastDisposition: 'no_answer', history: [{ kind: 'no_answer', note: 'Гудки', operatorId: ops.a.id }] });
    expect(rc!.entry.history).toEqual([expect.objectContaining({ kind: 'not_interested', reason: 'Дорого', operatorId: ops.c.id })]);
    expect(rd!.entry.lastDisposition).toBe('wrong_number');
    expect(re!.entry.lastDisposition).toBe('busy');

    const after = Object.fromEntries((await s.database.db.select().from(dialEntries).where(inArray(dialEntries.id, [ea!.id, ec!.id, ed!.id, ee!.id]))).map((r) => [r.id, r]));
    expect(after[ea!.id]).toMatchObject({ status: 'pending', lockedBy: null, attempts: 1, outcome: null });
    expect(after[ea!.id]!.nextAt.getTime() - now).toBeGreaterThanOrEqual(120 * MIN);
    expect(after[ea!.id]!.nextAt.getTime() - now).toBeLessThan(121 * MIN);
    expect(after[ec!.id]).toMatchObject({ status: 'done', outcome: 'not_interested' });
    expect(after[ed!.id]).toMatchObject({ status: 'done', outcome: 'wrong_number' });
    expect(after[ee!.id]).toMatchObject({ status: 'pending', lastDisposition: 'busy', attempts: 1 });
    expect(after[ee!.id]!.nextAt.getTime() - now).toBeGreaterThanOrEqual(15 * MIN);
    expect(after[ee!.id]!.nextAt.getTime() - now).toBeLessThan(16 * MIN);

    const written = await s.database.db.select().from(dispositions).where(inArray(dispositions.entryId, [ea!.id, ec!.id, ed!.id, ee!.id]));
    expect(written.map((d) => `${d.operatorId === ops.e.id ? 'e' : d.kind}:${d.kind}`).sort()).toEqual(['e:busy', 'no_answer:no_answer', 'not_interested:not_interested', 'wrong_number:wrong_number']);
    expect(written.find((d) => d.kind === 'wrong_number')).toMatchObject({ callId, campaignId: ed!.campaignId, contactId: ed!.contactId });
    const [credited] = await s.database.db.select().from(calls).where(eq(calls.id, callId));
    expect(credited).toMatchObject({ campaignId: ed!.campaignId, contactId: ed!.contactId });
  });

  it('an entry at its last attempt is finished as attempts_exhausted, the same way in a group', async () => {
    const s = h.services;
    await s.database.query(sql`UPDATE dial_entries SET attempts = 2 WHERE locked_by IN (${ops.b.id})`);
    const eb = (await s.database.db.select().from(dialEntries).where(eq(dialEntries.lockedBy, ops.b.id)))[0]!;
    const c2 = (await nextEntry(s, ops.c)).entry!;
    batches = [];
    await Promise.all([recordDisposition(s, ops.b, eb.id, { kind: 'no_answer' }), recordDisposition(s, ops.c, c2.id, { kind: 'voicemail' })]);
    expect(batches).toEqual([{ first: 1, after: 0 }]);
    expect(await entryOf(eb.id)).toMatchObject({ status: 'done', outcome: 'attempts_exhausted', attempts: 3, callbackOwner: null });
    expect(await entryOf(c2.id)).toMatchObject({ status: 'pending', attempts: c2.attempts + 1, lastDisposition: 'voicemail' });
  });
});
