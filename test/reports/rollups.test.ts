import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { calls, campaigns, contacts, deals, handoffs, meetings, sources, userStatusLog } from '../../src/db/schema.js';
import { operatorsReport } from '../../src/reports/people.js';
import type { AuthUser } from '../../src/auth/middleware.js';
import { rowsOf } from '../../src/db/client.js';
import { newId } from '../../src/shared/ids.js';
import { zonedMidnight } from '../../src/meetings/policy.js';
import { refreshReportRollups } from '../../src/reports/rollups.js';
import { callStageRows, type CallDim } from '../../src/reports/call-stage.js';
import type { Period } from '../../src/reports/period.js';
import { stageRows, stageSources } from '../../src/reports/stages.js';
import { groupings, type Grouping } from '../../src/reports/funnel.js';
import type { Services } from '../../src/services.js';
import { startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/**
 * The funnel's call stage from rollups against the plain definition (count, count(DISTINCT caller),
 * count of target calls over the period's calls) on seeded random calls that are then linked to contacts,
 * moved between operators and sources, shifted, made internal, deleted and added, for periods of whole
 * days and of arbitrary instants, both ways of counting unique callers.
 */
const NOW = new Date('2026-12-02T09:00:00Z');
const clock = { now: () => NOW };
const DAY = 86_400_000;

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Figures {
  calls: number;
  callers: number;
  target: number;
}
type ByKey = Record<string, Figures>;
const keyOf = (k: string | null) => k ?? '(none)';

describe('report rollups', () => {
  let h: Harness;
  let s: Services;
  let ops: TestUser[];
  const rnd = random(20261202);
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const src = [newId('source'), newId('source'), newId('source')];
  const camp = [newId('campaign'), newId('campaign')];
  const people = Array.from({ length: 12 }, () => newId('contact'));
  const numbers = Array.from({ length: 16 }, (_, i) => `+7900000${String(1000 + i)}`);

  const randomCall = () => {
    const direction = rnd() < 0.1 ? 'internal' : rnd() < 0.7 ? 'inbound' : 'outbound';
    const number = rnd() < 0.05 ? null : pick(numbers);
    return {
      id: newId('call'),
      linkedid: newId('call'),
      capturedBy: 'ari' as const,
      direction: direction as 'inbound' | 'outbound' | 'internal',
      startedAt: new Date(NOW.getTime() - Math.floor(rnd() * 40 * DAY) + (rnd() < 0.05 ? 3_600_000 : 0)),
      fromNumber: direction === 'inbound' ? number : '+74951000000',
      toNumber: direction === 'inbound' ? '+74951000000' : number,
      contactId: rnd() < 0.4 ? pick(people) : null,
      sourceId: rnd() < 0.8 ? pick(src) : null,
      campaignId: rnd() < 0.5 ? pick(camp) : null,
      operatorId: rnd() < 0.75 ? pick(ops).id : null,
      target: rnd() < 0.4,
    };
  };

  beforeAll(async () => {
    h = await startHarness({ clock, env: { REPORT_ROLLUP_REFRESH_MS: '0' } });
    s = h.services;
    ops = [await h.user('operator'), await h.user('operator'), await h.user('operator')];
    const db = s.database.db;
    await db.insert(sources).values(src.map((id, i) => ({ id, name: `S${i}`, channel: 'other' as const, currency: 'RUB' })));
    await db.insert(campaigns).values(camp.map((id, i) => ({ id, name: `C${i}`, windowDays: [1, 2, 3, 4, 5], retryMinutes: { no_answer: 120, busy: 15, voicemail: 240 } })));
    await db.insert(contacts).values(people.map((id, i) => ({ id, name: `K${i}` })));
    await db.insert(calls).values(Array.from({ length: 400 }, randomCall));
  });
  afterAll(async () => h?.close());

  const column: Record<Exclude<CallDim, 'any'>, string> = { source: 'source_id', campaign: 'campaign_id', operator: 'operator_id' };

  /** The plain definition, read from `calls`. */
  async function expected(p: Period, dim: Exclude<CallDim, 'any'>) {
    const rows = rowsOf<{ k: string | null; calls: number; callers: number; target: number }>(
      await s.database.db.execute(sql`SELECT ${sql.raw(column[dim])} AS k, count(*)::int AS calls, count(DISTINCT caller_key)::int AS callers,
          (count(*) FILTER (WHERE target))::int AS target
        FROM calls WHERE started_at >= ${p.from.toISOString()}::timestamptz AND started_at < ${p.to.toISOString()}::timestamptz
          AND direction <> 'internal' GROUP BY 1`),
    );
    const [all] = rowsOf<{ callers: number }>(
      await s.database.db.execute(sql`SELECT count(DISTINCT caller_key)::int AS callers FROM calls
        WHERE started_at >= ${p.from.toISOString()}::timestamptz AND started_at < ${p.to.toISOString()}::timestamptz AND direction <> 'internal'`),
    );
    const by: ByKey = {};
    for (const r of rows) by[keyOf(r.k)] = { calls: r.calls, callers: r.callers, target: r.target };
    return { by, callers: all!.callers };
  }

  /** The same from the rollups, summing the rows each group gets. */
  async function fromRollups(p: Period, dim: Exclude<CallDim, 'any'>, count: 'inside' | 'after') {
    await refreshReportRollups(s);
    const parts = await callStageRows(s.database.db, { period: p, dim, by: 'key', whole: true, count });
    const rows = rowsOf<{ stage: string; dim: string | null; a: number; b: number; c: number }>(await s.database.db.execute(sql.join(parts, sql` UNION ALL `)));
    const by: ByKey = {};
    let callers = 0;
    for (const r of rows) {
      if (r.stage === 'callers') {
        callers += r.b;
        continue;
      }
      const f = (by[keyOf(r.dim)] ??= { calls: 0, callers: 0, target: 0 });
      f.calls += r.a;
      f.callers += r.b;
      f.target += r.c;
    }
    for (const [k, f] of Object.entries(by)) if (f.calls === 0 && f.callers === 0 && f.target === 0) delete by[k];
    return { by, callers };
  }

  const tz = () => s.config.companyTimeZone;
  const midnight = (daysAgo: number) => {
    const d = new Date(NOW.getTime() - daysAgo * DAY);
    const [y, m, dd] = new Intl.DateTimeFormat('en-CA', { timeZone: tz(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(d).split('-').map(Number);
    return zonedMidnight(y!, m!, dd!, tz());
  };
  /** Bounds that fall exactly on calls: a caller's call at F is inside, their call at T is not. */
  let onCalls: Period;
  const periods = (): Array<[string, Period]> => [
    ['bounds on calls', onCalls],
    ['whole days, to today', { from: midnight(30), to: midnight(-1), timeZone: tz() }],
    ['whole days, in the past', { from: midnight(25), to: midnight(12), timeZone: tz() }],
    ['instants, to now', { from: new Date(midnight(9).getTime() + 5 * 3_600_000 + 17_000), to: NOW, timeZone: tz() }],
    ['instants, in the past', { from: new Date(midnight(33).getTime() + 13 * 3_600_000), to: new Date(midnight(6).getTime() + 2 * 3_600_000 + 1), timeZone: tz() }],
    ['within one day', { from: new Date(midnight(3).getTime() + 3_600_000), to: new Date(midnight(3).getTime() + 20 * 3_600_000), timeZone: tz() }],
    ['everything', { from: new Date(NOW.getTime() - 60 * DAY), to: new Date(NOW.getTime() + 2 * DAY), timeZone: tz() }],
  ];

  async function boundsOnCalls() {
    const starts = rowsOf<{ at: string }>(
      await s.database.db.execute(sql`SELECT to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM calls
        WHERE direction <> 'internal' AND caller_key IS NOT NULL ORDER BY started_at`),
    ).map((r) => new Date(r.at));
    onCalls = { from: starts[Math.floor(starts.length / 4)]!, to: starts[Math.floor((starts.length * 3) / 4)]!, timeZone: tz() };
  }

  async function agreeEverywhere() {
    await boundsOnCalls();
    for (const [label, p] of periods()) {
      for (const dim of ['source', 'campaign', 'operator'] as const) {
        const want = await expected(p, dim);
        expect(Object.keys(want.by).length, `${label}: some calls`).toBeGreaterThan(0);
        for (const count of ['inside', 'after'] as const) {
          expect(await fromRollups(p, dim, count), `${label}, by ${dim}, counted ${count}`).toEqual(want);
        }
      }
    }
  }

  it('agrees with counting the calls themselves, before and after calls change', async () => {
    await agreeEverywhere();
    const db = s.database.db;
    const ids = rowsOf<{ id: string }>(await db.execute(sql`SELECT id FROM calls ORDER BY id`)).map((r) => r.id);
    for (let i = 0; i < 60; i++) {
      const id = pick(ids);
      const change = Math.floor(rnd() * 6);
      if (change === 0) await db.execute(sql`UPDATE calls SET contact_id = ${pick(people)} WHERE id = ${id}`);
      else if (change === 1) await db.execute(sql`UPDATE calls SET operator_id = ${rnd() < 0.2 ? null : pick(ops).id} WHERE id = ${id}`);
      else if (change === 2) await db.execute(sql`UPDATE calls SET source_id = ${pick(src)}, target = NOT target WHERE id = ${id}`);
      else if (change === 3) await db.execute(sql`UPDATE calls SET started_at = started_at - interval '3 days 7 hours' WHERE id = ${id}`);
      else if (change === 4) await db.execute(sql`UPDATE calls SET direction = 'internal' WHERE id = ${id}`);
      else await db.execute(sql`DELETE FROM calls WHERE id = ${id}`);
    }
    await db.insert(calls).values(Array.from({ length: 80 }, randomCall));
    await agreeEverywhere();
  });

  it('per day, for everything and for one group', async () => {
    await refreshReportRollups(s);
    await boundsOnCalls();
    const p = periods()[3]![1];
    for (const only of [undefined, { key: src[1]! }, { key: null }]) {
      const parts = await callStageRows(s.database.db, { period: p, dim: only ? 'source' : 'any', by: 'day', only, whole: false });
      const got: Record<string, [number, number]> = {};
      for (const r of rowsOf<{ dim: string; a: number; c: number }>(await s.database.db.execute(sql.join(parts, sql` UNION ALL `)))) {
        const d = (got[r.dim] ??= [0, 0]);
        d[0] += r.a;
        d[1] += r.c;
      }
      const cond = only === undefined ? sql`` : only.key === null ? sql` AND source_id IS NULL` : sql` AND source_id = ${only.key}`;
      const want = rowsOf<{ day: string; n: number; t: number }>(
        await s.database.db.execute(sql`SELECT to_char(started_at AT TIME ZONE ${tz()}, 'YYYY-MM-DD') AS day, count(*)::int AS n,
            (count(*) FILTER (WHERE target))::int AS t FROM calls
          WHERE started_at >= ${p.from.toISOString()}::timestamptz AND started_at < ${p.to.toISOString()}::timestamptz AND direction <> 'internal'${cond}
          GROUP BY 1`),
      );
      for (const [d, v] of Object.entries(got)) if (v[0] === 0) delete got[d];
      expect(got).toEqual(Object.fromEntries(want.map((r) => [r.day, [r.n, r.t]])));
    }
  });

  it('refreshes applied change by change equal a rebuild, also when two refresh at once', async () => {
    const db = s.database.db;
    const snapshot = async () => ({
      days: rowsOf(await db.execute(sql`SELECT dim, day::text, key, calls, target, lasts FROM report_call_days
        WHERE calls <> 0 OR target <> 0 OR lasts <> 0 ORDER BY dim, day, key NULLS FIRST`)),
      marks: rowsOf(await db.execute(sql`SELECT * FROM report_call_marks ORDER BY call_id`)),
    });
    // Another instance's refresh: its own queue of refreshes, on the same database.
    const other = { ...s } as Services;
    for (let round = 0; round < 3; round++) {
      await db.insert(calls).values(Array.from({ length: 20 }, randomCall));
      await db.execute(sql`UPDATE calls SET contact_id = ${pick(people)} WHERE id IN (SELECT id FROM calls ORDER BY random() LIMIT 10)`);
      await Promise.all([refreshReportRollups(s), refreshReportRollups(other), refreshReportRollups(s)]);
    }
    const incremental = await snapshot();
    expect(incremental.marks.length).toBe(rowsOf(await db.execute(sql`SELECT id FROM calls WHERE direction <> 'internal'`)).length);
    await db.execute(sql`UPDATE report_rollup_state SET time_zone = NULL`);
    expect((await refreshReportRollups(s)).rebuilt).toBe(true);
    expect(await snapshot()).toEqual(incremental);
  });

  it('stage rows per day agree with counting leads, meetings and deals, before and after they change', async () => {
    const db = s.database.db;
    const hunters = [await h.user('hunter'), await h.user('hunter')];
    const at = () => new Date(NOW.getTime() - Math.floor(rnd() * 40 * DAY));
    const stagePeople = Array.from({ length: 30 }, () => newId('contact'));
    await db.insert(contacts).values(
      stagePeople.map((id, i) => ({
        id, name: `L${i}`, leadAt: rnd() < 0.8 ? at() : null, firstSourceId: rnd() < 0.8 ? pick(src) : null,
        leadCampaignId: rnd() < 0.4 ? pick(camp) : null, leadBy: rnd() < 0.7 ? pick(ops).id : null, hunterId: rnd() < 0.6 ? pick(hunters).id : null,
      })),
    );
    const callIds = rowsOf<{ id: string }>(await db.execute(sql`SELECT id FROM calls ORDER BY id LIMIT 50`)).map((r) => r.id);
    const meetingIds = Array.from({ length: 40 }, () => newId('meeting'));
    await db.insert(meetings).values(
      meetingIds.map((id) => {
        const createdAt = at();
        const held = rnd() < 0.5;
        return {
          id, contactId: pick(stagePeople), bookedBy: pick(ops).id, hunterId: rnd() < 0.8 ? pick(hunters).id : null, sourceId: rnd() < 0.5 ? pick(src) : null,
          callId: rnd() < 0.5 ? pick(callIds) : null, createdAt, scheduledAt: createdAt, durationMinutes: 60,
          status: (held ? 'held' : 'assigned') as 'held' | 'assigned', heldAt: held ? new Date(createdAt.getTime() + Math.floor(rnd() * 5 * DAY)) : null,
        };
      }),
    );
    const dealIds: string[] = [];
    for (const [i, contactId] of stagePeople.slice(0, 16).entries()) {
      for (let n = 0; n < 1 + (i % 3); n++) {
        const id = newId('deal');
        dealIds.push(id);
        const when = at();
        await db.insert(deals).values({
          id, contactId, amountMinor: 1000 + Math.floor(rnd() * 100_000), currency: rnd() < 0.85 ? 'RUB' : 'USD', dealDate: when, dueAt: when,
          isFirst: n === 0, createdBy: pick(hunters).id, commissionHunterId: rnd() < 0.3 ? pick(hunters).id : null,
        });
        if (n === 0 && rnd() < 0.6) {
          await db.insert(handoffs).values({ id: newId('handoff'), contactId, dealId: id, fromHunterId: pick(hunters).id, at: when, reason: {} });
        }
      }
    }

    type Tally = Record<string, number[]>;
    const tally = (rows: Array<{ stage: string; dim: string | null; a: number; d: string | number }>) => {
      const out: Tally = {};
      for (const r of rows) {
        const k = `${r.stage}|${keyOf(r.dim)}`;
        const t = (out[k] ??= [0, 0]) as [number, number];
        t[0] += r.a;
        t[1] += Number(r.d);
      }
      for (const [k, v] of Object.entries(out)) if (v[0] === 0 && v[1] === 0) delete out[k];
      return out;
    };
    const run = async (parts: ReturnType<typeof stageRows>) =>
      tally(rowsOf<{ stage: string; dim: string | null; a: number; d: string | number }>(await db.execute(sql.join(parts, sql` UNION ALL `))));
    const agree = async () => {
      await refreshReportRollups(s);
      await boundsOnCalls();
      for (const [label, p] of periods()) {
        for (const groupBy of groupings as readonly Grouping[]) {
          for (const by of ['key', 'day'] as const) {
            const direct = stageSources(groupBy, { from: p.from, to: p.to }, p.timeZone, s.config.currency).map(
              (q) => sql`(SELECT ${q.name}::text AS stage, ${by === 'key' ? q.key : q.day} AS dim, ${q.select} FROM ${q.from} GROUP BY 2)`,
            );
            const want = await run(direct);
            expect(await run(stageRows({ period: p, groupBy, by, currency: s.config.currency })), `${label}, by ${groupBy} per ${by}`).toEqual(want);
          }
          const one = pick(src);
          const only = stageSources(groupBy, { from: p.from, to: p.to }, p.timeZone, s.config.currency).map(
            (q) => sql`(SELECT ${q.name}::text AS stage, ${q.key} AS dim, ${q.select} FROM ${q.from} AND ${q.key} IS NOT DISTINCT FROM ${groupBy === 'source' ? one : null} GROUP BY 2)`,
          );
          expect(await run(stageRows({ period: p, groupBy, by: 'key', only: { key: groupBy === 'source' ? one : null }, currency: s.config.currency })), `${label}, one ${groupBy}`).toEqual(
            await run(only),
          );
        }
      }
    };
    await agree();
    for (let i = 0; i < 40; i++) {
      const change = Math.floor(rnd() * 8);
      if (change === 0) await db.execute(sql`UPDATE contacts SET first_source_id = ${pick(src)} WHERE id = ${pick(stagePeople)}`);
      else if (change === 1) await db.execute(sql`UPDATE contacts SET lead_at = lead_at - interval '2 days 5 hours', hunter_id = ${pick(hunters).id} WHERE id = ${pick(stagePeople)}`);
      else if (change === 2) await db.execute(sql`UPDATE meetings SET held_at = created_at + interval '1 day 3 hours' WHERE id = ${pick(meetingIds)}`);
      else if (change === 3) await db.execute(sql`UPDATE meetings SET contact_id = ${pick(stagePeople)}, booked_by = ${pick(ops).id} WHERE id = ${pick(meetingIds)}`);
      else if (change === 4) await db.execute(sql`UPDATE deals SET deal_date = deal_date + interval '3 days', amount_minor = amount_minor + 7 WHERE id = ${pick(dealIds)}`);
      else if (change === 5) await db.execute(sql`UPDATE handoffs SET from_hunter_id = ${pick(hunters).id} WHERE contact_id = ${pick(stagePeople)}`);
      else if (change === 6) await db.execute(sql`UPDATE calls SET campaign_id = ${pick(camp)} WHERE id IN (SELECT call_id FROM meetings WHERE id = ${pick(meetingIds)})`);
      else await db.execute(sql`DELETE FROM meetings WHERE id = ${pick(meetingIds)}`);
    }
    await agree();
  });

  it('the operators report from the state and call rows agrees with reading the state log and the calls', async () => {
    const db = s.database.db;
    const statuses = ['available', 'paused', 'on_call', 'wrap_up', 'ringing', 'offline'] as const;
    const logRow = (userId: string, at: Date) => {
      const status = pick(statuses);
      return { id: newId('statusChange'), userId, status, reason: status === 'paused' ? pick(['Обед', 'Перерыв', null]) : null, at };
    };
    const wholeSecond = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
    await db.insert(userStatusLog).values(
      ops.flatMap((o) => Array.from({ length: 70 }, () => logRow(o.id, wholeSecond(NOW.getTime() - rnd() * 45 * DAY)))),
    );
    const admin = { id: 'usr_admin', role: 'admin' } as AuthUser;
    type Seconds = Record<string, number>;
    /** The plain definition: each state lasts until the next one, the one held at the start counts from it. */
    const expectedOf = async (p: Period) => {
      const end = new Date(Math.min(p.to.getTime(), NOW.getTime())).toISOString();
      const from = p.from.toISOString();
      const rows = rowsOf<{ user_id: string; status: string; reason: string | null; seconds: number }>(
        await db.execute(sql`SELECT user_id, status, reason, round(sum(seconds))::int AS seconds FROM (
            SELECT l.user_id, l.status, l.reason, extract(epoch FROM least(coalesce(lead(l.at) OVER (PARTITION BY l.user_id ORDER BY l.at, l.id), ${end}::timestamptz), ${end}::timestamptz)
              - greatest(l.at, ${from}::timestamptz)) AS seconds
            FROM user_status_log l) x
          WHERE seconds > 0 GROUP BY 1, 2, 3`),
      );
      const out: Record<string, Seconds> = {};
      for (const r of rows) {
        if (!ops.some((o) => o.id === r.user_id)) continue;
        const u = (out[r.user_id] ??= {});
        if (r.status === 'paused') u[`paused:${r.reason ?? ''}`] = (u[`paused:${r.reason ?? ''}`] ?? 0) + r.seconds;
        if (r.status !== 'offline') u[r.status] = (u[r.status] ?? 0) + r.seconds;
      }
      const k = rowsOf<{ id: string; handled: number; made: number; talk: number }>(
        await db.execute(sql`SELECT operator_id AS id, (count(*) FILTER (WHERE direction = 'inbound' AND answered_at IS NOT NULL))::int AS handled,
            (count(*) FILTER (WHERE direction = 'outbound'))::int AS made,
            coalesce(sum(talk_seconds) FILTER (WHERE answered_at IS NOT NULL), 0)::int AS talk
          FROM calls WHERE started_at >= ${from}::timestamptz AND started_at < ${p.to.toISOString()}::timestamptz AND direction <> 'internal'
            AND operator_id IS NOT NULL GROUP BY 1`),
      );
      // As `reported` reads it: call figures only when one of them is not zero (a lone unanswered call counts nothing).
      for (const r of k) {
        if (!(r.handled || r.made || r.talk) || !(out[r.id] || ops.some((o) => o.id === r.id))) continue;
        Object.assign((out[r.id] ??= {}), { handled: r.handled, made: r.made, talk: r.talk });
      }
      return out;
    };
    const reported = async (p: Period) => {
      const r = await operatorsReport(s, admin, { from: p.from.toISOString(), to: p.to.toISOString() });
      const out: Record<string, Seconds> = {};
      for (const row of r.rows) {
        if (!ops.some((o) => o.id === row.userId)) continue;
        const u: Seconds = {};
        for (const [st, sec] of Object.entries(row.statusSeconds)) if (sec) u[st] = sec;
        for (const pz of row.pauseSeconds) if (pz.seconds) u[`paused:${pz.reason}`] = pz.seconds;
        if (row.callsHandled || row.callsMade || row.talkSeconds) Object.assign(u, { handled: row.callsHandled, made: row.callsMade, talk: row.talkSeconds });
        if (Object.keys(u).length) out[row.userId] = u;
      }
      return out;
    };
    const agree = async () => {
      await boundsOnCalls();
      for (const [label, p] of periods()) expect(await reported(p), label).toEqual(await expectedOf(p));
    };
    // Calls with talk time, for the calls part.
    await db.execute(sql`UPDATE calls SET answered_at = started_at + interval '5 seconds', talk_seconds = (abs(hashtext(id)) % 300)
      WHERE id IN (SELECT id FROM calls ORDER BY id LIMIT 150)`);
    await agree();
    const logIds = rowsOf<{ id: string }>(await db.execute(sql`SELECT id FROM user_status_log ORDER BY id`)).map((r) => r.id);
    for (let i = 0; i < 25; i++) {
      const change = Math.floor(rnd() * 3);
      if (change === 0) await db.insert(userStatusLog).values(logRow(pick(ops).id, wholeSecond(NOW.getTime() - rnd() * 45 * DAY)));
      else if (change === 1) await db.execute(sql`DELETE FROM user_status_log WHERE id = ${pick(logIds)}`);
      else await db.execute(sql`UPDATE user_status_log SET at = at - interval '1 day 3 hours' WHERE id = ${pick(logIds)}`);
    }
    await db.execute(sql`UPDATE calls SET talk_seconds = talk_seconds + 11 WHERE id IN (SELECT id FROM calls WHERE answered_at IS NOT NULL ORDER BY id LIMIT 20)`);
    await agree();
  });

  it('is rebuilt in the new time zone when the company moves', async () => {
    const moved = { ...s, config: { ...s.config, companyTimeZone: 'Asia/Vladivostok' } } as Services;
    expect((await refreshReportRollups(moved)).rebuilt).toBe(true);
    const [state] = rowsOf<{ time_zone: string }>(await s.database.db.execute(sql`SELECT time_zone FROM report_rollup_state`));
    expect(state!.time_zone).toBe('Asia/Vladivostok');
    const [mismatch] = rowsOf<{ n: number }>(
      await s.database.db.execute(sql`SELECT count(*)::int AS n FROM report_call_marks WHERE day <> (started_at AT TIME ZONE 'Asia/Vladivostok')::date`),
    );
    expect(mismatch!.n).toBe(0);
    // And back: the company's own zone again for the other tests of this file.
    expect((await refreshReportRollups(s)).rebuilt).toBe(true);
  });
});
