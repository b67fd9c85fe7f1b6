import { and, eq, lt, sql } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { dialEntries } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError } from '../shared/errors.js';
import { type StatementGroup } from '../db/batcher.js';
import { statementTemplate } from '../db/statements.js';
import { cardQuery, EntrySchema, hotPath, toCard, type CardRow } from './cards.js';

export const NextSchema = z
  .object({
    entry: EntrySchema.nullable(),
    held: z.boolean().openapi({ description: 'True when this is an entry you hold already: record its disposition first' }),
  })
  .openapi('DialerNext');

/**
 * Entry `e` may be called now by an operator of campaign `c`: due, in the campaign's calling window in the
 * contact's own time, and not on the do-not-call list at this moment.
 */
function callable(at: unknown) {
  const local = sql`(${at}::timestamptz AT TIME ZONE e.timezone)`;
  return sql`e.status = 'pending' AND e.next_at <= ${at}::timestamptz
    AND extract(isodow FROM ${local})::int = ANY (c.window_days)
    AND ${local}::time >= c.window_start AND ${local}::time < c.window_end
    AND NOT EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.phone = e.phone)`;
}

/** Entry `e` is nobody's personal callback, or its operator's callback has become anyone's. */
function notSomeoneElsesCallback(opId: unknown, at: unknown, grace: unknown) {
  const ago = sql`${at}::timestamptz - ${grace}::interval`;
  return sql`(e.callback_owner IS NULL OR e.callback_owner = ${opId} OR EXISTS (
    SELECT 1 FROM users u WHERE u.id = e.callback_owner AND (
      (u.status = 'offline' AND u.status_changed_at < ${ago} AND e.next_at < ${ago})
      OR NOT u.active
      OR EXISTS (SELECT 1 FROM absences a WHERE a.user_id = u.id AND a.starts_at <= ${at}::timestamptz AND a.ends_at > ${at}::timestamptz))))`;
}

/**
 * The next due entry of the operator's active campaigns, locked for them for DIALER_LOCK_MINUTES: their own
 * personal callbacks first, then by campaign priority and due time. Never the same entry to two operators
 * (row locks, skipping rows another operator is taking). Respects calling windows in the contact's time
 * zone, the do-not-call list at this moment, and personal callbacks (another operator's become anyone's
 * when that operator is absent, or offline past the grace period). An entry they hold already comes back
 * until they record its disposition.
 *
 * One statement per request, and the requests of operators asking at once go in one transaction (see
 * `hotPath`): each statement sees the entries the earlier ones took, other transactions skip them.
 */
export async function nextEntry(s: Services, op: AuthUser) {
  const now = s.clock.now();
  const request: NextRequest = {
    opId: op.id,
    at: now.toISOString(),
    until: new Date(now.getTime() + s.config.dialer.lockMinutes * 60_000).toISOString(),
    grace: `${s.config.dialer.callbackGraceMinutes} minutes`,
  };
  const rows = await hotPath(s).runInGroup<CardRow & { held: boolean }, NextRequest>(nextTogether, request, nextStatement(request));
  const [row] = rows;
  return row ? { entry: toCard(row), held: row.held } : { entry: null, held: false };
}

interface NextRequest {
  opId: string;
  at: string;
  until: string;
  grace: string;
}

// `picked` relies on the executor's order: UNION ALL runs its branches in turn and the nested loop keeps
// the campaigns' order, so LIMIT 1 stops at the first row locked and the later branches never run.
// (Entries of a list still importing are not visible yet: an import writes its entries and marks its
// list ready in one transaction.)
const nextStatement = statementTemplate(['opId', 'at', 'until', 'grace'] as const, (p) => sql`
    WITH held AS (
      SELECT h.id FROM dial_entries h WHERE h.status = 'locked' AND h.locked_by = ${p.opId}::text LIMIT 1
    ), mine AS MATERIALIZED (
      SELECT c.id, c.priority, c.window_days, c.window_start, c.window_end
      FROM campaign_members m JOIN campaigns c ON c.id = m.campaign_id
      WHERE m.user_id = ${p.opId}::text AND c.status = 'active' AND NOT EXISTS (SELECT 1 FROM held)
    ), picked AS (
      SELECT own.id FROM (
        SELECT e.id FROM mine c JOIN dial_entries e ON e.campaign_id = c.id
        WHERE e.callback_owner = ${p.opId}::text AND ${callable(p.at)}
        ORDER BY c.priority DESC, c.id, e.next_at, e.id
        LIMIT 1 FOR UPDATE OF e SKIP LOCKED
      ) own
      UNION ALL
      SELECT due.id FROM (SELECT * FROM mine ORDER BY priority DESC, id) c CROSS JOIN LATERAL (
        SELECT e.id FROM dial_entries e
        WHERE e.campaign_id = c.id AND ${callable(p.at)} AND ${notSomeoneElsesCallback(p.opId, p.at, p.grace)}
        ORDER BY e.next_at, e.id
        LIMIT 1 FOR UPDATE OF e SKIP LOCKED
      ) due
      LIMIT 1
    ), taken AS (
      UPDATE dial_entries t SET status = 'locked', locked_by = ${p.opId}::text, locked_until = ${p.until}::timestamptz, updated_at = ${p.at}::timestamptz
      WHERE t.id = (SELECT id FROM picked) AND t.status = 'pending'
      RETURNING t.*
    ), entry AS (
      SELECT d.*, true AS held FROM dial_entries d WHERE d.id = (SELECT id FROM held)
      UNION ALL
      SELECT t.*, false FROM taken t
    )
    ${cardQuery(sql`entry`, { extra: sql`, e.held` })}`);

/**
 * The next entries of many operators asking at once, in one statement: each operator's held entry comes
 * back; the others, in order of asking, get the next due entries of their top campaign (by priority),
 * one each. An operator with a personal callback due, whose top campaign has run short, or who asked twice
 * is left to `nextStatement`, which runs right after and sees what this one took.
 */
const nextTogether: StatementGroup<NextRequest> = {
  build(members) {
    const first = new Map<string, NextRequest>();
    for (const m of members) if (!first.has(m.opId)) first.set(m.opId, m);
    const asking = [...first.values()];
    return nextGroupStatement({ opIds: asking.map((m) => m.opId), untils: asking.map((m) => m.until), at: members[0]!.at, grace: members[0]!.grace });
  },
  split(rows, members) {
    const byOperator = new Map(rows.map((r) => [r.holder as string, r]));
    const seen = new Set<string>();
    return members.map((m) => {
      const row = seen.has(m.opId) ? undefined : byOperator.get(m.opId);
      seen.add(m.opId);
      return row && [row];
    });
  },
};

const nextGroupStatement = statementTemplate(['opIds', 'untils', 'at', 'grace'] as const, (p) => sql`
    WITH asking AS (
      SELECT r.op, r.until::timestamptz AS until, r.ord FROM unnest(${p.opIds}::text[], ${p.untils}::text[]) WITH ORDINALITY AS r(op, until, ord)
    ), held AS (
      SELECT DISTINCT ON (h.locked_by) h.locked_by AS op, h.id FROM dial_entries h
      WHERE h.status = 'locked' AND h.locked_by = ANY (${p.opIds}::text[]) ORDER BY h.locked_by, h.id
    ), needing AS (
      SELECT a.op, a.until, top.id AS campaign_id, row_number() OVER (PARTITION BY top.id ORDER BY a.ord) AS k
      FROM asking a CROSS JOIN LATERAL (
        SELECT c.id FROM campaign_members m JOIN campaigns c ON c.id = m.campaign_id
        WHERE m.user_id = a.op AND c.status = 'active' ORDER BY c.priority DESC, c.id LIMIT 1
      ) top
      WHERE NOT EXISTS (SELECT 1 FROM held WHERE held.op = a.op)
        AND NOT EXISTS (SELECT 1 FROM dial_entries e WHERE e.callback_owner = a.op AND e.status = 'pending' AND e.next_at <= ${p.at}::timestamptz)
    ), wanted AS (
      SELECT campaign_id, count(*) AS n FROM needing GROUP BY campaign_id
    ), picked AS (
      SELECT due.id, due.campaign_id, row_number() OVER (PARTITION BY due.campaign_id ORDER BY due.next_at, due.id) AS k
      FROM wanted w JOIN campaigns c ON c.id = w.campaign_id CROSS JOIN LATERAL (
        SELECT e.id, e.campaign_id, e.next_at FROM dial_entries e
        WHERE e.campaign_id = c.id AND ${callable(p.at)} AND ${notSomeoneElsesCallback(sql`NULL::text`, p.at, p.grace)}
        ORDER BY e.next_at, e.id
        LIMIT w.n FOR UPDATE OF e SKIP LOCKED
      ) due
    ), taken AS (
      UPDATE dial_entries t SET status = 'locked', locked_by = n.op, locked_until = n.until, updated_at = ${p.at}::timestamptz
      FROM picked k JOIN needing n ON n.campaign_id = k.campaign_id AND n.k = k.k
      WHERE t.id = k.id AND t.status = 'pending'
      RETURNING t.*
    ), entry AS (
      SELECT d.*, true AS held FROM dial_entries d JOIN held ON held.id = d.id
      UNION ALL
      SELECT t.*, false FROM taken t
    )
    ${cardQuery(sql`entry`, { extra: sql`, e.held, e.locked_by AS holder` })}`);

/** Entries locked by someone who vanished go back to the pool once their lock runs out. */
export async function releaseExpiredLocks(s: Services) {
  const released = await s.database.db
    .update(dialEntries)
    .set({ status: 'pending', lockedBy: null, lockedUntil: null, updatedAt: s.clock.now() })
    .where(and(eq(dialEntries.status, 'locked'), lt(dialEntries.lockedUntil, s.clock.now())))
    .returning({ id: dialEntries.id });
  return released.length;
}

/** An operator hands an entry back without calling (e.g. the wrong contact came up). */
export async function releaseEntry(s: Services, op: AuthUser, entryId: string) {
  const [row] = await s.database.db
    .update(dialEntries)
    .set({ status: 'pending', lockedBy: null, lockedUntil: null, updatedAt: s.clock.now() })
    .where(and(eq(dialEntries.id, entryId), eq(dialEntries.status, 'locked'), eq(dialEntries.lockedBy, op.id)))
    .returning({ id: dialEntries.id });
  if (!row) throw new AppError('conflict', 'You do not hold this entry');
}
