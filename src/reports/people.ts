import { sql, type SQL } from 'drizzle-orm';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import type { Role } from '../db/schema.js';
import { AppError } from '../shared/errors.js';
import { localDay, periodDto, resolvePeriod, wholeDays, type Period } from './period.js';
import { refreshReportRollups } from './rollups.js';
import { groupingCode } from './stages.js';
import { reportRows } from './query.js';

type PeriodInput = { from?: string; to?: string };

/** Heads see their team; a member sees their own row only; anyone else is refused. */
function scope(actor: AuthUser, member: Role, heads: readonly Role[]): SQL {
  if (heads.includes(actor.role)) return sql``;
  if (actor.role === member) return sql` AND u.id = ${actor.id}`;
  throw new AppError('forbidden', `Only ${heads.join(', ')} or the ${member} themself see these figures`);
}

const bounds = (p: Period) => ({ from: sql`${p.from.toISOString()}::timestamptz`, to: sql`${p.to.toISOString()}::timestamptz` });
const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
const ratio = (num: number, den: number, digits = 4) => (den > 0 ? Math.round((num / den) * 10 ** digits) / 10 ** digits : null);

export const operatorHeads = ['admin', 'cc_admin', 'sales_head'] as const satisfies readonly Role[];
export const hunterHeads = ['admin', 'sales_head'] as const satisfies readonly Role[];
export const managerHeads = ['admin', 'client_head'] as const satisfies readonly Role[];
export const operatorStatuses = ['available', 'paused', 'ringing', 'on_call', 'wrap_up'] as const;

interface OperatorRow extends Record<string, unknown> {
  id: string;
  name: string;
  handled: number;
  made: number;
  connected: number;
  talk: string | number;
  booked: number;
  spans: Array<{ status: string; reason: string | null; seconds: number }> | null;
}

/** Calls per operator (id, handled, made, connected, talk): whole days from the day rows, the edges from the calls' marks. */
function operatorCalls(p: Period): SQL[] {
  const fromMarks = (from: Date, to: Date) => sql`SELECT m.operator_id AS id, (count(*) FILTER (WHERE m.handled))::int AS handled,
      (count(*) FILTER (WHERE m.made))::int AS made, (count(*) FILTER (WHERE m.connected))::int AS connected, coalesce(sum(m.talk), 0)::bigint AS talk
    FROM report_call_marks m WHERE m.started_at >= ${ts(from)} AND m.started_at < ${ts(to)} AND m.operator_id IS NOT NULL GROUP BY 1`;
  const days = wholeDays(p);
  if (!days) return [fromMarks(p.from, p.to)];
  return [
    fromMarks(p.from, days.start),
    fromMarks(days.end, p.to),
    sql`SELECT r.key, sum(r.handled)::int, sum(r.made)::int, sum(r.connected)::int, sum(r.talk)::bigint FROM report_call_days r
      WHERE r.dim = 3 AND r.key IS NOT NULL AND r.day >= ${localDay(days.start, p.timeZone)}::date AND r.day < ${localDay(days.end, p.timeZone)}::date GROUP BY 1`,
  ];
}

/** Meetings booked per person (id, booked): whole days from the day rows, the edges from the meetings. */
function meetingsBooked(p: Period): SQL[] {
  const fromMeetings = (from: Date, to: Date) =>
    sql`SELECT booked_by AS id, count(*)::int AS booked FROM meetings WHERE created_at >= ${ts(from)} AND created_at < ${ts(to)} GROUP BY 1`;
  const days = wholeDays(p);
  if (!days) return [fromMeetings(p.from, p.to)];
  return [
    fromMeetings(p.from, days.start),
    fromMeetings(days.end, p.to),
    sql`SELECT r.key, sum(r.booked)::int FROM report_stage_days r WHERE r.grouping = ${groupingCode.operator} AND r.key IS NOT NULL
      AND r.day >= ${localDay(days.start, p.timeZone)}::date AND r.day < ${localDay(days.end, p.timeZone)}::date GROUP BY 1`,
  ];
}

/**
 * Operators' time in each state and reason in [from, to) (user_id, status, reason, seconds), `to` being no
 * later than now: whole days from the state rows plus each person's state still going on, the partial
 * days at either edge from the state log itself.
 */
function stateSpans(p: Period, only: SQL): SQL[] {
  if (p.to <= p.from) return [sql`SELECT NULL::text AS user_id, NULL::text AS status, NULL::text AS reason, 0::float8 AS seconds WHERE false`];
  // Per operator, in the order of the (user, time) index that covers the state log: each state lasts
  // until the next one, and the state held when the range began counts from its start.
  const fromLog = (fromAt: Date, toAt: Date) => {
    const from = ts(fromAt);
    const end = ts(toAt);
    return sql`SELECT u.id AS user_id, x.status, x.reason, x.seconds::float8 FROM users u CROSS JOIN LATERAL (
        SELECT l.status, l.reason, extract(epoch FROM coalesce(lead(l.at) OVER (ORDER BY l.at, l.id), ${end}) - l.at) AS seconds
        FROM user_status_log l WHERE l.user_id = u.id AND l.at >= ${from} AND l.at < ${end}
        UNION ALL
        SELECT b.status, b.reason,
          extract(epoch FROM coalesce((SELECT min(f.at) FROM user_status_log f WHERE f.user_id = u.id AND f.at >= ${from} AND f.at < ${end}), ${end}) - ${from})
        FROM (SELECT l.status, l.reason FROM user_status_log l WHERE l.user_id = u.id AND l.at < ${from} ORDER BY l.at DESC, l.id DESC LIMIT 1) b
      ) x
      WHERE u.role = 'operator'${only}`;
  };
  const days = wholeDays(p);
  if (!days) return [fromLog(p.from, p.to)];
  const [start, end] = [ts(days.start), ts(days.end)];
  return [
    fromLog(p.from, days.start),
    fromLog(days.end, p.to),
    sql`SELECT r.user_id, r.status, r.reason, sum(r.seconds)::float8 FROM report_state_days r JOIN users u ON u.id = r.user_id
      WHERE r.day >= ${localDay(days.start, p.timeZone)}::date AND r.day < ${localDay(days.end, p.timeZone)}::date
        AND u.role = 'operator'${only} GROUP BY 1, 2, 3`,
    // A person's latest state has not ended, so it is in no state row yet.
    sql`SELECT u.id, l.status, l.reason, extract(epoch FROM ${end} - greatest(l.at, ${start}))::float8 FROM users u
      CROSS JOIN LATERAL (SELECT status, reason, at FROM user_status_log WHERE user_id = u.id ORDER BY at DESC, id DESC LIMIT 1) l
      WHERE l.at < ${end} AND u.role = 'operator'${only}`,
  ];
}

/**
 * Per operator: calls taken and made, talk and handle time, time in each state and pause reason (from
 * the state log, cut to the period; the state held when it began counts from its start), meetings booked
 * and meetings per logged-in hour.
 */
export async function operatorsReport(s: Services, actor: AuthUser, q: PeriodInput) {
  const only = scope(actor, 'operator', operatorHeads);
  const period = resolvePeriod(q, s.clock.now(), s.config.companyTimeZone);
  await refreshReportRollups(s);
  const rows = await reportRows<OperatorRow>(s, sql`
    WITH k AS (
      SELECT id, sum(handled)::int AS handled, sum(made)::int AS made, sum(connected)::int AS connected, sum(talk)::bigint AS talk
      FROM (${sql.join(operatorCalls(period), sql` UNION ALL `)}) x GROUP BY 1
    ), m AS (
      SELECT id, sum(booked)::int AS booked FROM (${sql.join(meetingsBooked(period), sql` UNION ALL `)}) x GROUP BY 1
    ), spans AS (
      ${sql.join(stateSpans({ ...period, to: new Date(Math.min(period.to.getTime(), s.clock.now().getTime())) }, only), sql` UNION ALL `)}
    ), t AS (
      SELECT user_id AS id, json_agg(json_build_object('status', status, 'reason', reason, 'seconds', seconds)) AS spans
      FROM (SELECT user_id, status, reason, round(sum(seconds))::int AS seconds FROM spans WHERE seconds > 0 GROUP BY 1, 2, 3) x
      GROUP BY 1
    )
    SELECT u.id, u.name, coalesce(k.handled, 0) AS handled, coalesce(k.made, 0) AS made, coalesce(k.connected, 0) AS connected,
      coalesce(k.talk, 0) AS talk, coalesce(m.booked, 0) AS booked, t.spans
    FROM users u LEFT JOIN k ON k.id = u.id LEFT JOIN m ON m.id = u.id LEFT JOIN t ON t.id = u.id
    WHERE u.role = 'operator' AND (u.active OR k.id IS NOT NULL OR m.id IS NOT NULL)${only}
    ORDER BY u.name, u.id`);
  return {
    period: periodDto(period),
    rows: rows.map((r) => {
      const statusSeconds = Object.fromEntries(operatorStatuses.map((st) => [st, 0])) as Record<(typeof operatorStatuses)[number], number>;
      const pauses = new Map<string, number>();
      for (const sp of r.spans ?? []) {
        if (sp.status in statusSeconds) statusSeconds[sp.status as keyof typeof statusSeconds] += sp.seconds;
        if (sp.status === 'paused') pauses.set(sp.reason ?? '', (pauses.get(sp.reason ?? '') ?? 0) + sp.seconds);
      }
      const loggedInSeconds = Object.values(statusSeconds).reduce((a, b) => a + b, 0);
      const talkSeconds = Number(r.talk);
      const handledCalls = r.handled + r.connected;
      return {
        userId: r.id,
        name: r.name,
        callsHandled: r.handled,
        callsMade: r.made,
        talkSeconds,
        avgHandleSeconds: handledCalls ? Math.round((talkSeconds + statusSeconds.wrap_up) / handledCalls) : null,
        statusSeconds,
        loggedInSeconds,
        pauseSeconds: [...pauses].map(([reason, seconds]) => ({ reason, seconds })).sort((a, b) => b.seconds - a.seconds),
        meetingsBooked: r.booked,
        meetingsPerHour: loggedInSeconds ? ratio(r.booked, loggedInSeconds / 3600, 2) : null,
      };
    }),
  };
}

interface HunterRow extends Record<string, unknown> {
  id: string;
  name: string;
  offers: number;
  accepted: number;
  declined: number;
  expired: number;
  accept_seconds: number | null;
  held: number;
  first_sales: number;
  revenue: string | number;
  commission: string | number;
}

/** Per hunter: offers and how they were answered, meetings held, first sales and their conversion, commission earned. */
export async function huntersReport(s: Services, actor: AuthUser, q: PeriodInput) {
  const only = scope(actor, 'hunter', hunterHeads);
  const period = resolvePeriod(q, s.clock.now(), s.config.companyTimeZone);
  const { from, to } = bounds(period);
  const rows = await reportRows<HunterRow>(s, sql`
    WITH o AS (
      SELECT hunter_id AS id, count(*)::int AS offers,
        count(*) FILTER (WHERE status = 'accepted')::int AS accepted,
        count(*) FILTER (WHERE status = 'declined')::int AS declined,
        count(*) FILTER (WHERE status = 'expired')::int AS expired,
        round(avg(extract(epoch FROM responded_at - offered_at)) FILTER (WHERE status = 'accepted'))::int AS accept_seconds
      FROM meeting_offers WHERE offered_at >= ${from} AND offered_at < ${to} GROUP BY 1
    ), h AS (
      SELECT hunter_id AS id, count(*)::int AS held FROM meetings WHERE held_at >= ${from} AND held_at < ${to} AND hunter_id IS NOT NULL GROUP BY 1
    ), f AS (
      SELECT coalesce(ho.from_hunter_id, c.hunter_id) AS id, count(*)::int AS first_sales,
        coalesce(sum(d.amount_minor) FILTER (WHERE d.currency = ${s.config.currency}), 0)::bigint AS revenue
      FROM deals d JOIN contacts c ON c.id = d.contact_id LEFT JOIN handoffs ho ON ho.contact_id = d.contact_id
      WHERE d.is_first AND d.deal_date >= ${from} AND d.deal_date < ${to} GROUP BY 1
    ), cm AS (
      SELECT commission_hunter_id AS id, coalesce(sum(commission_minor), 0)::bigint AS commission
      FROM deals WHERE commission_hunter_id IS NOT NULL AND deal_date >= ${from} AND deal_date < ${to} AND currency = ${s.config.currency} GROUP BY 1
    )
    SELECT u.id, u.name, coalesce(o.offers, 0) AS offers, coalesce(o.accepted, 0) AS accepted, coalesce(o.declined, 0) AS declined,
      coalesce(o.expired, 0) AS expired, o.accept_seconds, coalesce(h.held, 0) AS held, coalesce(f.first_sales, 0) AS first_sales,
      coalesce(f.revenue, 0) AS revenue, coalesce(cm.commission, 0) AS commission
    FROM users u LEFT JOIN o ON o.id = u.id LEFT JOIN h ON h.id = u.id LEFT JOIN f ON f.id = u.id LEFT JOIN cm ON cm.id = u.id
    WHERE u.role = 'hunter' AND (u.active OR o.id IS NOT NULL OR f.id IS NOT NULL OR cm.id IS NOT NULL)${only}
    ORDER BY u.name, u.id`);
  return {
    period: periodDto(period),
    currency: s.config.currency,
    rows: rows.map((r) => ({
      userId: r.id,
      name: r.name,
      offers: r.offers,
      accepted: r.accepted,
      declined: r.declined,
      expired: r.expired,
      avgSecondsToAccept: r.accept_seconds,
      meetingsHeld: r.held,
      firstSales: r.first_sales,
      conversion: ratio(r.first_sales, r.held),
      revenueMinor: Number(r.revenue),
      commissionMinor: Number(r.commission),
    })),
  };
}

interface ManagerRow extends Record<string, unknown> {
  id: string;
  name: string;
  clients: number;
  abandoned: number;
  payments: number;
  collected: string | number;
}

/**
 * Per account manager: clients now, those abandoned in the period (no answered call, deal or finished
 * task in it, among clients they had before it ended), and payments collected in the period.
 */
export async function accountManagersReport(s: Services, actor: AuthUser, q: PeriodInput) {
  const only = scope(actor, 'account_manager', managerHeads);
  const period = resolvePeriod(q, s.clock.now(), s.config.companyTimeZone);
  const { from, to } = bounds(period);
  const rows = await reportRows<ManagerRow>(s, sql`
    WITH c AS (
      SELECT c.account_manager_id AS id, count(*)::int AS clients,
        count(*) FILTER (WHERE coalesce(c.client_since, c.created_at) < ${to}
          AND NOT EXISTS (SELECT 1 FROM calls k WHERE k.contact_id = c.id AND k.status = 'answered' AND k.started_at >= ${from} AND k.started_at < ${to})
          AND NOT EXISTS (SELECT 1 FROM deals d WHERE d.contact_id = c.id AND d.deal_date >= ${from} AND d.deal_date < ${to})
          AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.contact_id = c.id AND t.status = 'done' AND t.done_at >= ${from} AND t.done_at < ${to})
          AND NOT (c.client_since >= ${from} AND c.client_since < ${to}))::int AS abandoned
      FROM contacts c WHERE c.status = 'active' AND c.account_manager_id IS NOT NULL GROUP BY 1
    ), p AS (
      SELECT c.account_manager_id AS id, count(*)::int AS payments,
        coalesce(sum(p.amount_minor) FILTER (WHERE d.currency = ${s.config.currency}), 0)::bigint AS collected
      FROM payments p JOIN deals d ON d.id = p.deal_id JOIN contacts c ON c.id = d.contact_id
      WHERE p.paid_at >= ${from} AND p.paid_at < ${to} AND c.account_manager_id IS NOT NULL GROUP BY 1
    )
    SELECT u.id, u.name, coalesce(c.clients, 0) AS clients, coalesce(c.abandoned, 0) AS abandoned,
      coalesce(p.payments, 0) AS payments, coalesce(p.collected, 0) AS collected
    FROM users u LEFT JOIN c ON c.id = u.id LEFT JOIN p ON p.id = u.id
    WHERE u.role = 'account_manager' AND (u.active OR c.id IS NOT NULL OR p.id IS NOT NULL)${only}
    ORDER BY u.name, u.id`);
  return {
    period: periodDto(period),
    currency: s.config.currency,
    rows: rows.map((r) => ({ userId: r.id, name: r.name, clients: r.clients, abandoned: r.abandoned, payments: r.payments, collectedMinor: Number(r.collected) })),
  };
}
