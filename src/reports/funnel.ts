import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/client.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError } from '../shared/errors.js';
import { reportRows } from './query.js';
import { refreshReportRollups } from './rollups.js';
import { callStageRows, type CallDim } from './call-stage.js';
import { stageRows } from './stages.js';
import { daysOf, monthShares, periodDto, resolvePeriod, type Period } from './period.js';

export const groupings = ['source', 'campaign', 'operator', 'hunter'] as const;
export type Grouping = (typeof groupings)[number];
export const stages = ['calls', 'uniqueCallers', 'targetCalls', 'newLeads', 'meetingsBooked', 'meetingsHeld', 'firstSales'] as const;

/** Everyone may read every group, except people who see only their own figures. */
export const reportReaders = ['admin', 'sales_head', 'cc_admin', 'client_head'] as const;
const ownGrouping: Partial<Record<AuthUser['role'], Grouping>> = { operator: 'operator', hunter: 'hunter' };
export const funnelRoles = [...reportReaders, 'operator', 'hunter'] as const;
/** The grouping's key on calls: a hunter's calls are those they took. */
const callDim = { source: 'source', campaign: 'campaign', operator: 'operator', hunter: 'operator' } as const satisfies Record<Grouping, CallDim>;

/** The one group an actor is limited to, or null when they see all. */
export function scopeOf(actor: AuthUser, groupBy: Grouping): string | null {
  if ((reportReaders as readonly string[]).includes(actor.role)) return null;
  const own = ownGrouping[actor.role];
  if (own !== groupBy) {
    throw new AppError('forbidden', own ? `You see only your own figures: group by ${own}` : 'Your role has no funnel figures');
  }
  return actor.id;
}

interface StageRow {
  stage: 'calls' | 'leads' | 'booked' | 'held' | 'deals' | 'callers';
  dim: string | null;
  a: number;
  b: number;
  c: number;
  d: string | number;
}

export interface Counts {
  calls: number;
  uniqueCallers: number;
  targetCalls: number;
  newLeads: number;
  meetingsBooked: number;
  meetingsHeld: number;
  firstSales: number;
  revenueMinor: number;
}
const zero = (): Counts => ({ calls: 0, uniqueCallers: 0, targetCalls: 0, newLeads: 0, meetingsBooked: 0, meetingsHeld: 0, firstSales: 0, revenueMinor: 0 });

function add(into: Counts, r: StageRow) {
  if (r.stage === 'calls') {
    into.calls += r.a;
    into.uniqueCallers += r.b;
    into.targetCalls += r.c;
  } else if (r.stage === 'leads') into.newLeads += r.a;
  else if (r.stage === 'booked') into.meetingsBooked += r.a;
  else if (r.stage === 'held') into.meetingsHeld += r.a;
  else {
    into.firstSales += r.a;
    into.revenueMinor += Number(r.d);
  }
}

/**
 * Counts of every stage by group (`by: 'key'`) or by local day (`by: 'day'`), optionally for one group.
 * One statement over the rollups (refreshed first) and the events of the period's partial days; several
 * rows of a stage and group add up here.
 */
async function stageCounts(s: Services, p: Period, groupBy: Grouping, by: 'key' | 'day', only?: { key: string | null }) {
  await refreshReportRollups(s);
  // A caller reached through two groups is one caller of the whole.
  const whole = by === 'key' && only === undefined;
  const dim = by === 'day' && only === undefined ? 'any' : callDim[groupBy];
  const unions = await callStageRows(s.database.db, { period: p, dim, by, only, whole });
  unions.push(...stageRows({ period: p, groupBy, by, only, currency: s.config.currency }));
  return reportRows<StageRow>(s, sql.join(unions, sql` UNION ALL `));
}

const rate = (num: number, den: number) => (den > 0 ? Math.round((num / den) * 10_000) / 10_000 : null);

export function conversions(c: Counts) {
  const out: Record<string, number | null> = {};
  for (let i = 0; i < stages.length; i++) {
    for (let j = i + 1; j < stages.length; j++) out[`${stages[i]}_${stages[j]}`] = rate(c[stages[j]!], c[stages[i]!]);
  }
  return out;
}

async function labels(s: Services, groupBy: Grouping, keys: string[]) {
  if (!keys.length) return new Map<string, { name: string; role?: string; costMinor?: number | null; currency?: string }>();
  const list = sql`ARRAY[${sql.join(keys.map((k) => sql`${k}`), sql`, `)}]::text[]`;
  const q =
    groupBy === 'source'
      ? sql`SELECT id, name, monthly_cost_minor AS cost, currency FROM sources WHERE id = ANY(${list})`
      : groupBy === 'campaign'
        ? sql`SELECT id, name FROM campaigns WHERE id = ANY(${list})`
        : sql`SELECT id, name, role FROM users WHERE id = ANY(${list})`;
  const rows = rowsOf<{ id: string; name: string; role?: string; cost?: string | number | null; currency?: string }>(await s.database.db.execute(q));
  return new Map(rows.map((r) => [r.id, { name: r.name, role: r.role, costMinor: r.cost === undefined || r.cost === null ? null : Number(r.cost), currency: r.currency }]));
}

export interface FunnelQueryInput {
  from?: string;
  to?: string;
  groupBy: Grouping;
}

/** The funnel for a period: every stage by source, campaign, operator or hunter, with costs and conversions. */
export async function funnelReport(s: Services, actor: AuthUser, q: FunnelQueryInput) {
  const scope = scopeOf(actor, q.groupBy);
  const period = resolvePeriod(q, s.clock.now(), s.config.companyTimeZone);
  const rows = await stageCounts(s, period, q.groupBy, 'key', scope === null ? undefined : { key: scope });
  const names = await labels(s, q.groupBy, [...new Set(rows.map((r) => r.dim).filter((k): k is string => !!k))]);
  const groups = new Map<string | null, Counts>();
  let distinctCallers: number | null = null;
  for (const r of rows) {
    if (r.stage === 'callers') {
      distinctCallers = (distinctCallers ?? 0) + r.b;
      continue;
    }
    // Only hunters are hunters' rows: a call taken by anyone else has no hunter.
    const key = q.groupBy === 'hunter' && r.dim && names.get(r.dim)?.role !== 'hunter' ? null : r.dim;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = zero()));
    add(g, r);
  }
  if (scope !== null && !groups.has(scope)) groups.set(scope, zero());
  const share = monthShares(period);
  const withCost = (key: string | null, c: Counts) => {
    const src = key ? names.get(key) : undefined;
    const cost = q.groupBy === 'source' && src && src.costMinor !== null && src.costMinor !== undefined ? Math.round(src.costMinor * share) : null;
    return costed(c, cost, cost === null ? null : (src?.currency ?? null));
  };
  const out = [...groups].map(([key, c]) => ({ key, label: key ? (names.get(key)?.name ?? key) : '', ...withCost(key, c) }));
  out.sort((a, b) => b.calls - a.calls || b.newLeads - a.newLeads || a.label.localeCompare(b.label));
  const total = zero();
  for (const c of groups.values()) for (const k of Object.keys(total) as (keyof Counts)[]) total[k] += c[k];
  if (distinctCallers !== null) total.uniqueCallers = distinctCallers;
  let totalCost: number | null = null;
  let totalCurrency: string | null = null;
  if (q.groupBy === 'source') {
    const currencies = new Set(out.filter((r) => r.costMinor !== null).map((r) => r.costCurrency));
    if (currencies.size <= 1) {
      totalCost = out.reduce((n, r) => n + (r.costMinor ?? 0), 0);
      totalCurrency = [...currencies][0] ?? s.config.currency;
    }
  }
  return {
    period: periodDto(period),
    groupBy: q.groupBy,
    currency: s.config.currency,
    stages: [...stages],
    rows: out,
    total: { key: null, label: 'Total', ...costed(total, totalCost, totalCurrency) },
  };
}

function costed(c: Counts, costMinor: number | null, costCurrency: string | null) {
  const per = (n: number) => (costMinor !== null && n > 0 ? Math.round(costMinor / n) : null);
  return {
    ...c,
    costMinor,
    costCurrency,
    costPerLeadMinor: per(c.newLeads),
    costPerMeetingMinor: per(c.meetingsBooked),
    costPerFirstSaleMinor: per(c.firstSales),
    conversion: conversions(c),
  };
}

export interface TrendQueryInput {
  from?: string;
  to?: string;
  groupBy?: Grouping;
  key?: string;
}

/** Every stage per local day of the period, for everything or for one group. */
export async function trendReport(s: Services, actor: AuthUser, q: TrendQueryInput) {
  const own = ownGrouping[actor.role];
  const groupBy = q.groupBy ?? own ?? 'source';
  const scope = scopeOf(actor, groupBy);
  if (scope !== null && q.key !== undefined && q.key !== scope) throw new AppError('forbidden', 'You see only your own figures');
  const period = resolvePeriod(q, s.clock.now(), s.config.companyTimeZone);
  const key = scope ?? q.key;
  const rows = await stageCounts(s, period, groupBy, 'day', key === undefined ? undefined : { key: key === '' ? null : key });
  const byDay = new Map(daysOf(period).map((d) => [d, zero()]));
  for (const r of rows) {
    const c = r.dim ? byDay.get(r.dim) : undefined;
    if (c) add(c, r);
  }
  return {
    period: periodDto(period),
    groupBy,
    key: key ?? null,
    currency: s.config.currency,
    days: [...byDay].map(([date, c]) => ({ date, calls: c.calls, targetCalls: c.targetCalls, newLeads: c.newLeads, meetingsBooked: c.meetingsBooked, meetingsHeld: c.meetingsHeld, firstSales: c.firstSales, revenueMinor: c.revenueMinor })),
  };
}
