import { api, withQuery } from '../api/client';
import type { Page, Role, UserStatus } from '../api/types';

/** Reports (contract: /api/reports/*): the funnel, the daily trend, per-person reports, refusals, the wallboard. */

export const funnelStages = ['calls', 'uniqueCallers', 'targetCalls', 'newLeads', 'meetingsBooked', 'meetingsHeld', 'firstSales'] as const;
export type FunnelStage = (typeof funnelStages)[number];

export const groupings = ['source', 'campaign', 'operator', 'hunter'] as const;
export type GroupBy = (typeof groupings)[number];

/** Every answer's period, as the service resolved it. */
export interface ReportPeriod {
  from: string;
  to: string;
  timeZone: string;
}

/** Dates are `YYYY-MM-DD` days in the company's zone, `to` inclusive. */
export interface PeriodQuery {
  from: string;
  to: string;
}

export type FunnelRow = Record<FunnelStage, number> & {
  /** Null: calls with no source (campaign, operator, hunter); the label is then the panel's own. */
  key: string | null;
  label: string;
  revenueMinor: number;
  costMinor: number | null;
  costCurrency: string | null;
  costPerLeadMinor: number | null;
  costPerMeetingMinor: number | null;
  costPerFirstSaleMinor: number | null;
  /** `a_b` for every stage a before b: b / a (0..1), null when a is 0. */
  conversion: Record<string, number | null>;
};

export interface FunnelReport {
  period: ReportPeriod;
  groupBy: GroupBy;
  currency: string;
  stages: FunnelStage[];
  rows: FunnelRow[];
  total: FunnelRow;
}

export interface TrendDay {
  date: string;
  calls: number;
  targetCalls: number;
  newLeads: number;
  meetingsBooked: number;
  meetingsHeld: number;
  firstSales: number;
  revenueMinor: number;
}

export interface TrendReport {
  period: ReportPeriod;
  /** The grouping and group the days were restricted to, if any. */
  groupBy: GroupBy;
  key: string | null;
  days: TrendDay[];
}

export const operatorStatuses = ['available', 'paused', 'ringing', 'on_call', 'wrap_up'] as const;
export type OperatorStatus = (typeof operatorStatuses)[number];

export interface OperatorRow {
  userId: string;
  name: string;
  callsHandled: number;
  callsMade: number;
  talkSeconds: number;
  avgHandleSeconds: number | null;
  statusSeconds: Record<OperatorStatus, number>;
  loggedInSeconds: number;
  pauseSeconds: Array<{ reason: string; seconds: number }>;
  meetingsBooked: number;
  meetingsPerHour: number | null;
}

export interface OperatorsReport {
  period: ReportPeriod;
  rows: OperatorRow[];
}

export interface HunterRow {
  userId: string;
  name: string;
  offers: number;
  accepted: number;
  declined: number;
  expired: number;
  avgSecondsToAccept: number | null;
  meetingsHeld: number;
  firstSales: number;
  /** First sales / meetings held. */
  conversion: number | null;
  revenueMinor: number;
  commissionMinor: number;
}

export interface HuntersReport {
  period: ReportPeriod;
  currency: string;
  rows: HunterRow[];
}

export interface AccountManagerRow {
  userId: string;
  name: string;
  clients: number;
  abandoned: number;
  payments: number;
  collectedMinor: number;
}

export interface AccountManagersReport {
  period: ReportPeriod;
  currency: string;
  rows: AccountManagerRow[];
}

export interface RefusalRow {
  reason: string;
  count: number;
  share: number;
}

export interface RefusalsReport {
  period: ReportPeriod;
  campaignId: string | null;
  total: number;
  rows: RefusalRow[];
}

// ------------------------------------------------------------------ which report for whom

export const reportKinds = ['funnel', 'trend', 'operators', 'hunters', 'account-managers', 'refusals'] as const;
export type ReportKind = (typeof reportKinds)[number];

const everyRow: readonly Role[] = ['admin', 'sales_head', 'cc_admin', 'client_head'];

/** The reports a role may open (the service answers 403 for the others). */
export function reportsFor(role: Role): ReportKind[] {
  switch (role) {
    case 'operator':
      return ['funnel', 'operators'];
    case 'hunter':
      return ['funnel', 'hunters'];
    case 'account_manager':
      return ['account-managers'];
    default: {
      const out: ReportKind[] = everyRow.includes(role) ? ['funnel', 'trend'] : [];
      if (role === 'admin' || role === 'cc_admin' || role === 'sales_head') out.push('operators');
      if (role === 'admin' || role === 'sales_head') out.push('hunters');
      if (role === 'admin' || role === 'client_head') out.push('account-managers');
      if (role === 'admin' || role === 'cc_admin' || role === 'sales_head') out.push('refusals');
      return out;
    }
  }
}

/** Operators see the funnel by operator only (their own row), hunters by hunter only. */
export function groupingsFor(role: Role): GroupBy[] {
  if (role === 'operator') return ['operator'];
  if (role === 'hunter') return ['hunter'];
  return [...groupings];
}

export const wallboardRoles: readonly Role[] = ['admin', 'cc_admin', 'sales_head'];

// ------------------------------------------------------------------ fetchers

type Query = Record<string, string | undefined>;

const path = (kind: ReportKind) => `/api/reports/${kind}`;

/** The same report as CSV: a plain link, the session cookie authenticates it. */
export const csvUrl = (kind: ReportKind, query: Query) => withQuery(path(kind), { ...query, format: 'csv' });

export const getFunnel = (p: PeriodQuery, groupBy: GroupBy) => api<FunnelReport>(path('funnel'), { query: { ...p, groupBy } });
export const getTrend = (p: PeriodQuery) => api<TrendReport>(path('trend'), { query: { ...p } });
export const getOperators = (p: PeriodQuery) => api<OperatorsReport>(path('operators'), { query: { ...p } });
export const getHunters = (p: PeriodQuery) => api<HuntersReport>(path('hunters'), { query: { ...p } });
export const getAccountManagers = (p: PeriodQuery) => api<AccountManagersReport>(path('account-managers'), { query: { ...p } });
export const getRefusals = (p: PeriodQuery, campaignId?: string) =>
  api<RefusalsReport>(path('refusals'), { query: { ...p, campaignId } });

// ------------------------------------------------------------------ wallboard

export interface WallboardOperator {
  id: string;
  name: string;
  status: UserStatus;
  reason: string | null;
  since: string;
  connected: boolean;
}

export interface WallboardHunter {
  id: string;
  name: string;
  status: UserStatus;
  since: string;
  openOffers: number;
}

/** `wallboard:snapshot` (ack) and `wallboard:updated` (pushed) carry the same payload. */
export interface Wallboard {
  at: string;
  timeZone: string;
  serviceLevelSeconds: number;
  operators: WallboardOperator[];
  queue: { waiting: number; longestWaitSeconds: number; oldestQueuedAt: string | null };
  today: {
    inbound: number;
    answered: number;
    answeredWithinSl: number;
    serviceLevel: number | null;
    abandoned: number;
    abandonedRate: number | null;
    outbound: number;
    meetingsBooked: number;
  };
  hunters: WallboardHunter[];
  openOffers: number;
}

/** Campaigns to filter refusals by (the roles that may list campaigns; 200 at most). */
export const listCampaignNames = async () =>
  (await api<Page<{ id: string; name: string }>>('/api/campaigns', { query: { limit: 200 } })).items.map((c) => ({ id: c.id, name: c.name }));
