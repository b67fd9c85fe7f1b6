import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.js';
import { localDay, wholeDays, type Period } from './period.js';

/**
 * The funnel's call stage read from the rollups kept by rollups.ts. Calls and target calls of whole days
 * come from the day rows; unique callers from each call's marks: a caller of a group in [F, T) is counted
 * once, at their first call there in the period, i.e. the call whose previous one in that group is older
 * than F. Counted directly, that reads the period's marks; for a period ending near the present it is
 * cheaper counted from the other end: the callers whose last call is at or after F (summed from the day
 * rows) less those whose first call from F on is at or after T (the marks after T, usually none).
 */

export type CallDim = 'any' | 'source' | 'campaign' | 'operator';
const dimCode: Record<CallDim, number> = { any: 0, source: 1, campaign: 2, operator: 3 };
/** The marks' columns for a grouping: its key, the previous call in it, whether this is the last. */
const markCols: Record<CallDim, { key: string; prev: string; last: string }> = {
  any: { key: 'NULL::text', prev: 'prev_any', last: 'last_any' },
  source: { key: 'source_id', prev: 'prev_source', last: 'last_source' },
  campaign: { key: 'campaign_id', prev: 'prev_campaign', last: 'last_campaign' },
  operator: { key: 'operator_id', prev: 'prev_operator', last: 'last_operator' },
};

/** Which end is cheaper to count a period's unique callers from: the calls inside it, or those after it. */
async function cheaperEnd(db: Db, p: Period): Promise<'inside' | 'after'> {
  const day = (d: Date) => localDay(d, p.timeZone);
  const [size] = rowsOf<{ inside: number; after: number }>(
    await db.execute(sql`SELECT coalesce(sum(calls) FILTER (WHERE day <= ${day(p.to)}::date), 0)::int AS inside,
        coalesce(sum(calls) FILTER (WHERE day >= ${day(p.to)}::date), 0)::int AS after
      FROM report_call_days WHERE dim = 0 AND day >= ${day(p.from)}::date`),
  );
  return size!.inside <= size!.after ? 'inside' : 'after';
}

/** A union member shaped as a funnel stage row: stage, dim, a, b, c, d. */
const row = (stage: 'calls' | 'callers', dim: SQL, a: SQL, b: SQL, c: SQL, from: SQL) =>
  sql`(SELECT ${stage}::text AS stage, ${dim} AS dim, ${a} AS a, ${b} AS b, ${c} AS c, 0::bigint AS d FROM ${from})`;

export interface CallStageQuery {
  period: Period;
  dim: CallDim;
  /** Rows per group key or per local day. */
  by: 'key' | 'day';
  /** Only this group (null: calls with no group). */
  only?: { key: string | null };
  /** Also the callers of the whole period, each once however many groups reached them (a 'callers' row). */
  whole: boolean;
  /** Count unique callers from the period's own calls or from the other end; by default whichever reads fewer. */
  count?: 'inside' | 'after';
}

/**
 * The call stage's rows (stage 'calls': a calls, b unique callers, c target calls; stage 'callers': b)
 * as union members for the funnel's statement; several rows of one group add up. Reads the day rows to
 * choose how unique callers are counted, so it runs after `refreshReportRollups`.
 */
export async function callStageRows(db: Db, q: CallStageQuery): Promise<SQL[]> {
  const { period: p } = q;
  const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const F = ts(p.from);
  const T = ts(p.to);
  const col = markCols[q.dim];
  const key = sql.raw(q.dim === 'any' ? 'NULL::text' : `m.${col.key}`);
  const prev = sql.raw(`m.${col.prev}`);
  const anyPrev = sql.raw('m.prev_any');
  const filter = q.only === undefined || q.dim === 'any' ? sql`` : q.only.key === null ? sql` AND ${key} IS NULL` : sql` AND ${key} = ${q.only.key}`;
  const dayFilter = q.only === undefined || q.dim === 'any' ? sql`` : q.only.key === null ? sql` AND r.key IS NULL` : sql` AND r.key = ${q.only.key}`;
  const code = dimCode[q.dim];
  const days = wholeDays(p);
  const dayStr = (d: Date) => localDay(d, p.timeZone);
  const marksIn = (from: SQL, to: SQL) => sql`report_call_marks m WHERE m.started_at >= ${from} AND m.started_at < ${to}${filter}`;
  const firstIn = (col: SQL) => sql`(count(*) FILTER (WHERE ${col} IS NULL OR ${col} < ${F}))::int`;

  if (q.by === 'day') {
    const localDate = sql`to_char(m.started_at AT TIME ZONE ${p.timeZone}, 'YYYY-MM-DD')`;
    const edge = (from: SQL, to: SQL) =>
      row('calls', localDate, sql`count(*)::int`, sql`0`, sql`(count(*) FILTER (WHERE m.target))::int`, sql`${marksIn(from, to)} GROUP BY 2`);
    if (!days) return [edge(F, T)];
    return [
      edge(F, ts(days.start)),
      edge(ts(days.end), T),
      row('calls', sql`to_char(r.day, 'YYYY-MM-DD')`, sql`sum(r.calls)::int`, sql`0`, sql`sum(r.target)::int`,
        sql`report_call_days r WHERE r.dim = ${code} AND r.day >= ${dayStr(days.start)}::date AND r.day < ${dayStr(days.end)}::date${dayFilter} GROUP BY 2`),
    ];
  }

  if (!days || (q.count ?? (await cheaperEnd(db, p))) === 'inside') {
    // Directly: one pass over the period's marks; with the whole, its grand total row is the callers'.
    if (!q.whole) return [row('calls', key, sql`count(*)::int`, firstIn(prev), sql`(count(*) FILTER (WHERE m.target))::int`, sql`${marksIn(F, T)} GROUP BY 2`)];
    const total = sql`grouping(${key}) = 1`;
    return [
      sql`(SELECT CASE WHEN ${total} THEN 'callers' ELSE 'calls' END AS stage, ${key} AS dim,
        CASE WHEN ${total} THEN 0 ELSE count(*)::int END AS a, CASE WHEN ${total} THEN ${firstIn(anyPrev)} ELSE ${firstIn(prev)} END AS b,
        CASE WHEN ${total} THEN 0 ELSE (count(*) FILTER (WHERE m.target))::int END AS c, 0::bigint AS d
        FROM ${marksIn(F, T)} GROUP BY GROUPING SETS ((${key}), ()))`,
    ];
  }

  // From the other end: calls and target calls of whole days from the day rows, of the partial days at
  // either edge from the marks; callers whose last call is at or after F less those first seen from T on.
  const dayRows = (cond: SQL) => sql`report_call_days r WHERE r.dim = ${code} AND ${cond}${dayFilter} GROUP BY 2`;
  const anyDayRows = (cond: SQL) => sql`report_call_days r WHERE r.dim = 0 AND ${cond}`;
  const edge = (from: SQL, to: SQL) =>
    row('calls', key, sql`count(*)::int`, sql`0`, sql`(count(*) FILTER (WHERE m.target))::int`, sql`${marksIn(from, to)} GROUP BY 2`);
  const lastsFrom = (last: string, dimKey: SQL, daysCond: (c: SQL) => SQL, stage: 'calls' | 'callers') => [
    row(stage, dimKey, sql`0`, sql`sum(r.lasts)::int`, sql`0`, daysCond(sql`r.day >= ${dayStr(days.start)}::date`)),
    row(stage, stage === 'calls' ? key : sql`NULL::text`, sql`0`, sql`(count(*) FILTER (WHERE ${sql.raw(`m.${last}`)}))::int`, sql`0`,
      sql`${marksIn(F, ts(days.start))}${stage === 'calls' ? sql` GROUP BY 2` : sql``}`),
  ];
  const laterFirsts = (col: SQL, stage: 'calls' | 'callers') =>
    row(stage, stage === 'calls' ? key : sql`NULL::text`, sql`0`, sql`(-count(*) FILTER (WHERE ${col} IS NULL OR ${col} < ${F}))::int`, sql`0`,
      sql`report_call_marks m WHERE m.started_at >= ${T}${stage === 'calls' ? filter : sql``}${stage === 'calls' ? sql` GROUP BY 2` : sql``}`);
  const out = [
    row('calls', sql`r.key`, sql`sum(r.calls)::int`, sql`0`, sql`sum(r.target)::int`,
      dayRows(sql`r.day >= ${dayStr(days.start)}::date AND r.day < ${dayStr(days.end)}::date`)),
    edge(F, ts(days.start)),
    edge(ts(days.end), T),
    ...lastsFrom(col.last, sql`r.key`, dayRows, 'calls'),
    laterFirsts(prev, 'calls'),
  ];
  if (q.whole) out.push(...lastsFrom('last_any', sql`NULL::text`, anyDayRows, 'callers'), laterFirsts(anyPrev, 'callers'));
  return out;
}
