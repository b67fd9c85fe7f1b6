import { describe, expect, it } from 'vitest';
import { daysOf, monthShares, resolvePeriod } from '../../src/reports/period.js';

const now = new Date('2026-11-20T12:00:00Z');

describe('report periods in the company time zone', () => {
  it('defaults to this month until now', () => {
    const p = resolvePeriod({}, now, 'Europe/Moscow');
    expect(p.from.toISOString()).toBe('2026-10-31T21:00:00.000Z');
    expect(p.to).toEqual(now);
  });

  it('takes a day given as the end whole, across a daylight-saving change', () => {
    // New York leaves daylight saving time on 1 November 2026: that day lasts 25 hours.
    const p = resolvePeriod({ from: '2026-11-01', to: '2026-11-01' }, now, 'America/New_York');
    expect(p.from.toISOString()).toBe('2026-11-01T04:00:00.000Z');
    expect(p.to.toISOString()).toBe('2026-11-02T05:00:00.000Z');
    expect(daysOf(p)).toEqual(['2026-11-01']);
    const spring = resolvePeriod({ from: '2026-03-07', to: '2026-03-09' }, now, 'America/New_York');
    expect(daysOf(spring)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect((spring.to.getTime() - spring.from.getTime()) / 3_600_000).toBe(71);
  });

  it('prorates months by the share of each month the period covers', () => {
    expect(monthShares(resolvePeriod({ from: '2026-11-01', to: '2026-11-30' }, now, 'Europe/Moscow'))).toBeCloseTo(1, 10);
    expect(monthShares(resolvePeriod({ from: '2026-11-16', to: '2026-12-31' }, now, 'Europe/Moscow'))).toBeCloseTo(1.5, 10);
    expect(monthShares(resolvePeriod({ from: '2026-02-01', to: '2026-02-14' }, now, 'UTC'))).toBeCloseTo(0.5, 10);
  });

  it('refuses impossible dates, reversed and over-long periods', () => {
    expect(() => resolvePeriod({ from: '2026-02-29' }, now, 'UTC')).toThrow(/not a calendar date/);
    expect(() => resolvePeriod({ from: '2026-11-10', to: '2026-11-09' }, now, 'UTC')).toThrow(/after from/);
    expect(() => resolvePeriod({ from: '2025-01-01', to: '2026-06-01' }, now, 'UTC')).toThrow(/at most 400 days/);
  });
});
