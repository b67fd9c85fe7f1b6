/**
 * Routing of booked meetings to hunters as offers. Every decision runs in one transaction under a
 * PostgreSQL advisory lock, so several instances routing at once see each other's assignments and open
 * offers (fairness holds, nobody is double-assigned). Deadlines live in `meeting_offers.expires_at`;
 * `sweepExpiredOffers` (any instance, any number of them) moves expired offers on.
 */
import { and, eq, sql } from 'drizzle-orm';
import { contacts, hunterRouting, meetingOffers, meetings, routingDecisions, users, type WorkingHours } from '../db/schema.js';
import { rowsOf, type Db } from '../db/client.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { meetingCard, meetingCards } from './cards.js';
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
  tried: 'declined' | 'expired' | null;
}

/** Facts about every active hunter at `now` (counts in the company's day, week and fairness period). */
async function loadFacts(tx: Tx, s: Services, meetingId: string, now: Date, presence: Set<string>) {
  const p = periodsAt(now, s.config.companyTimeZone, s.config.routing.period);
  const iso = (d: Date) => d.toISOString();
  const rows = rowsOf<FactRow>(
    await tx.execute(sql`
      SELECT u.id, u.name, u.timezone, u.working_hours,
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
          WHERE a.user_id = u.id AND a.ends_at <= ${iso(now)}::timestamptz AND a.ends_at > ${iso(p.periodStart)}::timestamptz) AS returned_ms,
        (SELECT o.status FROM meeting_offers o WHERE o.meeting_id = ${meetingId} AND o.hunter_id = u.id AND o.status IN ('declined', 'expired')
          ORDER BY o.offered_at DESC LIMIT 1) AS tried
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
    inWorkingHours: withinWorkingHours(r.working_hours, r.timezone, now),
    connected: presence.has(r.id),
    triedBefore: r.tried,
  }));

  // Back from an absence since we last looked: rejoin at the team's level, not with a backlog to catch up.
  if (s.config.routing.returnPolicy === 'team_level') {
    const returning = rows.filter((r) => r.returned_ms !== null && (r.credited_until_ms === null || r.returned_ms > r.credited_until_ms));
    if (returning.length) {
      const back = new Set(returning.map((r) => r.id));
      const team = facts.filter((f) => !back.has(f.id) && !f.absent).map((f) => judge(f).load);
      for (const r of returning) {
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

/** Offers the meeting to the next hunter, or marks it unassigned and alerts the head. Caller holds the meeting row. */
async function routeInTx(tx: Tx, s: Services, meeting: MeetingRow, presence: Set<string>, trigger: string, fx: RoutingEffects) {
  const owner = await ownerOf(tx, meeting.contactId);
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${ROUTING_LOCK})`);
  const now = s.clock.now();
  const facts = await loadFacts(tx, s, meeting.id, now, presence);
  const choice: Choice = choose(facts, owner);
  const detail = { trigger, owner: choice.owner, candidates: choice.candidates, chosen: choice.chosen?.id ?? null, how: choice.how };
  if (!choice.chosen) {
    await tx.update(meetings).set({ status: 'unassigned', updatedAt: now }).where(eq(meetings.id, meeting.id));
    await log(tx, s, meeting.id, 'no_candidates', detail);
    fx.unassigned = true;
    return;
  }
  const offerId = newId('offer');
  const expiresAt = new Date(now.getTime() + s.config.routing.offerSeconds * 1000);
  await tx.insert(meetingOffers).values({ id: offerId, meetingId: meeting.id, hunterId: choice.chosen.id, how: choice.how!, offeredAt: now, expiresAt });
  await tx.update(meetings).set({ status: 'offered', updatedAt: now }).where(eq(meetings.id, meeting.id));
  await log(tx, s, meeting.id, 'offer', { ...detail, offerId, expiresAt: expiresAt.toISOString() }, choice.chosen.id);
  fx.offered = { offerId, hunterId: choice.chosen.id, expiresAt, how: choice.how! };
}

/** Routes a meeting that is waiting for a hunter (new, or after a decline, expiry or an unassigned state). */
export async function routeMeeting(s: Services, meetingId: string, trigger: string, presetTx?: Tx): Promise<RoutingEffects> {
  const presence = await s.realtime.presenceSnapshot();
  const fx = effectsFor(meetingId);
  const run = async (tx: Tx) => {
    const [m] = await tx.select().from(meetings).where(eq(meetings.id, meetingId)).for('update');
    if (!m) throw notFound('Meeting', meetingId);
    if (m.status !== 'routing' && m.status !== 'unassigned') return;
    await routeInTx(tx, s, m, presence, trigger, fx);
  };
  if (presetTx) await run(presetTx);
  else await s.database.db.transaction(run);
  return fx;
}

/** The hunter's answer to an offer. A late accept is refused (and the meeting moves on). */
export async function answerOffer(s: Services, user: AuthUser, offerId: string, answer: { accept: true } | { accept: false; reason: string }) {
  const presence = await s.realtime.presenceSnapshot();
  let fx = effectsFor('');
  let lateBy: Date | null = null;
  await s.database.db.transaction(async (tx) => {
    // Lock order everywhere: the meeting, then its offers (every offer change holds the meeting's lock).
    const [ref] = await tx.select({ meetingId: meetingOffers.meetingId }).from(meetingOffers).where(eq(meetingOffers.id, offerId));
    if (!ref) throw notFound('Offer', offerId);
    const [m] = await tx.select().from(meetings).where(eq(meetings.id, ref.meetingId)).for('update');
    const [offer] = await tx.select().from(meetingOffers).where(eq(meetingOffers.id, offerId));
    if (!m || !offer) throw notFound('Offer', offerId);
    if (offer.hunterId !== user.id) throw new AppError('forbidden', 'This offer was made to another hunter');
    fx = effectsFor(offer.meetingId);
    if (offer.status === 'expired') throw new AppError('gone', `The offer expired at ${offer.expiresAt.toISOString()}; the meeting went to the next hunter`);
    if (offer.status !== 'open') throw new AppError('conflict', `The offer is already ${offer.status}`);
    const now = s.clock.now();
    if (offer.expiresAt <= now) {
      lateBy = offer.expiresAt;
      await expireInTx(tx, s, offer, m, presence, fx);
      return;
    }
    if (answer.accept) {
      await tx.update(meetingOffers).set({ status: 'accepted', respondedAt: now }).where(eq(meetingOffers.id, offerId));
      await assignInTx(tx, s, m, user.id, offer.how, now);
      await log(tx, s, m.id, 'accepted', { offerId, secondsToAccept: Math.round((now.getTime() - offer.offeredAt.getTime()) / 1000) }, user.id, user.id);
      fx.assigned = { hunterId: user.id, bookedBy: m.bookedBy };
      fx.closedOffers.push({ offerId, hunterId: user.id, status: 'accepted' });
    } else {
      await tx.update(meetingOffers).set({ status: 'declined', respondedAt: now, declineReason: answer.reason }).where(eq(meetingOffers.id, offerId));
      await log(tx, s, m.id, 'declined', { offerId, reason: answer.reason }, user.id, user.id);
      fx.closedOffers.push({ offerId, hunterId: user.id, status: 'declined' });
      await tx.update(meetings).set({ status: 'routing', updatedAt: now }).where(eq(meetings.id, m.id));
      await routeInTx(tx, s, { ...m, status: 'routing' }, presence, 'declined', fx);
    }
  });
  await announce(s, fx);
  if (lateBy) throw new AppError('gone', `The offer expired at ${(lateBy as Date).toISOString()}; the meeting went to the next hunter`);
  return fx;
}

async function assignInTx(tx: Tx, s: Services, m: MeetingRow, hunterId: string, how: 'sticky' | 'pool' | 'manual', now: Date) {
  await tx.update(meetings).set({ status: 'assigned', hunterId, assignedAt: now, assignedHow: how, updatedAt: now }).where(eq(meetings.id, m.id));
  // The prospect now belongs to this hunter: two hunters never hold the same prospect.
  await tx.update(contacts).set({ hunterId, updatedAt: now }).where(eq(contacts.id, m.contactId));
}

async function expireInTx(tx: Tx, s: Services, offer: typeof meetingOffers.$inferSelect, m: MeetingRow, presence: Set<string>, fx: RoutingEffects) {
  const now = s.clock.now();
  await tx.update(meetingOffers).set({ status: 'expired', respondedAt: now }).where(eq(meetingOffers.id, offer.id));
  await log(tx, s, m.id, 'expired', { offerId: offer.id, expiresAt: offer.expiresAt.toISOString() }, offer.hunterId);
  fx.closedOffers.push({ offerId: offer.id, hunterId: offer.hunterId, status: 'expired' });
  await tx.update(meetings).set({ status: 'routing', updatedAt: now }).where(eq(meetings.id, m.id));
  await routeInTx(tx, s, { ...m, status: 'routing' }, presence, 'expired', fx);
}

/**
 * Expires due offers and routes their meetings on. Safe with any number of instances: each due offer is
 * claimed with SKIP LOCKED and re-checked under its lock.
 */
export async function sweepExpiredOffers(s: Services, batch = 50): Promise<number> {
  let done = 0;
  for (;;) {
    const now = s.clock.now();
    const due = await s.database.db
      .select({ id: meetingOffers.id })
      .from(meetingOffers)
      .where(and(eq(meetingOffers.status, 'open'), sql`${meetingOffers.expiresAt} <= ${now.toISOString()}::timestamptz`))
      .orderBy(meetingOffers.expiresAt)
      .limit(batch);
    if (!due.length) return done;
    const presence = await s.realtime.presenceSnapshot();
    const before = done;
    for (const { id } of due) {
      const fx = effectsFor('');
      await s.database.db.transaction(async (tx) => {
        const [ref] = await tx.select({ meetingId: meetingOffers.meetingId }).from(meetingOffers).where(eq(meetingOffers.id, id));
        if (!ref) return;
        // Another instance (or the hunter's answer) holds the meeting: leave it to them.
        const [m] = await tx.select().from(meetings).where(eq(meetings.id, ref.meetingId)).for('update', { skipLocked: true });
        if (!m) return;
        const [offer] = await tx.select().from(meetingOffers).where(eq(meetingOffers.id, id));
        if (!offer || offer.status !== 'open' || offer.expiresAt > s.clock.now()) return;
        fx.meetingId = m.id;
        await expireInTx(tx, s, offer, m, presence, fx);
        done++;
      });
      if (fx.meetingId) await announce(s, fx);
    }
    // Offers held by someone else are theirs to finish; stop instead of spinning on them.
    if (due.length < batch || done === before) return done;
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
  });
  await announce(s, fx);
  return fx;
}

/** Pushes what a committed routing step changed to the people concerned. */
export async function announce(s: Services, fx: RoutingEffects) {
  if (!fx.meetingId) return;
  for (const c of fx.closedOffers) s.realtime.toUser(c.hunterId, 'meeting:offer-closed', { offerId: c.offerId, meetingId: fx.meetingId, status: c.status });
  if (fx.offered || fx.assigned) {
    const card = await meetingCard(s, fx.meetingId);
    if (fx.offered) {
      s.realtime.toUser(fx.offered.hunterId, 'meeting:offered', { offerId: fx.offered.offerId, how: fx.offered.how, expiresAt: fx.offered.expiresAt.toISOString(), meeting: card });
    }
    if (fx.assigned) {
      s.realtime.toUser(fx.assigned.hunterId, 'meeting:assigned', card);
      if (fx.assigned.bookedBy !== fx.assigned.hunterId) s.realtime.toUser(fx.assigned.bookedBy, 'meeting:assigned', card);
    }
  }
  if (fx.unassigned) s.realtime.toRoles(['sales_head'], 'meeting:unassigned', { meetingId: fx.meetingId });
  s.realtime.toRoles(['sales_head', 'admin'], 'meeting:updated', { meetingId: fx.meetingId });
}

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

