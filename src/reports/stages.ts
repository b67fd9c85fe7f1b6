import { sql, type SQL } from 'drizzle-orm';
import type { Grouping } from './funnel.js';
import { localDay, wholeDays, type Period } from './period.js';

/** The rollups' code of each grouping (report_stage_days.grouping). */
export const groupingCode: Record<Grouping, number> = { source: 1, campaign: 2, operator: 3, hunter: 4 };

export type StageName = 'leads' | 'booked' | 'held' | 'deals';

/**
 * Where each stage after the call is read and which group each event counts for: a lead and everything
 * after it (meetings, sales) for the contact's first source and the campaign that turned it (first-touch
 * attribution); meetings for the operator who booked them and the hunter who took them; sales for the
 * operator who took the lead and the hunter who brought the client. Each source's `select` is a, b, c, d
 * of a stage row: a the count (first sales for deals), d the revenue in `currency`.
 * `range` bounds the events' instants; null: all of them.
 */
export function stageSources(groupBy: Grouping, range: { from: Date; to: Date } | null, timeZone: string, currency: string) {
  const inRange = (col: SQL) =>
    range ? sql`${col} >= ${range.from.toISOString()}::timestamptz AND ${col} < ${range.to.toISOString()}::timestamptz` : sql`${col} IS NOT NULL`;
  // The contact of a meeting or deal, looked up by its key: a day or an edge of a period holds few of them,
  // and joining would read every contact.
  const of = (alias: 'm' | 'd', col: string) => sql.raw(`(SELECT k.${col} FROM contacts k WHERE k.id = ${alias}.contact_id)`);
  const key = {
    leads: { source: sql`k.first_source_id`, campaign: sql`k.lead_campaign_id`, operator: sql`k.lead_by`, hunter: sql`k.hunter_id` }[groupBy],
    meetings: {
      source: sql`coalesce(${of('m', 'first_source_id')}, m.source_id)`,
      campaign: sql`coalesce(${of('m', 'lead_campaign_id')}, (SELECT mc.campaign_id FROM calls mc WHERE mc.id = m.call_id))`,
      operator: sql`m.booked_by`,
      hunter: sql`m.hunter_id`,
    }[groupBy],
    deals: {
      source: of('d', 'first_source_id'),
      campaign: of('d', 'lead_campaign_id'),
      operator: of('d', 'lead_by'),
      hunter: sql`coalesce(d.commission_hunter_id, (SELECT h.from_hunter_id FROM handoffs h WHERE h.contact_id = d.contact_id), ${of('d', 'hunter_id')})`,
    }[groupBy],
  };
  const day = (col: SQL) => sql`to_char(${col} AT TIME ZONE ${timeZone}, 'YYYY-MM-DD')`;
  const count = sql`count(*)::int AS a, 0 AS b, 0 AS c, 0::bigint AS d`;
  const sources: Array<{ name: StageName; key: SQL; day: SQL; select: SQL; from: SQL }> = [
    { name: 'leads', key: key.leads, day: day(sql`k.lead_at`), select: count, from: sql`contacts k WHERE ${inRange(sql`k.lead_at`)}` },
    { name: 'booked', key: key.meetings, day: day(sql`m.created_at`), select: count, from: sql`meetings m WHERE ${inRange(sql`m.created_at`)}` },
    { name: 'held', key: key.meetings, day: day(sql`m.held_at`), select: count, from: sql`meetings m WHERE ${inRange(sql`m.held_at`)}` },
    {
      name: 'deals',
      key: key.deals,
      day: day(sql`d.deal_date`),
      select: sql`(count(*) FILTER (WHERE d.is_first))::int AS a, 0 AS b, 0 AS c,
        coalesce(sum(d.amount_minor) FILTER (WHERE d.currency = ${currency}), 0)::bigint AS d`,
      from: sql`deals d WHERE ${inRange(sql`d.deal_date`)}`,
    },
  ];
  return sources;
}

/** The stages' day rows of `range` recounted from their events, for every grouping (an INSERT's SELECT). */
export function stageDayRows(range: { from: Date; to: Date } | null, timeZone: string, currency: string): SQL {
  const members: SQL[] = [];
  for (const [groupBy, code] of Object.entries(groupingCode) as Array<[Grouping, number]>) {
    for (const q of stageSources(groupBy, range, timeZone, currency)) {
      members.push(sql`(SELECT ${code}::smallint AS g, ${q.name}::text AS stage, ${q.day} AS day, ${q.key} AS key, ${q.select} FROM ${q.from} GROUP BY 3, 4)`);
    }
  }
  return sql`SELECT x.g, x.day::date, x.key,
      coalesce(sum(x.a) FILTER (WHERE x.stage = 'leads'), 0)::int, coalesce(sum(x.a) FILTER (WHERE x.stage = 'booked'), 0)::int,
      coalesce(sum(x.a) FILTER (WHERE x.stage = 'held'), 0)::int, coalesce(sum(x.a) FILTER (WHERE x.stage = 'deals'), 0)::int,
      coalesce(sum(x.d) FILTER (WHERE x.stage = 'deals'), 0)::bigint
    FROM (${sql.join(members, sql` UNION ALL `)}) x(g, stage, day, key, a, b, c, d) GROUP BY 1, 2, 3`;
}

export interface StageRowsQuery {
  period: Period;
  groupBy: Grouping;
  by: 'key' | 'day';
  only?: { key: string | null };
  currency: string;
}

/**
 * The stages after the call as union members of the funnel's statement (stage, dim, a, b, c, d): whole
 * days from the day rows, the partial days at the period's edges from the events themselves.
 */
export function stageRows(q: StageRowsQuery): SQL[] {
  const { period: p } = q;
  const members: SQL[] = [];
  const fromEvents = (from: Date, to: Date) => {
    for (const s of stageSources(q.groupBy, { from, to }, p.timeZone, q.currency)) {
      const dim = q.by === 'key' ? s.key : s.day;
      const filter = q.only === undefined ? sql`` : q.only.key === null ? sql` AND ${s.key} IS NULL` : sql` AND ${s.key} = ${q.only.key}`;
      members.push(sql`(SELECT ${s.name}::text AS stage, ${dim} AS dim, ${s.select} FROM ${s.from}${filter} GROUP BY 2)`);
    }
  };
  const days = wholeDays(p);
  if (!days) {
    fromEvents(p.from, p.to);
    return members;
  }
  fromEvents(p.from, days.start);
  fromEvents(days.end, p.to);
  // Without a group asked for, one grouping's rows hold every event once.
  const code = q.by === 'day' && q.only === undefined ? groupingCode.source : groupingCode[q.groupBy];
  const filter = q.only === undefined ? sql`` : q.only.key === null ? sql` AND r.key IS NULL` : sql` AND r.key = ${q.only.key}`;
  const dim = q.by === 'key' ? sql`r.key` : sql`to_char(r.day, 'YYYY-MM-DD')`;
  const from = sql`report_stage_days r WHERE r.grouping = ${code} AND r.day >= ${localDay(days.start, p.timeZone)}::date
    AND r.day < ${localDay(days.end, p.timeZone)}::date${filter} GROUP BY 2`;
  for (const [stage, a, d] of [['leads', 'leads', '0'], ['booked', 'booked', '0'], ['held', 'held', '0'], ['deals', 'first_sales', 'r.revenue']] as const) {
    members.push(sql`(SELECT ${stage}::text AS stage, ${dim} AS dim, sum(r.${sql.raw(a)})::int AS a, 0 AS b, 0 AS c,
      ${sql.raw(d === '0' ? '0' : `sum(${d})`)}::bigint AS d FROM ${from})`);
  }
  return members;
}
