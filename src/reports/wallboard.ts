import { sql } from 'drizzle-orm';
import type { Server } from 'socket.io';
import type { Services } from '../services.js';
import type { Role, UserStatus } from '../db/schema.js';
import { isoText } from '../db/client.js';
import { periodsAt } from '../meetings/policy.js';
import { onStatusChange } from '../users/service.js';
import { roleRoom } from '../realtime/hub.js';

export const wallboardRoles = ['admin', 'cc_admin', 'sales_head'] as const satisfies readonly Role[];

interface Person {
  id: string;
  name: string;
  status: UserStatus;
  reason: string | null;
  since: string;
  open_offers?: number;
}
interface Facts extends Record<string, unknown> {
  operators: Person[] | null;
  hunters: Person[] | null;
  waiting: number;
  oldest: string | null;
  inbound: number;
  finished: number;
  answered: number;
  within_sl: number;
  abandoned: number;
  outbound: number;
  booked: number;
  open_offers: number;
}

/**
 * The call centre now: each operator's state since when and why, callers waiting and the longest wait,
 * today's calls (the company's day), service level and abandoned rate among callers who reached the
 * queue, meetings booked today, and the hunters' open offers. One statement.
 */
export async function wallboardSnapshot(s: Services) {
  const now = s.clock.now();
  const day = periodsAt(now, s.config.companyTimeZone, 'month').dayStart.toISOString();
  const sl = s.config.reports.serviceLevelSeconds;
  const person = sql`json_build_object('id', u.id, 'name', u.name, 'status', u.status, 'reason', u.status_reason, 'since', ${isoText(sql`u.status_changed_at`)})`;
  const [f] = await s.database.query<Facts>(sql`
    WITH today AS (
      SELECT direction, queued_at, answered_at, acd_outcome FROM calls WHERE started_at >= ${day}::timestamptz
    ), offers AS (
      SELECT hunter_id, count(*)::int AS n FROM meeting_offers WHERE status = 'open' GROUP BY 1
    )
    SELECT
      (SELECT json_agg(${person} ORDER BY u.name, u.id) FROM users u WHERE u.role = 'operator' AND u.active) AS operators,
      (SELECT json_agg(${person}::jsonb || jsonb_build_object('open_offers', coalesce(o.n, 0)) ORDER BY u.name, u.id)
         FROM users u LEFT JOIN offers o ON o.hunter_id = u.id WHERE u.role = 'hunter' AND u.active) AS hunters,
      (SELECT count(*)::int FROM calls WHERE queued_at IS NOT NULL AND acd_outcome IS NULL AND ended_at IS NULL) AS waiting,
      (SELECT ${isoText(sql`min(queued_at)`)} FROM calls WHERE queued_at IS NOT NULL AND acd_outcome IS NULL AND ended_at IS NULL) AS oldest,
      (SELECT count(*)::int FROM today WHERE direction = 'inbound') AS inbound,
      (SELECT count(*)::int FROM today WHERE queued_at IS NOT NULL AND acd_outcome IN ('answered', 'abandoned', 'timed_out')) AS finished,
      (SELECT count(*)::int FROM today WHERE queued_at IS NOT NULL AND acd_outcome = 'answered') AS answered,
      (SELECT count(*)::int FROM today WHERE queued_at IS NOT NULL AND acd_outcome = 'answered'
         AND answered_at <= queued_at + make_interval(secs => ${sl})) AS within_sl,
      (SELECT count(*)::int FROM today WHERE queued_at IS NOT NULL AND acd_outcome = 'abandoned') AS abandoned,
      (SELECT count(*)::int FROM today WHERE direction = 'outbound') AS outbound,
      (SELECT count(*)::int FROM meetings WHERE created_at >= ${day}::timestamptz) AS booked,
      (SELECT coalesce(sum(n), 0)::int FROM offers) AS open_offers`);
  const connected = await s.realtime.presenceSnapshot();
  const rate = (n: number, d: number) => (d ? Math.round((n / d) * 10_000) / 10_000 : null);
  const people = (list: Person[] | null) => (list ?? []).map((p) => ({ id: p.id, name: p.name, status: p.status, reason: p.reason, since: p.since, connected: connected.has(p.id) }));
  return {
    at: now.toISOString(),
    timeZone: s.config.companyTimeZone,
    serviceLevelSeconds: sl,
    operators: people(f!.operators),
    queue: {
      waiting: f!.waiting,
      longestWaitSeconds: f!.oldest ? Math.max(0, Math.round((now.getTime() - Date.parse(f!.oldest)) / 1000)) : 0,
      oldestQueuedAt: f!.oldest,
    },
    today: {
      inbound: f!.inbound,
      answered: f!.answered,
      answeredWithinSl: f!.within_sl,
      serviceLevel: rate(f!.within_sl, f!.finished),
      abandoned: f!.abandoned,
      abandonedRate: rate(f!.abandoned, f!.finished),
      outbound: f!.outbound,
      meetingsBooked: f!.booked,
    },
    hunters: (f!.hunters ?? []).map((h) => ({ ...people([h])[0]!, openOffers: h.open_offers ?? 0 })),
    openOffers: f!.open_offers,
  };
}

export type Wallboard = Awaited<ReturnType<typeof wallboardSnapshot>>;

/**
 * Pushes `wallboard:updated` to the supervisors connected to this instance whenever the board changed:
 * checked every WALLBOARD_REFRESH_MS, and soon after anyone's state changes. Each instance serves its
 * own sockets, so nothing is sent twice across instances.
 */
export function startWallboardPush(io: Server, s: Services) {
  const rooms = wallboardRoles.map(roleRoom);
  let last = '';
  let running = false;
  let soon: NodeJS.Timeout | null = null;
  const watched = () => rooms.some((r) => (io.of('/').adapter.rooms.get(r)?.size ?? 0) > 0);
  const tick = async () => {
    if (running || !watched()) return;
    running = true;
    try {
      const board = await wallboardSnapshot(s);
      // `at` and the longest wait move every second by themselves; the panel ticks those.
      const fingerprint = JSON.stringify({ ...board, at: null, queue: { ...board.queue, longestWaitSeconds: null } });
      if (fingerprint !== last) {
        last = fingerprint;
        io.local.to(rooms).emit('wallboard:updated', board);
      }
    } catch (err) {
      s.logger.warn({ err: (err as Error).message }, 'wallboard refresh failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), s.config.reports.wallboardRefreshMs);
  timer.unref();
  const unsubscribe = onStatusChange(s, () => {
    soon ??= setTimeout(() => {
      soon = null;
      void tick();
    }, 200);
  });
  return () => {
    clearInterval(timer);
    if (soon) clearTimeout(soon);
    unsubscribe();
  };
}
