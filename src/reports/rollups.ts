import { sql, type SQL } from 'drizzle-orm';
import { rowsOf, type Db } from '../db/client.js';
import type { Services } from '../services.js';
import { dayBounds } from './period.js';
import { stageDayRows } from './stages.js';

/**
 * Report rollups (migration 0014), kept here and read by call-stage.ts and stages.ts.
 *
 * Calls: each call's marks (the same caller's previous call in each grouping, and whether it is their
 * last there) and a row per local day and group with its calls, target calls and callers' last calls.
 * A trigger on `calls` queues the callers whose calls changed; a refresh recomputes their marks and adds
 * the difference to the day rows.
 * The later stages (leads, meetings booked and held, first sales, revenue): a row per local day and group.
 * Triggers on contacts, meetings, deals, handoffs and calls queue the instants whose day changed; a
 * refresh counts those days again.
 * Time in each state: a row per local day, person, state and reason, from the state log's ended
 * intervals; a change to someone's log queues them, and a refresh counts their days from it on again.
 *
 * A refresh is one repeatable-read transaction serialised by the state row's lock, so that instances
 * refreshing at once never apply a change twice. Reports refresh before they read, so they see every
 * change committed before they started. Everything is rebuilt when the company's time zone or currency
 * changed, or after a bulk load.
 */

/** More changes queued than this and the rollups are rebuilt whole (a bulk load), not change by change. */
export const REBUILD_ABOVE = 50_000;
const BATCH = 5_000;
/** Days counted again per transaction. */
const DAY_BATCH = 31;
const MAX_ROUNDS = 50;
const ATTEMPTS = 5;

const markColumns = sql.raw(
  'call_id, caller_key, started_at, day, source_id, campaign_id, operator_id, target, handled, made, connected, talk, ' +
    'prev_any, prev_source, prev_campaign, prev_operator, last_any, last_source, last_campaign, last_operator',
);

const dayColumns = sql.raw('dim, day, key, calls, target, lasts, handled, made, connected, talk');

/** The marks of the non-internal calls `where` selects (whole callers: the windows need all their calls). */
function freshMarks(timeZone: string, where: SQL) {
  const w = (part: string) => `PARTITION BY c.caller_key${part} ORDER BY c.started_at, c.id`;
  const window = (part: string) => sql.raw(`CASE WHEN c.caller_key IS NULL THEN 'infinity'::timestamptz ELSE lag(c.started_at) OVER (${w(part)}) END`);
  const last = (part: string) => sql.raw(`(c.caller_key IS NOT NULL AND lead(c.id) OVER (${w(part)}) IS NULL)`);
  return sql`SELECT c.id AS call_id, c.caller_key, c.started_at, (c.started_at AT TIME ZONE ${timeZone})::date AS day,
      c.source_id, c.campaign_id, c.operator_id, c.target,
      (c.direction = 'inbound' AND c.answered_at IS NOT NULL) AS handled, c.direction = 'outbound' AS made,
      (c.direction = 'outbound' AND c.answered_at IS NOT NULL) AS connected,
      CASE WHEN c.answered_at IS NOT NULL THEN coalesce(c.talk_seconds, 0) ELSE 0 END AS talk,
      ${window('')} AS prev_any, ${window(', c.source_id')} AS prev_source,
      ${window(', c.campaign_id')} AS prev_campaign, ${window(', c.operator_id')} AS prev_operator,
      ${last('')} AS last_any, ${last(', c.source_id')} AS last_source,
      ${last(', c.campaign_id')} AS last_campaign, ${last(', c.operator_id')} AS last_operator
    FROM calls c WHERE c.direction <> 'internal' AND ${where}`;
}

/** A set of marks (with a `sign` column) as day-row contributions, one per grouping. */
const contributions = (marks: SQL) => sql`SELECT v.dim, x.day, v.key, sum(x.sign)::int AS calls,
    sum(x.sign * x.target::int)::int AS target, sum(x.sign * v.last::int)::int AS lasts,
    sum(x.sign * x.handled::int)::int AS handled, sum(x.sign * x.made::int)::int AS made,
    sum(x.sign * x.connected::int)::int AS connected, sum(x.sign * x.talk)::bigint AS talk
  FROM (${marks}) x
  CROSS JOIN LATERAL (VALUES (0::smallint, NULL::text, x.last_any), (1::smallint, x.source_id, x.last_source),
                             (2::smallint, x.campaign_id, x.last_campaign), (3::smallint, x.operator_id, x.last_operator)) v(dim, key, last)
  GROUP BY 1, 2, 3`;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

interface State {
  time_zone: string | null;
  currency: string | null;
}

const isSerializationFailure = (err: unknown) => {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === '40001' || e?.cause?.code === '40001';
};

/** Runs `fn` in a repeatable-read transaction holding the state row; again if a concurrent refresh won. */
async function serialised<T>(db: Db, fn: (tx: Tx, state: State) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(
        async (tx) => {
          const [state] = rowsOf<State>(await tx.execute(sql`SELECT time_zone, currency FROM report_rollup_state FOR UPDATE`));
          const out = await fn(tx, state!);
          await tx.execute(sql`UPDATE report_rollup_state SET version = version + 1, updated_at = now()`);
          return out;
        },
        { isolationLevel: 'repeatable read' },
      );
    } catch (err) {
      if (!isSerializationFailure(err) || attempt >= ATTEMPTS) throw err;
    }
  }
}

interface Basis {
  timeZone: string;
  currency: string;
}

async function rebuild(tx: Tx, b: Basis) {
  for (const table of ['report_dirty_callers', 'report_call_days', 'report_call_marks', 'report_dirty_days', 'report_stage_days', 'report_dirty_states', 'report_state_days']) {
    await tx.execute(sql.raw(`DELETE FROM ${table}`));
  }
  await tx.execute(stateDayRows(sql`SELECT id AS user_id, '-infinity'::date AS d0 FROM users`, b.timeZone));
  await tx.execute(sql`INSERT INTO report_call_marks (${markColumns}) ${freshMarks(b.timeZone, sql`true`)}`);
  await tx.execute(sql`INSERT INTO report_call_days (${dayColumns}) ${contributions(sql`SELECT 1 AS sign, * FROM report_call_marks`)}`);
  await tx.execute(sql`INSERT INTO report_stage_days (grouping, day, key, leads, booked, held, first_sales, revenue)
    ${stageDayRows(null, b.timeZone, b.currency)}`);
  await tx.execute(sql`UPDATE report_rollup_state SET time_zone = ${b.timeZone}, currency = ${b.currency}, built_at = now()`);
}

/**
 * Inserts the state rows of each person of `from` (user_id, d0) from local day d0 on: every interval of
 * their state log that has ended (the next state began), cut at local midnights. Intervals are read from
 * the last state that began before d0, so the day's first hours count too.
 */
function stateDayRows(from: SQL, timeZone: string) {
  const midnight = (d: SQL) => sql`(${d}::timestamp AT TIME ZONE ${timeZone})`;
  return sql`INSERT INTO report_state_days (user_id, day, status, reason, seconds)
    SELECT z.user_id, g.day, iv.status, iv.reason, sum(extract(epoch FROM least(iv.e, ${midnight(sql`(g.day + 1)`)}) - greatest(iv.s, ${midnight(sql`g.day`)})))
    FROM (${from}) z
    CROSS JOIN LATERAL (
      SELECT l.status, l.reason, l.at AS s, lead(l.at) OVER (ORDER BY l.at, l.id) AS e FROM user_status_log l
      WHERE l.user_id = z.user_id AND l.at >= coalesce((SELECT max(p.at) FROM user_status_log p WHERE p.user_id = z.user_id AND p.at < ${midnight(sql`z.d0`)}), '-infinity')
    ) iv
    CROSS JOIN LATERAL (
      SELECT x::date AS day FROM generate_series(greatest(z.d0, (iv.s AT TIME ZONE ${timeZone})::date), (iv.e AT TIME ZONE ${timeZone})::date, interval '1 day') x
    ) g
    WHERE iv.e IS NOT NULL AND least(iv.e, ${midnight(sql`(g.day + 1)`)}) > greatest(iv.s, ${midnight(sql`g.day`)})
    GROUP BY 1, 2, 3, 4`;
}

/** One batch of people whose state log changed: their state rows from the day of the change on, again. */
async function applyStates(tx: Tx, b: Basis): Promise<number> {
  const taken = rowsOf<{ user_id: string; d0: string }>(
    await tx.execute(sql`WITH t AS (DELETE FROM report_dirty_states WHERE id IN (SELECT id FROM report_dirty_states ORDER BY id LIMIT ${BATCH})
        RETURNING user_id, at),
      d AS (SELECT user_id, min(at) AS at FROM t GROUP BY 1)
      -- From the day the state before the change began: that state now ends at the change.
      SELECT d.user_id, to_char(coalesce((SELECT max(l.at) FROM user_status_log l WHERE l.user_id = d.user_id AND l.at < d.at), d.at)
        AT TIME ZONE ${b.timeZone}, 'YYYY-MM-DD') AS d0
      FROM d`),
  );
  if (!taken.length) return 0;
  const from = sql`SELECT u AS user_id, d::date AS d0 FROM unnest(string_to_array(${taken.map((r) => r.user_id).join(',')}, ','),
    string_to_array(${taken.map((r) => r.d0).join(',')}, ',')) AS x(u, d)`;
  await tx.execute(sql`DELETE FROM report_state_days r USING (${from}) z WHERE r.user_id = z.user_id AND r.day >= z.d0`);
  await tx.execute(stateDayRows(from, b.timeZone));
  return taken.length;
}

/** One batch of queued days: their stage rows counted again from the events. */
async function applyDays(tx: Tx, b: Basis): Promise<{ taken: number; requeued: number }> {
  const taken = rowsOf<{ day: string }>(
    await tx.execute(sql`WITH t AS (DELETE FROM report_dirty_days WHERE id IN (SELECT id FROM report_dirty_days ORDER BY id LIMIT ${BATCH}) RETURNING at)
      SELECT DISTINCT to_char(at AT TIME ZONE ${b.timeZone}, 'YYYY-MM-DD') AS day FROM t ORDER BY 1`),
  );
  // More distinct days than one transaction should count go back to the queue (as their local noon).
  const now = taken.slice(0, DAY_BATCH).map((r) => r.day);
  const later = taken.slice(DAY_BATCH).map((r) => r.day);
  if (later.length) {
    await tx.execute(sql`INSERT INTO report_dirty_days (at)
      SELECT (d::date + time '12:00') AT TIME ZONE ${b.timeZone} FROM unnest(string_to_array(${later.join(',')}, ',')) d`);
  }
  for (const day of now) {
    await tx.execute(sql`DELETE FROM report_stage_days WHERE day = ${day}::date`);
    await tx.execute(sql`INSERT INTO report_stage_days (grouping, day, key, leads, booked, held, first_sales, revenue)
      ${stageDayRows(dayBounds(day, b.timeZone), b.timeZone, b.currency)}`);
  }
  return { taken: taken.length, requeued: later.length };
}

/** One batch of queued callers: their marks recomputed, the difference applied to the day rows. */
async function applyBatch(tx: Tx, timeZone: string): Promise<number> {
  const taken = rowsOf<{ caller_key: string | number | null }>(
    await tx.execute(sql`DELETE FROM report_dirty_callers WHERE id IN (SELECT id FROM report_dirty_callers ORDER BY id LIMIT ${BATCH})
      RETURNING caller_key`),
  );
  if (!taken.length) return 0;
  const keys = [...new Set(taken.filter((r) => r.caller_key !== null).map((r) => String(r.caller_key)))].join(',');
  const unknown = taken.some((r) => r.caller_key === null);
  const among = (c: 'c' | 'm') =>
    sql`(${sql.raw(c)}.caller_key = ANY(string_to_array(${keys}, ',')::bigint[])${unknown ? sql.raw(` OR ${c}.caller_key IS NULL`) : sql``})`;
  const mine = among('c');
  const fresh = freshMarks(timeZone, mine);
  // A call that moved from another caller has its old marks there; both callers are queued, but a call's
  // marks are matched by its id as well, so that they can never be counted twice.
  const stale = sql`SELECT ${markColumns} FROM report_call_marks m
    WHERE ${among('m')} OR m.call_id IN (SELECT c.id FROM calls c WHERE ${mine})`;
  await tx.execute(sql`WITH fresh AS (${fresh}), stale AS (${stale}),
      changed AS (SELECT 1 AS sign, * FROM (SELECT * FROM fresh EXCEPT ALL SELECT * FROM stale) p
                  UNION ALL SELECT -1, * FROM (SELECT * FROM stale EXCEPT ALL SELECT * FROM fresh) q)
    INSERT INTO report_call_days AS r (${dayColumns}) ${contributions(sql`SELECT * FROM changed`)}
    ON CONFLICT ON CONSTRAINT report_call_days_key DO UPDATE
      SET calls = r.calls + excluded.calls, target = r.target + excluded.target, lasts = r.lasts + excluded.lasts,
        handled = r.handled + excluded.handled, made = r.made + excluded.made, connected = r.connected + excluded.connected,
        talk = r.talk + excluded.talk`);
  await tx.execute(sql`DELETE FROM report_call_marks m WHERE m.call_id IN (SELECT s.call_id FROM (${stale}) s)`);
  await tx.execute(sql`INSERT INTO report_call_marks (${markColumns}) ${fresh}`);
  return taken.length;
}

export interface RefreshResult {
  rebuilt: boolean;
  /** Queued changes applied (0 when rebuilt). */
  applied: number;
}

async function refreshOnce(s: Services): Promise<RefreshResult> {
  const db = s.database.db;
  const b: Basis = { timeZone: s.config.companyTimeZone, currency: s.config.currency };
  const queued = (table: string) => sql.raw(`(SELECT count(*)::int FROM (SELECT 1 FROM ${table} LIMIT ${REBUILD_ABOVE + 1}) q)`);
  const [peek] = rowsOf<{ time_zone: string | null; currency: string | null; callers: number; days: number; states: number }>(
    await db.execute(sql`SELECT time_zone, currency, ${queued('report_dirty_callers')} AS callers, ${queued('report_dirty_days')} AS days,
        ${queued('report_dirty_states')} AS states
      FROM report_rollup_state`),
  );
  const current = (st: State) => st.time_zone === b.timeZone && st.currency === b.currency;
  const q = peek!;
  if (current(q) && q.callers === 0 && q.days === 0 && q.states === 0) return { rebuilt: false, applied: 0 };
  if (!current(q) || q.callers > REBUILD_ABOVE || q.days > REBUILD_ABOVE || q.states > REBUILD_ABOVE) {
    const started = Date.now();
    await serialised(db, (tx) => rebuild(tx, b));
    s.logger.info({ timeZone: b.timeZone, currency: b.currency, ms: Date.now() - started }, 'report rollups rebuilt');
    return { rebuilt: true, applied: 0 };
  }
  // Rounds until the queues are drained; changes keep arriving on a busy service, so a bounded number.
  let applied = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const r = await serialised(db, async (tx, state) => {
      if (!current(state)) return (await rebuild(tx, b), { callers: 0, states: 0, taken: 0, requeued: 0 });
      return { callers: await applyBatch(tx, b.timeZone), states: await applyStates(tx, b), ...(await applyDays(tx, b)) };
    });
    applied += r.callers + r.states + r.taken;
    if (r.callers < BATCH && r.states < BATCH && r.taken < BATCH && r.requeued === 0) break;
  }
  return { rebuilt: false, applied };
}

const chains = new WeakMap<Services, Promise<unknown>>();

/**
 * Brings the rollups up to date with every call committed before it was called (rebuilt whole when the
 * company's time zone changed or after a bulk load). Refreshes of one service run one after another.
 */
export function refreshReportRollups(s: Services): Promise<RefreshResult> {
  const next = (chains.get(s) ?? Promise.resolve()).catch(() => {}).then(() => refreshOnce(s));
  chains.set(s, next);
  return next;
}

/**
 * Keeps the rollups fresh in the background (every REPORT_ROLLUP_REFRESH_MS; 0: only when a report asks),
 * so that a report seldom has more than a few callers to apply.
 */
export function startReportRollups(s: Services) {
  const every = s.config.reports.rollupRefreshMs;
  if (every === 0) return { stop: async () => void (await chains.get(s)?.catch(() => {})) };
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    refreshReportRollups(s)
      .catch((err: Error) => s.logger.warn({ err: err.message }, 'could not refresh report rollups'))
      .finally(() => (busy = false));
  };
  const timer = setInterval(tick, every);
  timer.unref();
  tick();
  return {
    stop: async () => {
      clearInterval(timer);
      await chains.get(s)?.catch(() => {});
    },
  };
}

