/**
 * Routing of booked meetings to hunters as offers. Decisions are made in batches (whatever is waiting
 * when the previous batch commits), each batch in one transaction under a PostgreSQL advisory lock, so
 * several instances routing at once see each other's assignments and open offers: fairness holds and
 * nobody is double-assigned. Deadlines live in `meeting_offers.expires_at`; `sweepExpiredOffers` (any
 * instance, any number of them) moves expired offers on and picks up meetings left waiting by a crash.
 */
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { contacts, hunterRouting, meetingOffers, meetings, routingDecisions, users, type WorkingHours } from '../db/schema.js';
import { rowsOf, type Db } from '../db/client.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { meetingCards, type MeetingDto } from './cards.js';
import { choose, judge, periodsAt, returnCredit, withinWorkingHours, type CandidateFacts, type Choice } from './policy.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
type MeetingRow = typeof meetings.$inferSelect;

const ROUTING_LOCK = 727006;

/** Free e-mail providers: the same domain there says nothing about the company. */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yandex.ru', 'ya.ru', 'yandex.com', 'mail.ru', 'bk.ru', 'inbox.ru', 'list.ru', 'rambler.ru',
  'outlook.com', 'hotmail.com', 'live.com', 'icloud.com', 'me.com', 'yahoo.com', 'proton.me', 'protonmail.com', 'ukr.net', 'i.ua', 'meta.ua',
]);

/** What happened, for the caller to announce once the transaction has committed. */
export interface RoutingEffects {
  offered?: { offerId: string; hunterId: string; expiresAt: Date; how: 'sticky' | 'pool' };
  unassigned?: boolean;
  assigned?: { hunterId: string; bookedBy: string };
  closedOffers: Array<{ offerId: string; hunterId: string; status: 'expired' | 'declined' | 'withdrawn' | 'accepted' }>;
  meetingId: string;
  /** The hunter a head took the meeting from. */
  reassignedFrom?: string;
  /** The meeting as announced (set when it was announced with an offer or an assignment). */
  card?: MeetingDto;
}

const effectsFor = (meetingId: string): RoutingEffects => ({ meetingId, closedOffers: [] });

async function log(tx: Tx, s: Services, meetingId: string, kind: (typeof routingDecisions.$inferInsert)['kind'], detail: object, hunterId: string | null = null, actorId: string | null = null) {
  await tx.insert(routingDecisions).values({ meetingId, at: s.clock.now(), kind, hunterId, actorId, detail });
}

/** The hunter who already holds this prospect, or its company (same tax id or company e-mail domain). */
async function ownerOf(tx: Tx, contactId: string): Promise<string | null> {
  const [c] = await tx.select({ hunterId: contacts.hunterId, email: contacts.email, taxId: contacts.taxId }).from(contacts).where(eq(contacts.id, contactId));
  if (!c) return null;
  if (c.hunterId) return c.hunterId;
  const domain = c.email?.split('@')[1]?.toLowerCase();
  const byDomain = domain && !PUBLIC_MAIL_DOMAINS.has(domain) ? domain : null;
  if (!c.taxId && !byDomain) return null;
  const rows = rowsOf<{ hunter_id: string }>(
    await tx.execute(sql`
      SELECT c.hunter_id FROM contacts c JOIN users u ON u.id = c.hunter_id AND u.active
      WHERE c.id <> ${contactId} AND c.hunter_id IS NOT NULL
        AND (${c.taxId}::text IS NOT NULL AND c.tax_id = ${c.taxId} OR ${byDomain}::text IS NOT NULL AND lower(c.email) LIKE ${'%@' + (byDomain ?? '')})
      ORDER BY c.updated_at DESC LIMIT 1`),
  );
  return rows[0]?.hunter_id ?? null;
}

interface FactRow {
  id: string;
  name: string;
  timezone: string;
  working_hours: WorkingHours | null;
  paused: boolean;
  weight: string | number;
  daily_cap: number | null;
  weekly_cap: number | null;
  credit: string | number;
  credited_until_ms: number | null;
  period_count: number;
  day_count: number;
  week_count: number;
  open_offers: number;
  last_assigned_ms: number | null;
  absent: boolean;
  returned_ms: number | null;
}

/** Facts about every active hunter at `now` (counts in the company's day, week and fairness period). */
async function loadFacts(tx: Tx, s: Services, now: Date, presence: Set<string>) {
  const p = periodsAt(now, s.config.companyTimeZone, s.config.routing.period);
  const iso = (d: Date) => d.toISOString();
  const rows = rowsOf<FactRow>(
    await tx.execute(sql`
      SELECT u.id, u.name, u.timezone, u.working_hours, u.status = 'paused' AS paused,
        coalesce(r.weight, 1) AS weight, r.daily_cap, r.weekly_cap,
        CASE WHEN r.credit_period = ${p.periodKey} THEN r.credit ELSE 0 END AS credit,
        (extract(epoch FROM r.credited_until) * 1000)::float8 AS credited_until_ms,
        (SELECT count(*) FROM meetings m WHERE m.hunter_id = u.id AND m.assigned_at >= ${iso(p.periodStart)}::timestamptz)::int AS period_count,
        (SELECT count(*) FROM meetings m WHERE m.hunter_id = u.id AND m.assigned_at >= ${iso(p.dayStart)}::timestamptz)::int AS day_count,
        (SELECT count(*) FROM meetings m WHERE m.hunter_id = u.id AND m.assigned_at >= ${iso(p.weekStart)}::timestamptz)::int AS week_count,
        (SELECT count(*) FROM meeting_offers o WHERE o.hunter_id = u.id AND o.status = 'open')::int AS open_offers,
        (SELECT (extract(epoch FROM max(m.assigned_at)) * 1000)::float8 FROM meetings m WHERE m.hunter_id = u.id) AS last_assigned_ms,
        EXISTS (SELECT 1 FROM absences a WHERE a.user_id = u.id AND a.starts_at <= ${iso(now)}::timestamptz AND a.ends_at > ${iso(now)}::timestamptz) AS absent,
        (SELECT (extract(epoch FROM max(a.ends_at)) * 1000)::float8 FROM absences a
          WHERE a.user_id = u.id AND a.ends_at <= ${iso(now)}::timestamptz AND a.ends_at > ${iso(p.periodStart)}::timestamptz) AS returned_ms
      FROM users u LEFT JOIN hunter_routing r ON r.user_id = u.id
      WHERE u.role = 'hunter' AND u.active
      ORDER BY u.id`),
  );
  const facts: CandidateFacts[] = rows.map((r) => ({
    id: r.id,
    name: r.name,
    weight: Number(r.weight),
    dailyCap: r.daily_cap,
    weeklyCap: r.weekly_cap,
    periodCount: r.period_count,
    credit: Number(r.credit),
    dayCount: r.day_count,
    weekCount: r.week_count,
    openOffers: r.open_offers,
    lastAssignedAt: r.last_assigned_ms === null ? null : new Date(r.last_assigned_ms),
    absent: r.absent,
    paused: r.paused,
    inWorkingHours: withinWorkingHours(r.working_hours, r.timezone, now),
    connected: presence.has(r.id),
    triedBefore: null,
  }));

  // Back from an absence since we last looked: rejoin at the team's level, not with a backlog to catch up.
  if (s.config.routing.returnPolicy === 'team_level') {
    const returning = rows.filter((r) => r.returned_ms !== null && (r.credited_until_ms === null || r.returned_ms > r.credited_until_ms));
    if (returning.length) {
      const back = new Set(returning.map((r) => r.id));
      // The team is whoever could take a meeting right now.
      const team = facts.filter((f) => !back.has(f.id)).map(judge).filter((v) => v.eligible).map((v) => v.load);
      // Nobody can take meetings right now: decide the credit later, when there is a team to compare with.
      for (const r of team.length ? returning : []) {
        const f = facts.find((x) => x.id === r.id)!;
        const credit = returnCredit({ periodCount: f.periodCount + f.openOffers, weight: f.weight }, team);
        f.credit = credit;
        const until = new Date(r.returned_ms!);
        await tx
          .insert(hunterRouting)
          .values({ userId: r.id, credit, creditPeriod: p.periodKey, creditedUntil: until, updatedAt: now })
          .onConflictDoUpdate({ target: hunterRouting.userId, set: { credit, creditPeriod: p.periodKey, creditedUntil: until, updatedAt: now } });
      }
    }
  }
  return facts;
}

/** Who already holds each contact's prospect (or its company), for a batch of contacts. */
async function ownersOf(tx: Tx, contactIds: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const rows = await tx
    .select({ id: contacts.id, hunterId: contacts.hunterId, email: contacts.email, taxId: contacts.taxId })
    .from(contacts)
    .where(inArray(contacts.id, contactIds));
  for (const c of rows) {
    if (c.hunterId) out.set(c.id, c.hunterId);
    else if (c.taxId || c.email) {
      const owner = await ownerOf(tx, c.id);
      if (owner) out.set(c.id, owner);
    }
  }
  // A hunter already offered (or given) a meeting with the same prospect holds it too, before accepting.
  const pending = rowsOf<{ contact_id: string; hunter_id: string }>(
    await tx.execute(sql`
      SELECT DISTINCT ON (m.contact_id) m.contact_id, coalesce(m.hunter_id, o.hunter_id) AS hunter_id
      FROM meetings m LEFT JOIN meeting_offers o ON o.meeting_id = m.id AND o.status = 'open'
      WHERE m.contact_id IN (${sql.join(contactIds.map((id) => sql`${id}`), sql`, `)})
        AND (o.id IS NOT NULL OR (m.hunter_id IS NOT NULL AND m.status IN ('assigned', 'held', 'rescheduled')))
      ORDER BY m.contact_id, m.updated_at DESC`),
  );
  for (const p of pending) if (p.hunter_id && !out.has(p.contact_id)) out.set(p.contact_id, p.hunter_id);
  return out;
}

interface RouteRequest {
  meetingId: string;
  trigger: string;
}

/**
 * Routes a batch of meetings that wait for a hunter: each goes, in order, to its owner or the fairest
 * eligible hunter, with every earlier choice of the batch counted as an open offer. Meetings another
 * transaction holds are skipped (their holder routes them; the sweeper picks up any left behind).
 */
async function routeBatch(s: Services, requests: RouteRequest[], presence: Set<string>): Promise<Map<string, RoutingEffects>> {
  const effects = new Map<string, RoutingEffects>();
  await s.database.db.transaction(async (tx) => {
    const ids = [...new Set(requests.map((r) => r.meetingId))];
    const rows = await tx
      .select()
      .from(meetings)
      .where(and(inArray(meetings.id, ids), inArray(meetings.status, ['routing', 'unassigned'])))
      .orderBy(meetings.createdAt, meetings.id)
      .for('update', { skipLocked: true });
    if (!rows.length) return;
    const owners = await ownersOf(tx, [...new Set(rows.map((m) => m.contactId))]);
    const tried = new Map<string, 'declined' | 'expired'>();
    for (const t of await tx
      .select({ meetingId: meetingOffers.meetingId, hunterId: meetingOffers.hunterId, status: meetingOffers.status })
      .from(meetingOffers)
      .where(and(inArray(meetingOffers.meetingId, rows.map((m) => m.id)), inArray(meetingOffers.status, ['declined', 'expired'])))) {
      tried.set(`${t.meetingId}:${t.hunterId}`, t.status as 'declined' | 'expired');
    }

    await tx.execute(sql`SELECT pg_advisory_xact_lock(${ROUTING_LOCK})`);
    const now = s.clock.now();
    const facts = await loadFacts(tx, s, now, presence);
    const expiresAt = new Date(now.getTime() + s.config.routing.offerSeconds * 1000);
    const triggers = new Map(requests.map((r) => [r.meetingId, r.trigger]));
    const offers: Array<typeof meetingOffers.$inferInsert> = [];
    const decisions: Array<typeof routingDecisions.$inferInsert> = [];
    const offered: string[] = [];
    const unassigned: string[] = [];

    for (const m of rows) {
      const fx = effectsFor(m.id);
      effects.set(m.id, fx);
      const mine = facts.map((f) => ({ ...f, triedBefore: tried.get(`${m.id}:${f.id}`) ?? null }));
      const choice: Choice = choose(mine, owners.get(m.contactId) ?? null);
      const detail = { trigger: triggers.get(m.id) ?? 'routing', owner: choice.owner, candidates: choice.candidates, chosen: choice.chosen?.id ?? null, how: choice.how };
      if (!choice.chosen) {
        unassigned.push(m.id);
        decisions.push({ meetingId: m.id, at: now, kind: 'no_candidates', detail });
        fx.unassigned = true;
        continue;
      }
      const offerId = newId('offer');
      offers.push({ id: offerId, meetingId: m.id, hunterId: choice.chosen.id, how: choice.how!, offeredAt: now, expiresAt });
      decisions.push({ meetingId: m.id, at: now, kind: 'offer', hunterId: choice.chosen.id, detail: { ...detail, offerId, expiresAt: expiresAt.toISOString() } });
      offered.push(m.id);
      fx.offered = { offerId, hunterId: choice.chosen.id, expiresAt, how: choice.how! };
      // The next meeting of the batch sees this offer as part of the hunter's load, and its prospect as theirs.
      facts.find((f) => f.id === choice.chosen!.id)!.openOffers += 1;
      if (!owners.has(m.contactId)) owners.set(m.contactId, choice.chosen.id);
    }
    if (offers.length) await tx.insert(meetingOffers).values(offers);
    if (offered.length) await tx.update(meetings).set({ status: 'offered', updatedAt: now }).where(inArray(meetings.id, offered));
    if (unassigned.length) await tx.update(meetings).set({ status: 'unassigned', updatedAt: now }).where(inArray(meetings.id, unassigned));
    if (decisions.length) await tx.insert(routingDecisions).values(decisions);
  });
  return effects;
}

/**
 * One router per service instance: requests that arrive while a batch is being decided wait for the
 * next batch, so a burst of bookings costs one transaction per batch instead of one per meeting.
 */
class Router {
  private waiting: Array<RouteRequest & { done: (fx: RoutingEffects) => void; fail: (err: unknown) => void }> = [];
  private busy = false;
  constructor(private readonly s: Services) {}

  route(meetingId: string, trigger: string): Promise<RoutingEffects> {
    return new Promise((done, fail) => {
      this.waiting.push({ meetingId, trigger, done, fail });
      void this.drain();
    });
  }

  private async drain() {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0, 100);
        try {
          const presence = await this.s.realtime.presenceSnapshot();
          const effects = await routeBatch(this.s, batch, presence);
          await announceAll(this.s, [...effects.values()]);
          for (const r of batch) r.done(effects.get(r.meetingId) ?? effectsFor(r.meetingId));
        } catch (err) {
          for (const r of batch) r.fail(err);
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

const routers = new WeakMap<Services, Router>();

/** Routes a meeting waiting for a hunter (new, declined, expired, unassigned) and announces the result. */
export function routeMeeting(s: Services, meetingId: string, trigger: string): Promise<RoutingEffects> {
  let r = routers.get(s);
  if (!r) routers.set(s, (r = new Router(s)));
  const started = performance.now();
  return r.route(meetingId, trigger).then((fx) => {
    s.metrics.routingLatency.observe({ trigger }, (performance.now() - started) / 1000);
    return fx;
  });
}

/** The hunter's answer to an offer. A late accept is refused (and the meeting moves on). */
export async function answerOffer(s: Services, user: AuthUser, offerId: string, answer: { accept: true } | { accept: false; reason: string }) {
  let fx = effectsFor('');
  let lateBy: Date | null = null;
  let reroute: string | null = null;
  await s.database.db.transaction(async (tx) => {
    // Lock order everywhere: the meeting, then its offers (every offer change holds the meeting's lock).
    const [m] = await tx
      .select()
      .from(meetings)
      .where(eq(meetings.id, sql`(SELECT ${meetingOffers.meetingId} FROM ${meetingOffers} WHERE ${meetingOffers.id} = ${offerId})`))
      .for('update');
    if (!m) throw notFound('Offer', offerId);
    const [offer] = await tx.select().from(meetingOffers).where(eq(meetingOffers.id, offerId));
    if (!m || !offer) throw notFound('Offer', offerId);
    if (offer.hunterId !== user.id) throw new AppError('forbidden', 'This offer was made to another hunter');
    fx = effectsFor(offer.meetingId);
    if (offer.status === 'expired') throw new AppError('gone', `The offer expired at ${offer.expiresAt.toISOString()}; the meeting went to the next hunter`);
    if (offer.status !== 'open') throw new AppError('conflict', `The offer is already ${offer.status}`);
    const now = s.clock.now();
    if (offer.expiresAt <= now) {
      lateBy = offer.expiresAt;
      await expireInTx(tx, s, offer, m.id, fx);
      reroute = 'expired';
      return;
    }
    if (answer.accept) {
      // The offer, the meeting, the prospect's owner and the log in one statement.
      const at = now.toISOString();
      const detail = JSON.stringify({ offerId, secondsToAccept: Math.round((now.getTime() - offer.offeredAt.getTime()) / 1000) });
      await tx.execute(sql`
        WITH o AS (UPDATE meeting_offers SET status = 'accepted', responded_at = ${at}::timestamptz WHERE id = ${offerId}),
             mt AS (UPDATE meetings SET status = 'assigned', hunter_id = ${user.id}, assigned_at = ${at}::timestamptz, assigned_how = ${offer.how}, updated_at = ${at}::timestamptz WHERE id = ${m.id}),
             c AS (UPDATE contacts SET hunter_id = ${user.id}, updated_at = ${at}::timestamptz WHERE id = ${m.contactId})
        INSERT INTO routing_decisions (meeting_id, at, kind, hunter_id, actor_id, detail)
        VALUES (${m.id}, ${at}::timestamptz, 'accepted', ${user.id}, ${user.id}, ${detail}::jsonb)`);
      fx.assigned = { hunterId: user.id, bookedBy: m.bookedBy };
      fx.closedOffers.push({ offerId, hunterId: user.id, status: 'accepted' });
    } else {
      await tx.update(meetingOffers).set({ status: 'declined', respondedAt: now, declineReason: answer.reason }).where(eq(meetingOffers.id, offerId));
      await log(tx, s, m.id, 'declined', { offerId, reason: answer.reason }, user.id, user.id);
      fx.closedOffers.push({ offerId, hunterId: user.id, status: 'declined' });
      await tx.update(meetings).set({ status: 'routing', updatedAt: now }).where(eq(meetings.id, m.id));
      reroute = 'declined';
    }
  });
  await announce(s, fx);
  // The answer is committed; if moving the meeting on fails now, the sweeper picks it up.
  if (reroute) await routeMeeting(s, fx.meetingId, reroute).catch((err: Error) => s.logger.error({ err, meetingId: fx.meetingId }, 'routing after an answer failed; the sweeper will retry'));
  if (lateBy) throw new AppError('gone', `The offer expired at ${(lateBy as Date).toISOString()}; the meeting went to the next hunter`);
  return fx;
}

async function assignInTx(tx: Tx, s: Services, m: MeetingRow, hunterId: string, how: 'sticky' | 'pool' | 'manual', now: Date) {
  await tx.update(meetings).set({ status: 'assigned', hunterId, assignedAt: now, assignedHow: how, updatedAt: now }).where(eq(meetings.id, m.id));
  // The prospect now belongs to this hunter: two hunters never hold the same prospect.
  await tx.update(contacts).set({ hunterId, updatedAt: now }).where(eq(contacts.id, m.contactId));
}

/** Marks an offer expired and puts its meeting back to routing; the caller routes it after commit. */
async function expireInTx(tx: Tx, s: Services, offer: typeof meetingOffers.$inferSelect, meetingId: string, fx: RoutingEffects) {
  const now = s.clock.now();
  await tx.update(meetingOffers).set({ status: 'expired', respondedAt: now }).where(eq(meetingOffers.id, offer.id));
  await log(tx, s, meetingId, 'expired', { offerId: offer.id, expiresAt: offer.expiresAt.toISOString() }, offer.hunterId);
  fx.closedOffers.push({ offerId: offer.id, hunterId: offer.hunterId, status: 'expired' });
  await tx.update(meetings).set({ status: 'routing', updatedAt: now }).where(eq(meetings.id, meetingId));
}

/** A meeting waiting this long without an open offer was left behind (e.g. a crash between steps). */
const STRANDED_AFTER_MS = 10_000;

/**
 * Expires due offers and routes their meetings on; routes meetings left waiting. Safe with any number
 * of instances: each meeting is claimed with SKIP LOCKED and its offer re-checked under the lock.
 */
export async function sweepExpiredOffers(s: Services, batch = 100): Promise<number> {
  let done = 0;
  for (;;) {
    const now = s.clock.now();
    const due = await s.database.db
      .select({ id: meetingOffers.id })
      .from(meetingOffers)
      .where(and(eq(meetingOffers.status, 'open'), sql`${meetingOffers.expiresAt} <= ${now.toISOString()}::timestamptz`))
      .orderBy(meetingOffers.expiresAt)
      .limit(batch);
    const expired: RoutingEffects[] = [];
    for (const { id } of due) {
      const fx = effectsFor('');
      await s.database.db.transaction(async (tx) => {
        const [ref] = await tx.select({ meetingId: meetingOffers.meetingId }).from(meetingOffers).where(eq(meetingOffers.id, id));
        if (!ref) return;
        // Another instance (or the hunter's answer) holds the meeting: leave it to them.
        const [m] = await tx.select({ id: meetings.id }).from(meetings).where(eq(meetings.id, ref.meetingId)).for('update', { skipLocked: true });
        if (!m) return;
        const [offer] = await tx.select().from(meetingOffers).where(eq(meetingOffers.id, id));
        if (!offer || offer.status !== 'open' || offer.expiresAt > s.clock.now()) return;
        fx.meetingId = m.id;
        await expireInTx(tx, s, offer, m.id, fx);
      });
      if (fx.meetingId) expired.push(fx);
    }
    await announceAll(s, expired);
    done += expired.length;
    const stranded = await s.database.db
      .select({ id: meetings.id })
      .from(meetings)
      .where(and(eq(meetings.status, 'routing'), lt(meetings.updatedAt, new Date(now.getTime() - STRANDED_AFTER_MS))))
      .limit(batch);
    await Promise.all([...expired.map((fx) => routeMeeting(s, fx.meetingId, 'expired')), ...stranded.map((m) => routeMeeting(s, m.id, 'stranded'))]);
    // Offers held by someone else are theirs to finish; stop instead of spinning on them.
    if (due.length < batch || !expired.length) return done;
  }
}

/** The sales head (or admin) assigns or reassigns a meeting by hand; an open offer is withdrawn. */
export async function assignManually(s: Services, actor: AuthUser, meetingId: string, hunterId: string, reason: string) {
  const fx = effectsFor(meetingId);
  await s.database.db.transaction(async (tx) => {
    const [m] = await tx.select().from(meetings).where(eq(meetings.id, meetingId)).for('update');
    if (!m) throw notFound('Meeting', meetingId);
    if (!['routing', 'offered', 'unassigned', 'assigned', 'rescheduled'].includes(m.status)) {
      throw new AppError('conflict', `A meeting that is ${m.status} cannot be reassigned`);
    }
    const [h] = await tx.select({ id: users.id, role: users.role, active: users.active }).from(users).where(eq(users.id, hunterId));
    if (!h || h.role !== 'hunter' || !h.active) {
      throw new AppError('validation_failed', 'Meetings go to active hunters only', { errors: [{ path: 'hunterId', message: 'not an active hunter' }] });
    }
    if (m.hunterId === hunterId && m.status === 'assigned') throw new AppError('conflict', 'The meeting is already assigned to this hunter');
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${ROUTING_LOCK})`);
    const now = s.clock.now();
    const open = await tx
      .update(meetingOffers)
      .set({ status: 'withdrawn', respondedAt: now })
      .where(and(eq(meetingOffers.meetingId, meetingId), eq(meetingOffers.status, 'open')))
      .returning({ id: meetingOffers.id, hunterId: meetingOffers.hunterId });
    for (const o of open) {
      fx.closedOffers.push({ offerId: o.id, hunterId: o.hunterId, status: 'withdrawn' });
      await log(tx, s, meetingId, 'withdrawn', { offerId: o.id, reason }, o.hunterId, actor.id);
    }
    await assignInTx(tx, s, m, hunterId, 'manual', now);
    await log(tx, s, meetingId, 'manual', { reason, previousHunterId: m.hunterId }, hunterId, actor.id);
    fx.assigned = { hunterId, bookedBy: m.bookedBy };
    if (m.hunterId && m.hunterId !== hunterId) fx.reassignedFrom = m.hunterId;
  });
  await announce(s, fx);
  return fx;
}

/** Pushes what committed routing steps changed to the people concerned. */
export async function announceAll(s: Services, all: RoutingEffects[]) {
  const list = all.filter((fx) => fx.meetingId);
  if (!list.length) return;
  const cards = await meetingCards(s, list.filter((fx) => fx.offered || fx.assigned).map((fx) => fx.meetingId));
  for (const fx of list) {
    for (const c of fx.closedOffers) s.realtime.toUser(c.hunterId, 'meeting:offer-closed', { offerId: c.offerId, meetingId: fx.meetingId, status: c.status });
    const card = cards.get(fx.meetingId);
    fx.card = card;
    if (card && fx.offered) {
      s.realtime.toUser(fx.offered.hunterId, 'meeting:offered', { offerId: fx.offered.offerId, how: fx.offered.how, expiresAt: fx.offered.expiresAt.toISOString(), meeting: card });
    }
    if (card && fx.assigned) {
      s.realtime.toUser(fx.assigned.hunterId, 'meeting:assigned', card);
      if (fx.assigned.bookedBy !== fx.assigned.hunterId) s.realtime.toUser(fx.assigned.bookedBy, 'meeting:assigned', card);
    }
    if (fx.unassigned) s.realtime.toRoles(['sales_head', 'admin'], 'meeting:unassigned', { meetingId: fx.meetingId });
    if (fx.reassignedFrom) s.realtime.toUser(fx.reassignedFrom, 'meeting:reassigned', { meetingId: fx.meetingId, hunterId: fx.assigned?.hunterId ?? null });
    s.realtime.toRoles(['sales_head', 'admin'], 'meeting:updated', { meetingId: fx.meetingId });
  }
}

export const announce = (s: Services, fx: RoutingEffects) => announceAll(s, [fx]);

/** Open offers of a hunter (shown again on reconnect). */
export async function openOffersOf(s: Services, hunterId: string) {
  const rows = await s.database.db
    .select()
    .from(meetingOffers)
    .where(and(eq(meetingOffers.hunterId, hunterId), eq(meetingOffers.status, 'open'), sql`${meetingOffers.expiresAt} > ${s.clock.now().toISOString()}::timestamptz`))
    .orderBy(meetingOffers.expiresAt)
    .limit(100);
  if (!rows.length) return [];
  const cards = await meetingCards(s, rows.map((r) => r.meetingId));
  return rows.map((o) => ({ offerId: o.id, how: o.how, expiresAt: o.expiresAt.toISOString(), meeting: cards.get(o.meetingId)! }));
}

