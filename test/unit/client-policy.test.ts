import { describe, expect, it } from 'vitest';
import { chooseManager, debtState, importanceByShare, riskGroup, turnoverCategory, workingDaysBetween } from '../../src/clients/policy.js';

const t = { aAboveMinor: 50_000, bFromMinor: 10_000 };

describe('turnover category (A > 500, B 100–500, C < 100)', () => {
  it('puts the boundaries where the assessment says', () => {
    expect(turnoverCategory(50_001, t)).toBe('A');
    expect(turnoverCategory(50_000, t)).toBe('B');
    expect(turnoverCategory(10_000, t)).toBe('B');
    expect(turnoverCategory(9_999, t)).toBe('C');
    expect(turnoverCategory(0, t)).toBe('C');
  });
});

describe('payment risk group', () => {
  it('violations: 0 → 0, up to 2 → 1, up to 5 → 2, more → 3', () => {
    expect([0, 1, 2, 3, 5, 6].map((v) => riskGroup(v, 0))).toEqual([0, 1, 1, 2, 2, 3]);
  });
  it('days overdue: up to 3 → 1, up to 7 → 2, more → 3; the worse measure decides', () => {
    expect([0, 1, 3, 4, 7, 8].map((d) => riskGroup(0, d))).toEqual([0, 1, 1, 2, 2, 3]);
    expect(riskGroup(2, 4)).toBe(2);
    expect(riskGroup(6, 1)).toBe(3);
  });
  it('debt state: paid late is a violation with its days; unpaid counts days until now', () => {
    const due = new Date('2026-11-10T00:00:00Z');
    const now = new Date('2026-11-20T00:00:00Z');
    expect(debtState({ amountMinor: 100, dueAt: due, payments: [{ amountMinor: 100, paidAt: new Date('2026-11-09T00:00:00Z') }] }, now)).toMatchObject({ violation: false, overdueDays: 0 });
    expect(debtState({ amountMinor: 100, dueAt: due, payments: [{ amountMinor: 60, paidAt: new Date('2026-11-09T00:00:00Z') }, { amountMinor: 40, paidAt: new Date('2026-11-13T00:00:00Z') }] }, now)).toMatchObject({ violation: true, overdueDays: 3, paidMinor: 100 });
    expect(debtState({ amountMinor: 100, dueAt: due, payments: [] }, now)).toMatchObject({ violation: true, overdueDays: 10, paidInFullAt: null });
  });
});

describe('importance by share of sales', () => {
  it('first 20% of sales key, up to 70% middle, the rest small', () => {
    const m = importanceByShare(new Map([['a', 500], ['b', 200], ['c', 150], ['d', 100], ['e', 50], ['z', 0]]));
    // shares before each: a 0, b .5, c .7, d .85, e .95
    expect(Object.fromEntries(m)).toEqual({ a: 'key', b: 'middle', c: 'small', d: 'small', e: 'small', z: 'small' });
    const even = importanceByShare(new Map(Array.from({ length: 10 }, (_, i) => [`c${i}`, 10])));
    expect([...even.values()].filter((v) => v === 'key')).toHaveLength(2);
    expect([...even.values()].filter((v) => v === 'middle')).toHaveLength(5);
  });
});

describe('account manager choice', () => {
  it('present, fewest clients against the target, ties to the longest since a handoff', () => {
    const pick = chooseManager(
      [
        { id: 'a', name: 'A', activeClients: 10, absent: false, lastHandoffAt: new Date('2026-11-02') },
        { id: 'b', name: 'B', activeClients: 10, absent: false, lastHandoffAt: new Date('2026-11-01') },
        { id: 'c', name: 'C', activeClients: 2, absent: true, lastHandoffAt: null },
      ],
      40,
    );
    expect(pick.chosen?.id).toBe('b');
    expect(pick.candidates.find((c) => c.id === 'c')).toMatchObject({ eligible: false, reason: 'absent' });
    expect(chooseManager([{ id: 'c', name: 'C', activeClients: 0, absent: true, lastHandoffAt: null }], 40).chosen).toBeNull();
  });
});

describe('working days', () => {
  it('skips weekends', () => {
    // Thu 2026-11-26 → Tue 2026-12-01: Fri, Mon, Tue.
    expect(workingDaysBetween(new Date('2026-11-26T10:00:00Z'), new Date('2026-12-01T10:00:00Z'))).toBe(3);
    expect(workingDaysBetween(new Date('2026-11-26T10:00:00Z'), new Date('2026-11-26T18:00:00Z'))).toBe(0);
  });
});
