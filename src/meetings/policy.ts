/**
 * The routing policy as plain functions: who may receive an offer for a meeting and in what order.
 * No I/O here; `routing.ts` loads the facts and stores the decision.
 */
import type { Weekday, WorkingHours } from '../db/schema.js';

export interface CandidateFacts {
  id: string;
  name: string;
  weight: number;
  dailyCap: number | null;
  weeklyCap: number | null;
  /** Meetings assigned in the fairness period, plus credit given on return from an absence. */
  periodCount: number;
  credit: number;
  dayCount: number;
  weekCount: number;
  /** Offers waiting for an answer: they count as assignments so that a burst of bookings spreads out. */
  openOffers: number;
  lastAssignedAt: Date | null;
  absent: boolean;
  /** Set themselves on pause in the panel. */
  paused: boolean;
  inWorkingHours: boolean;
  connected: boolean;
  /** Declined this meeting before, or let its offer expire. */
  triedBefore: 'declined' | 'expired' | null;
}

export type Ineligibility = 'absent' | 'paused' | 'outside_working_hours' | 'daily_cap_reached' | 'weekly_cap_reached' | 'not_connected' | 'declined_before' | 'expired_before';

export interface CandidateVerdict {
  id: string;
  name: string;
  eligible: boolean;
  reasons: Ineligibility[];
  weight: number;
  assigned: number;
  openOffers: number;
  credit: number;
  /** (assigned in period + open offers + credit) / weight: lower goes first. */
  load: number;
  lastAssignedAt: string | null;
}

export function judge(c: CandidateFacts): CandidateVerdict {
  const reasons: Ineligibility[] = [];
  if (c.absent) reasons.push('absent');
  if (c.paused) reasons.push('paused');
  if (!c.inWorkingHours) reasons.push('outside_working_hours');
  if (c.dailyCap !== null && c.dayCount + c.openOffers >= c.dailyCap) reasons.push('daily_cap_reached');
  if (c.weeklyCap !== null && c.weekCount + c.openOffers >= c.weeklyCap) reasons.push('weekly_cap_reached');
  if (!c.connected) reasons.push('not_connected');
  if (c.triedBefore === 'declined') reasons.push('declined_before');
  if (c.triedBefore === 'expired') reasons.push('expired_before');
  return {
    id: c.id,
    name: c.name,
    eligible: reasons.length === 0,
    reasons,
    weight: c.weight,
    assigned: c.periodCount,
    openOffers: c.openOffers,
    credit: c.credit,
    load: (c.periodCount + c.openOffers + c.credit) / c.weight,
    lastAssignedAt: c.lastAssignedAt?.toISOString() ?? null,
  };
}

/** Lowest load first; ties go to whoever has waited longest since their last assignment (never first). */
export function byFairness(a: CandidateVerdict, b: CandidateVerdict): number {
  if (Math.abs(a.load - b.load) > 1e-9) return a.load - b.load;
  const at = a.lastAssignedAt ?? '';
  const bt = b.lastAssignedAt ?? '';
  if (at !== bt) return at < bt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface Choice {
  chosen: CandidateVerdict | null;
  how: 'sticky' | 'pool' | null;
  /** Every hunter considered, in the order the pool would take them. */
  candidates: CandidateVerdict[];
  owner: { id: string; eligible: boolean; reasons: Ineligibility[] } | null;
}

/** The owner of the prospect first when they can take it now; otherwise the fairest eligible hunter. */
export function choose(facts: CandidateFacts[], ownerId: string | null): Choice {
  const candidates = facts.map(judge).sort(byFairness);
  const ownerVerdict = ownerId ? candidates.find((c) => c.id === ownerId) : undefined;
  const owner = ownerId ? { id: ownerId, eligible: !!ownerVerdict?.eligible, reasons: ownerVerdict?.reasons ?? [] } : null;
  if (ownerVerdict?.eligible) return { chosen: ownerVerdict, how: 'sticky', candidates, owner };
  const chosen = candidates.find((c) => c.eligible) ?? null;
  return { chosen, how: chosen ? 'pool' : null, candidates, owner };
}

/**
 * Meetings to count for a hunter back from an absence, so that they rejoin at the team's level instead
 * of receiving every new meeting until they catch up.
 */
export function returnCredit(returning: { periodCount: number; weight: number }, teamLoads: number[]): number {
  if (!teamLoads.length) return 0;
  const teamLevel = Math.min(...teamLoads);
  return Math.max(0, teamLevel * returning.weight - returning.periodCount);
}

// ---------------------------------------------------------------------------------------------- time

const weekdayOf: Record<string, Weekday> = { Mon: 'mon', Tue: 'tue', Wed: 'wed', Thu: 'thu', Fri: 'fri', Sat: 'sat', Sun: 'sun' };
const partsFormat = new Map<string, Intl.DateTimeFormat>();

/** Local calendar parts of an instant in a time zone. */
export function localParts(at: Date, timeZone: string) {
  let f = partsFormat.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormat.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: weekdayOf[p.weekday!]!,
  };
}

/** Inside one of the local intervals of that weekday; no working hours set means always. */
export function withinWorkingHours(hours: WorkingHours | null, timeZone: string, at: Date): boolean {
  if (!hours) return true;
  const p = localParts(at, timeZone);
  const hhmm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
  return (hours[p.weekday] ?? []).some(([from, to]) => hhmm >= from && hhmm < to);
}

/** The instant of local midnight starting the given local date in a time zone. */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  let t = guess;
  // Two passes settle the zone's offset (and a DST change near midnight).
  for (let i = 0; i < 2; i++) {
    const p = localParts(new Date(t), timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    t = guess - (asUtc - t);
  }
  return new Date(t);
}

export interface Periods {
  dayStart: Date;
  weekStart: Date;
  periodStart: Date;
  /** e.g. "2026-11" or "2026-11-23" (the week's Monday): the credit's period. */
  periodKey: string;
}

/** Day, week (from Monday) and fairness period boundaries in the company's time zone. */
export function periodsAt(at: Date, timeZone: string, period: 'month' | 'week'): Periods {
  const p = localParts(at, timeZone);
  const dayStart = zonedMidnight(p.year, p.month, p.day, timeZone);
  const back = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].indexOf(p.weekday);
  const monday = new Date(Date.UTC(p.year, p.month - 1, p.day - back));
  const weekStart = zonedMidnight(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), timeZone);
  const monthStart = zonedMidnight(p.year, p.month, 1, timeZone);
  const periodKey =
    period === 'month' ? `${p.year}-${String(p.month).padStart(2, '0')}` : monday.toISOString().slice(0, 10);
  return { dayStart, weekStart, periodStart: period === 'month' ? monthStart : weekStart, periodKey };
}
