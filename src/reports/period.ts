import { z } from '@hono/zod-openapi';
import { AppError, fieldError } from '../shared/errors.js';
import { localParts, zonedMidnight } from '../meetings/policy.js';

const DAY = 86_400_000;
export const MAX_PERIOD_DAYS = 400;

const dateOrInstant = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}$/.test(v) || z.iso.datetime({ offset: true }).safeParse(v).success, {
    message: 'must be a date (YYYY-MM-DD, a day in the company time zone) or an ISO datetime with offset',
  });

export const PeriodQuery = z.object({
  from: dateOrInstant.optional().openapi({ description: "A day (in the company's time zone) or an instant. Default: the start of this month", example: '2026-11-01' }),
  to: dateOrInstant.optional().openapi({ description: 'A day (inclusive) or an instant (exclusive). Default: now', example: '2026-11-30' }),
});

export interface Period {
  from: Date;
  to: Date;
  timeZone: string;
}

function localDate(v: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  return zonedMidnight(y, mo, d, timeZone);
}

function bound(name: 'from' | 'to', v: string, timeZone: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const start = localDate(v, timeZone);
    if (!start) throw fieldError(`query.${name}`, `${v} is not a calendar date`);
    if (name === 'from') return start;
    // A day given as the end is included whole: the period ends where the next day starts.
    return nextDay(start, timeZone);
  }
  return new Date(v);
}

/** The period asked for, resolved in the company's time zone; the current month until now by default. */
export function resolvePeriod(q: { from?: string; to?: string }, now: Date, timeZone: string): Period {
  const p = localParts(now, timeZone);
  const from = q.from ? bound('from', q.from, timeZone) : zonedMidnight(p.year, p.month, 1, timeZone);
  const to = q.to ? bound('to', q.to, timeZone) : now;
  if (to <= from) throw fieldError('query.to', 'must be after from');
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY + 2 * 3_600_000) {
    throw new AppError('validation_failed', `A report covers at most ${MAX_PERIOD_DAYS} days`, {
      errors: [{ path: 'query.to', message: `at most ${MAX_PERIOD_DAYS} days after from` }],
    });
  }
  return { from, to, timeZone };
}

/** The local calendar day (YYYY-MM-DD) of an instant. */
export function localDay(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** Local calendar days (YYYY-MM-DD) a period touches, in order. */
export function daysOf(period: Period): string[] {
  const days: string[] = [];
  for (let start = floorDay(period.from, period.timeZone); start < period.to; start = nextDay(start, period.timeZone)) {
    days.push(localDay(start, period.timeZone));
  }
  return days;
}

/** Days of each calendar month (local) the period overlaps, as a fraction of that month: prorates monthly costs. */
export function monthShares(period: Period): number {
  let share = 0;
  let p = localParts(period.from, period.timeZone);
  let cursor = zonedMidnight(p.year, p.month, 1, period.timeZone);
  while (cursor < period.to) {
    const nextMonth = p.month === 12 ? zonedMidnight(p.year + 1, 1, 1, period.timeZone) : zonedMidnight(p.year, p.month + 1, 1, period.timeZone);
    const start = Math.max(cursor.getTime(), period.from.getTime());
    const end = Math.min(nextMonth.getTime(), period.to.getTime());
    if (end > start) share += (end - start) / (nextMonth.getTime() - cursor.getTime());
    cursor = nextMonth;
    p = localParts(cursor, period.timeZone);
  }
  return share;
}

export const periodDto = (p: Period) => ({ from: p.from.toISOString(), to: p.to.toISOString(), timeZone: p.timeZone });

/** Local midnight at or before `at`. */
function floorDay(at: Date, timeZone: string): Date {
  const p = localParts(at, timeZone);
  return zonedMidnight(p.year, p.month, p.day, timeZone);
}
/** The local midnight after `midnight` (27 h on lands in the next day whatever the DST change). */
function nextDay(midnight: Date, timeZone: string): Date {
  const p = localParts(new Date(midnight.getTime() + 27 * 3_600_000), timeZone);
  return zonedMidnight(p.year, p.month, p.day, timeZone);
}

/** The whole local days inside a period, as [start, end) instants, or null when it holds none. */
export function wholeDays(p: Period): { start: Date; end: Date } | null {
  const f = floorDay(p.from, p.timeZone);
  const start = f.getTime() === p.from.getTime() ? f : nextDay(f, p.timeZone);
  const end = floorDay(p.to, p.timeZone);
  return start < end ? { start, end } : null;
}

/** The instants [from, to) of a local calendar day (YYYY-MM-DD). */
export function dayBounds(day: string, timeZone: string): { from: Date; to: Date } {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const from = zonedMidnight(y, m, d, timeZone);
  return { from, to: nextDay(from, timeZone) };
}
