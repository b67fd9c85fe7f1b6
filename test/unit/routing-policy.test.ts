import { describe, expect, it } from 'vitest';
import { byFairness, choose, judge, periodsAt, returnCredit, withinWorkingHours, type CandidateFacts } from '../../src/meetings/policy.js';

const hunter = (id: string, over: Partial<CandidateFacts> = {}): CandidateFacts => ({
  id,
  name: id,
  weight: 1,
  dailyCap: null,
  weeklyCap: null,
  periodCount: 0,
  credit: 0,
  dayCount: 0,
  weekCount: 0,
  openOffers: 0,
  lastAssignedAt: null,
  absent: false,
  paused: false,
  inWorkingHours: true,
  connected: true,
  triedBefore: null,
  ...over,
});

describe('eligibility', () => {
  it('names every reason a hunter cannot take an offer now', () => {
    const v = judge(hunter('a', { absent: true, paused: true, inWorkingHours: false, dailyCap: 2, dayCount: 1, openOffers: 1, weeklyCap: 5, weekCount: 5, connected: false, triedBefore: 'declined' }));
    expect(v.eligible).toBe(false);
    expect(v.reasons).toEqual(['absent', 'paused', 'outside_working_hours', 'daily_cap_reached', 'weekly_cap_reached', 'not_connected', 'declined_before']);
    expect(judge(hunter('b', { triedBefore: 'expired' })).reasons).toEqual(['expired_before']);
    expect(judge(hunter('c', { dailyCap: 3, dayCount: 2 })).eligible).toBe(true);
  });

  it('open offers count towards the load, so a burst of bookings spreads out', () => {
    expect(judge(hunter('a', { periodCount: 2, openOffers: 1 })).load).toBe(3);
    expect(judge(hunter('a', { periodCount: 3, weight: 2, credit: 1 })).load).toBe(2);
  });
});

describe('choice', () => {
  it('offers to the owner of the prospect first when they can take it', () => {
    const c = choose([hunter('a'), hunter('owner', { periodCount: 10 })], 'owner');
    expect(c).toMatchObject({ how: 'sticky', chosen: { id: 'owner' }, owner: { id: 'owner', eligible: true } });
  });

  it('goes to the pool when the owner is absent or already declined, and says why', () => {
    const absent = choose([hunter('a', { periodCount: 1 }), hunter('b', { periodCount: 2 }), hunter('owner', { absent: true })], 'owner');
    expect(absent).toMatchObject({ how: 'pool', chosen: { id: 'a' }, owner: { eligible: false, reasons: ['absent'] } });
    const declined = choose([hunter('a'), hunter('owner', { triedBefore: 'declined' })], 'owner');
    expect(declined.chosen?.id).toBe('a');
  });

  it('lowest assigned/weight first; ties to the one idle longest; nobody eligible → no choice', () => {
    const c = choose([hunter('a', { periodCount: 4, weight: 2 }), hunter('b', { periodCount: 3 }), hunter('c', { periodCount: 1, connected: false })], null);
    expect(c.chosen?.id).toBe('a');
    expect(c.candidates.map((x) => x.id)).toEqual(['c', 'a', 'b']);
    const tie = choose([hunter('x', { lastAssignedAt: new Date('2026-11-02T10:00:00Z') }), hunter('y', { lastAssignedAt: new Date('2026-11-01T10:00:00Z') })], null);
    expect(tie.chosen?.id).toBe('y');
    const never = [judge(hunter('m', { lastAssignedAt: new Date() })), judge(hunter('n'))].sort(byFairness);
    expect(never[0]!.id).toBe('n');
    expect(choose([hunter('a', { absent: true })], null)).toMatchObject({ chosen: null, how: null });
  });

  it('with equal weights and everyone eligible, counts never differ by more than one', () => {
    const team = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((id) => hunter(id));
    for (let i = 0; i < 1000; i++) {
      const c = choose(team, null).chosen!;
      const h = team.find((x) => x.id === c.id)!;
      h.periodCount++;
      h.lastAssignedAt = new Date(1_800_000_000_000 + i);
      const counts = team.map((x) => x.periodCount);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    }
  });

  it('weights share the meetings in proportion', () => {
    const team = [hunter('a', { weight: 1 }), hunter('b', { weight: 2 }), hunter('c', { weight: 3 })];
    for (let i = 0; i < 600; i++) {
      const h = team.find((x) => x.id === choose(team, null).chosen!.id)!;
      h.periodCount++;
    }
    expect(team.map((x) => x.periodCount)).toEqual([100, 200, 300]);
  });
});

describe('return from absence', () => {
  it('rejoins at the team level: credit lifts the returning hunter to the lowest team load', () => {
    expect(returnCredit({ periodCount: 2, weight: 1 }, [10, 12])).toBe(8);
    expect(returnCredit({ periodCount: 2, weight: 2 }, [5, 7])).toBe(8);
    expect(returnCredit({ periodCount: 20, weight: 1 }, [10])).toBe(0);
    expect(returnCredit({ periodCount: 0, weight: 1 }, [])).toBe(0);
  });
});

describe('time', () => {
  const hours = { mon: [['09:00', '18:00']] as Array<[string, string]>, tue: [['09:00', '13:00'], ['14:00', '18:00']] as Array<[string, string]> };
  it('working hours are read in the hunter\'s own time zone', () => {
    // Monday 2026-11-23 06:30 UTC is 09:30 in Moscow and 07:30 in Kyiv.
    const at = new Date('2026-11-23T06:30:00Z');
    expect(withinWorkingHours(hours, 'Europe/Moscow', at)).toBe(true);
    expect(withinWorkingHours(hours, 'Europe/Kyiv', at)).toBe(false);
    // Tuesday lunch break in Moscow.
    expect(withinWorkingHours(hours, 'Europe/Moscow', new Date('2026-11-24T10:30:00Z'))).toBe(false);
    expect(withinWorkingHours(hours, 'Europe/Moscow', new Date('2026-11-25T10:30:00Z'))).toBe(false);
    expect(withinWorkingHours(null, 'Europe/Moscow', at)).toBe(true);
  });

  it('day, week and month start at local midnight of the company\'s zone', () => {
    // 2026-12-01 00:30 in Moscow is still 30 November in UTC.
    const p = periodsAt(new Date('2026-11-30T21:30:00Z'), 'Europe/Moscow', 'month');
    expect(p.dayStart.toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(p.periodStart.toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(p.weekStart.toISOString()).toBe('2026-11-29T21:00:00.000Z');
    expect(p.periodKey).toBe('2026-12');
    const w = periodsAt(new Date('2026-11-26T12:00:00Z'), 'Europe/Kyiv', 'week');
    expect(w.periodStart.toISOString()).toBe('2026-11-22T22:00:00.000Z');
    expect(w.periodKey).toBe('2026-11-23');
    // Across a DST change (Berlin, 29 March 2026): the month still starts at local midnight.
    expect(periodsAt(new Date('2026-03-30T12:00:00Z'), 'Europe/Berlin', 'month').periodStart.toISOString()).toBe('2026-02-28T23:00:00.000Z');
  });
});
