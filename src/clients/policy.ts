import { localParts } from '../meetings/policy.js';

/**
 * Client scoring rules from the company's client assessment (categories, payment risk, importance) and
 * the choice of an account manager, as plain functions.
 */

export type Category = 'A' | 'B' | 'C';
export type Importance = 'key' | 'middle' | 'small';

/** Turnover category for a period: A above the A threshold, B from the B threshold up to A's, C below. */
export function turnoverCategory(turnoverMinor: number, t: { aAboveMinor: number; bFromMinor: number }): Category {
  if (turnoverMinor > t.aAboveMinor) return 'A';
  if (turnoverMinor >= t.bFromMinor) return 'B';
  return 'C';
}

/**
 * Payment risk group 0–3: up to 2 violations and/or up to 3 days overdue → 1; up to 5 and/or up to 7 → 2;
 * more than 5 violations or more than 7 days → 3; none → 0. The worse of the two measures decides.
 */
export function riskGroup(violations: number, maxOverdueDays: number): 0 | 1 | 2 | 3 {
  const byViolations = violations <= 0 ? 0 : violations <= 2 ? 1 : violations <= 5 ? 2 : 3;
  const byDays = maxOverdueDays <= 0 ? 0 : maxOverdueDays <= 3 ? 1 : maxOverdueDays <= 7 ? 2 : 3;
  return Math.max(byViolations, byDays) as 0 | 1 | 2 | 3;
}

/**
 * Importance by share of sales (Pareto): clients that make the first 20% of sales are key, the next
 * ones up to 70% middle, the rest small. A client is placed by the share sold before it.
 */
export function importanceByShare(turnovers: Map<string, number>): Map<string, Importance> {
  const total = [...turnovers.values()].reduce((a, b) => a + b, 0);
  const out = new Map<string, Importance>();
  let before = 0;
  for (const [id, t] of [...turnovers].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const share = total > 0 ? before / total : 1;
    out.set(id, t > 0 && share < 0.2 ? 'key' : t > 0 && share < 0.7 ? 'middle' : 'small');
    before += t;
  }
  return out;
}

export interface DebtFacts {
  amountMinor: number;
  dueAt: Date;
  /** Payments in the order they came. */
  payments: Array<{ amountMinor: number; paidAt: Date }>;
}

const DAY = 86_400_000;

/** A deal is a violation when it was (or still is) paid in full after its due date; whole days overdue as of `now`. */
export function debtState(d: DebtFacts, now: Date): { paidMinor: number; paidInFullAt: Date | null; overdueDays: number; violation: boolean } {
  let paid = 0;
  let paidInFullAt: Date | null = null;
  for (const p of [...d.payments].sort((a, b) => a.paidAt.getTime() - b.paidAt.getTime())) {
    paid += p.amountMinor;
    if (!paidInFullAt && paid >= d.amountMinor) paidInFullAt = p.paidAt;
  }
  const late = (paidInFullAt ?? now).getTime() - d.dueAt.getTime();
  // Whole days late; any lateness at all is a violation.
  return { paidMinor: paid, paidInFullAt, overdueDays: Math.max(0, Math.floor(late / DAY)), violation: late > 0 };
}

/** Working days (Monday–Friday) after `from`'s local date up to `to`'s, in the company's time zone. */
export function workingDaysBetween(from: Date, to: Date, timeZone = 'UTC'): number {
  let n = 0;
  const a = localParts(from, timeZone);
  const b = localParts(to, timeZone);
  const d = new Date(Date.UTC(a.year, a.month - 1, a.day));
  const end = Date.UTC(b.year, b.month - 1, b.day);
  while (d.getTime() < end) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) n++;
  }
  return n;
}

export interface ManagerFacts {
  id: string;
  name: string;
  activeClients: number;
  absent: boolean;
  lastHandoffAt: Date | null;
}

/** The present account manager with the fewest clients against the target; ties to the longest since a handoff. */
export function chooseManager(managers: ManagerFacts[], targetClients: number) {
  const candidates = managers
    .map((m) => ({ ...m, load: m.activeClients / targetClients, eligible: !m.absent }))
    .sort((a, b) => {
      if (a.eligible !== b.eligible) return a.eligible ? -1 : 1;
      if (Math.abs(a.load - b.load) > 1e-9) return a.load - b.load;
      const at = a.lastHandoffAt?.getTime() ?? -Infinity;
      const bt = b.lastHandoffAt?.getTime() ?? -Infinity;
      return at - bt || (a.id < b.id ? -1 : 1);
    });
  const chosen = candidates.find((c) => c.eligible) ?? null;
  return {
    chosen,
    candidates: candidates.map((c) => ({
      id: c.id,
      name: c.name,
      eligible: c.eligible,
      reason: c.absent ? 'absent' : null,
      activeClients: c.activeClients,
      load: Math.round(c.load * 1000) / 1000,
      lastHandoffAt: c.lastHandoffAt?.toISOString() ?? null,
    })),
  };
}
