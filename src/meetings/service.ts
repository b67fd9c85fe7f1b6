import { and, desc, eq, gte, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { calls, contacts, hunterRouting, meetingOffers, meetings, meetingStatuses, routingDecisions, sources, users, type MeetingStatus } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, fieldError, isUniqueViolation, notFound } from '../shared/errors.js';
import { decodeTimeCursor, encodeTimeCursor } from '../shared/http.js';
import { newId } from '../shared/ids.js';
import { meetingCard, meetingCards } from './cards.js';
import { announce, routeMeeting } from './routing.js';
import { periodsAt } from './policy.js';
import { markLead } from '../contacts/leads.js';

export const bookerRoles = ['operator', 'cc_admin', 'admin', 'sales_head'] as const;
export const headRoles = ['sales_head', 'admin'] as const;

const id40 = z.string().min(1).max(40);
export const BookMeetingSchema = z
  .object({
    contactId: id40,
    scheduledAt: z.iso.datetime({ offset: true }).openapi({ description: 'When the meeting takes place (future)' }),
    durationMinutes: z.number().int().min(5).max(480).default(60),
    location: z.string().trim().max(300).optional(),
    notes: z.string().trim().max(2000).optional(),
    callId: id40.optional().openapi({ description: 'The call in which it was booked; its source is credited' }),
    sourceId: id40.optional().openapi({ description: "Defaults to the call's source, then the contact's first source" }),
  })
  .strict()
  .openapi('BookMeeting');

export const MeetingListQuery = z.object({
  status: z
    .string()
    .max(200)
    .transform((v) => v.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(meetingStatuses)).min(1))
    .optional()
    .openapi({ description: 'One status or several, comma-separated (e.g. routing,offered,unassigned)', type: 'string' }),
  hunterId: id40.optional(),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Booked at or after' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Booked before' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(120).optional(),
});

export const DeclineSchema = z.object({ reason: z.string().trim().min(1, 'say why').max(300) }).strict().openapi('DeclineOffer');

export const outcomes = ['held', 'no_show', 'rescheduled', 'lost', 'won', 'cancelled'] as const;
export const OutcomeSchema = z
  .object({
    outcome: z.enum(outcomes),
    reason: z.string().trim().min(1).max(500).optional(),
    rescheduledTo: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.outcome === 'lost' && !v.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a lost meeting needs its reason' });
    if (v.outcome === 'rescheduled' && !v.rescheduledTo) ctx.addIssue({ code: 'custom', path: ['rescheduledTo'], message: 'the new date is required' });
  })
  .openapi('MeetingOutcome');

export const HunterRoutingSchema = z
  .object({
    weight: z.number().min(0.01).max(100).transform((w) => Math.round(w * 100) / 100).default(1),
    dailyCap: z.number().int().min(0).max(1000).nullable().default(null),
    weeklyCap: z.number().int().min(0).max(5000).nullable().default(null),
  })
  .strict()
  .openapi('HunterRouting');

/** Which statuses an outcome may follow. */
const allowedFrom: Record<(typeof outcomes)[number], MeetingStatus[]> = {
  held: ['assigned', 'rescheduled'],
  no_show: ['assigned', 'rescheduled'],
  rescheduled: ['assigned', 'rescheduled', 'no_show'],
  lost: ['assigned', 'rescheduled', 'held', 'no_show'],
  won: ['held'],
  cancelled: ['routing', 'offered', 'unassigned', 'assigned', 'rescheduled'],
};

/** Books a meeting for a prospect and routes it at once. A repeated Idempotency-Key returns the first booking. */
export async function bookMeeting(
  s: Services,
  actor: AuthUser,
  input: z.infer<typeof BookMeetingSchema>,
  idempotencyKey?: string,
  lead: { campaignId?: string | null } = {},
) {
  if (idempotencyKey) {
    const [prior] = await s.database.db
      .select({ id: meetings.id })
      .from(meetings)
      .where(and(eq(meetings.bookedBy, actor.id), eq(meetings.idempotencyKey, idempotencyKey)));
    if (prior) return { meeting: await meetingCard(s, prior.id), created: false };
  }
  const now = s.clock.now();
  const scheduledAt = new Date(input.scheduledAt);
  if (scheduledAt.getTime() < now.getTime() - 60_000) throw fieldError('scheduledAt', 'must be in the future');
  const [contact] = await s.database.db.select().from(contacts).where(eq(contacts.id, input.contactId));
  if (!contact) throw fieldError('contactId', `no contact ${input.contactId}`);
  if (contact.status === 'active' || contact.status === 'lost') {
    throw new AppError('conflict', 'This contact is a client of the client department; its account manager arranges meetings, they are not routed to hunters');
  }
  let sourceId = input.sourceId ?? null;
  if (input.callId) {
    const [call] = await s.database.db.select({ sourceId: calls.sourceId, campaignId: calls.campaignId }).from(calls).where(eq(calls.id, input.callId));
    if (!call) throw fieldError('callId', `no call ${input.callId}`);
    sourceId ??= call.sourceId;
    lead = { campaignId: lead.campaignId ?? call.campaignId };
  }
  if (input.sourceId) {
    const [src] = await s.database.db.select({ id: sources.id }).from(sources).where(eq(sources.id, input.sourceId));
    if (!src) throw fieldError('sourceId', `no source ${input.sourceId}`);
  }
  sourceId ??= contact.firstSourceId;

  const id = newId('meeting');
  try {
    await s.database.db.insert(meetings).values({
      id,
      contactId: contact.id,
      bookedBy: actor.id,
      sourceId,
      callId: input.callId ?? null,
      scheduledAt,
      durationMinutes: input.durationMinutes,
      location: input.location || null,
      notes: input.notes || null,
      idempotencyKey: idempotencyKey ?? null,
      createdAt: now,
      updatedAt: now,
    });
  } catch (err) {
    // The same key raced in from a retry: answer with the booking that won.
    if (idempotencyKey && isUniqueViolation(err)) return bookMeeting(s, actor, input, idempotencyKey, lead);
    throw err;
  }
  // A contact from a dial list becomes a lead with its first meeting.
  if (!contact.leadAt || !contact.leadBy) await markLead(s, contact.id, { at: now, by: actor.id, campaignId: lead.campaignId ?? null });
  // Stored first, then routed: if routing fails here, the sweeper routes the waiting meeting later.
  const fx = await routeMeeting(s, id, 'booked').catch((err: Error) => {
    s.logger.error({ err, meetingId: id }, 'routing a new meeting failed; the sweeper will retry');
    return null;
  });
  return { meeting: fx?.card ?? (await meetingCard(s, id)), created: true };
}

function visibility(viewer: AuthUser): SQL | undefined {
  if (viewer.role === 'hunter') return eq(meetings.hunterId, viewer.id);
  if (viewer.role === 'operator') return eq(meetings.bookedBy, viewer.id);
  return undefined;
}

/** Newest bookings first. Hunters see theirs, operators what they booked, heads and admins everything. */
export async function listMeetings(s: Services, viewer: AuthUser, q: z.infer<typeof MeetingListQuery>) {
  const conds: SQL[] = [];
  const own = visibility(viewer);
  if (own) conds.push(own);
  if (q.status) conds.push(inArray(meetings.status, q.status));
  if (q.hunterId) conds.push(eq(meetings.hunterId, q.hunterId));
  if (q.from) conds.push(gte(meetings.createdAt, new Date(q.from)));
  if (q.to) conds.push(lt(meetings.createdAt, new Date(q.to)));
  if (q.cursor) {
    const { at, id } = decodeTimeCursor(q.cursor);
    conds.push(or(lt(meetings.createdAt, at), and(eq(meetings.createdAt, at), lt(meetings.id, id)))!);
  }
  const rows = await s.database.db
    .select({ id: meetings.id, createdAt: meetings.createdAt })
    .from(meetings)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(meetings.createdAt), desc(meetings.id))
    .limit(q.limit + 1);
  const pageRows = rows.slice(0, q.limit);
  const cards = await meetingCards(s, pageRows.map((r) => r.id));
  const items = pageRows.map((r) => cards.get(r.id)!);
  const last = pageRows[pageRows.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? encodeTimeCursor(last.createdAt.toISOString(), last.id) : null };
}

export async function getMeeting(s: Services, viewer: AuthUser, id: string) {
  const card = await meetingCard(s, id);
  if (viewer.role === 'hunter' && card.hunter?.id !== viewer.id) {
    // A hunter with an offer for it may see it too.
    const [offer] = await s.database.db.select({ id: meetingOffers.id }).from(meetingOffers).where(and(eq(meetingOffers.meetingId, id), eq(meetingOffers.hunterId, viewer.id))).limit(1);
    if (!offer) throw new AppError('forbidden', 'Hunters see the meetings they hold or were offered');
  }
  if (viewer.role === 'operator' && card.bookedBy.id !== viewer.id) throw new AppError('forbidden', 'Operators see the meetings they booked');
  return card;
}

/** The decision log of one meeting, oldest first: candidates and reasons, offers and their outcomes. */
export async function routingLog(s: Services, id: string) {
  const [m] = await s.database.db.select({ id: meetings.id }).from(meetings).where(eq(meetings.id, id));
  if (!m) throw notFound('Meeting', id);
  const rows = await s.database.db.select().from(routingDecisions).where(eq(routingDecisions.meetingId, id)).orderBy(routingDecisions.id).limit(500);
  const offers = await s.database.db.select().from(meetingOffers).where(eq(meetingOffers.meetingId, id)).orderBy(meetingOffers.offeredAt);
  return {
    meetingId: id,
    decisions: rows.map((r) => ({ at: r.at.toISOString(), kind: r.kind, hunterId: r.hunterId, actorId: r.actorId, detail: r.detail })),
    offers: offers.map((o) => ({
      id: o.id,
      hunterId: o.hunterId,
      how: o.how,
      offeredAt: o.offeredAt.toISOString(),
      expiresAt: o.expiresAt.toISOString(),
      status: o.status,
      declineReason: o.declineReason,
      respondedAt: o.respondedAt?.toISOString() ?? null,
    })),
  };
}

/** Held, no-show, rescheduled, lost (with reason), won, cancelled: by the hunter holding it or a head. */
export async function recordOutcome(s: Services, actor: AuthUser, id: string, input: z.infer<typeof OutcomeSchema>) {
  const now = s.clock.now();
  const fx = { meetingId: id, closedOffers: [] as Array<{ offerId: string; hunterId: string; status: 'withdrawn' }> };
  await s.database.db.transaction(async (tx) => {
    const [m] = await tx.select().from(meetings).where(eq(meetings.id, id)).for('update');
    if (!m) throw notFound('Meeting', id);
    const isHead = (headRoles as readonly string[]).includes(actor.role);
    if (!isHead && !(actor.role === 'hunter' && m.hunterId === actor.id)) {
      throw new AppError('forbidden', 'Only the hunter holding the meeting or the sales head records its outcome');
    }
    if (!allowedFrom[input.outcome].includes(m.status)) throw new AppError('conflict', `A meeting that is ${m.status} cannot become ${input.outcome}`);
    const set: Partial<typeof meetings.$inferInsert> = { status: input.outcome, outcomeReason: input.reason ?? null, outcomeAt: now, updatedAt: now };
    if (input.outcome === 'held') set.heldAt = now;
    if (input.outcome === 'rescheduled') {
      const to = new Date(input.rescheduledTo!);
      if (to <= now) throw fieldError('rescheduledTo', 'must be in the future');
      Object.assign(set, { scheduledAt: to, rescheduledFrom: m.scheduledAt });
    }
    if (input.outcome === 'cancelled') {
      const open = await tx
        .update(meetingOffers)
        .set({ status: 'withdrawn', respondedAt: now })
        .where(and(eq(meetingOffers.meetingId, id), eq(meetingOffers.status, 'open')))
        .returning({ id: meetingOffers.id, hunterId: meetingOffers.hunterId });
      for (const o of open) fx.closedOffers.push({ offerId: o.id, hunterId: o.hunterId, status: 'withdrawn' });
    }
    await tx.update(meetings).set(set).where(eq(meetings.id, id));
    // A prospect who has met a hunter is a potential client until the first sale.
    if (input.outcome === 'held') {
      await tx.update(contacts).set({ status: 'potential', updatedAt: now }).where(and(eq(contacts.id, m.contactId), eq(contacts.status, 'new')));
    }
    await tx.insert(routingDecisions).values({
      meetingId: id,
      at: now,
      kind: 'outcome',
      hunterId: m.hunterId,
      actorId: actor.id,
      detail: { outcome: input.outcome, reason: input.reason ?? null, from: m.status, rescheduledTo: input.rescheduledTo ?? null },
    });
  });
  await announce(s, fx);
  const card = await meetingCard(s, id);
  s.realtime.toUser(card.bookedBy.id, 'meeting:outcome', card);
  if (card.hunter && card.hunter.id !== card.bookedBy.id) s.realtime.toUser(card.hunter.id, 'meeting:outcome', card);
  return card;
}

export const DistributionQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Defaults to the start of the routing period (the company's month or week)" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Defaults to now' }),
});

/** The period asked for, or the current fairness period in the company's time zone. */
function period(s: Services, q: z.infer<typeof DistributionQuery>) {
  const now = s.clock.now();
  const from = q.from ? new Date(q.from) : periodsAt(now, s.config.companyTimeZone, s.config.routing.period).periodStart;
  const to = q.to ? new Date(q.to) : now;
  if (to <= from) throw fieldError('query.to', 'must be after from');
  return { from, to };
}

/** Assignments per hunter in a period against the share their weight entitles them to. */
export async function distribution(s: Services, q: z.infer<typeof DistributionQuery>) {
  const { from, to } = period(s, q);
  const rows = await s.database.query<{ id: string; name: string; active: boolean; weight: string | number; assigned: number; accepted: number; declined: number; expired: number; avg_accept_s: number | null }>(
    sql`
      SELECT u.id, u.name, u.active, coalesce(r.weight, 1) AS weight,
        (SELECT count(*) FROM meetings m WHERE m.hunter_id = u.id AND m.assigned_at >= ${from.toISOString()}::timestamptz AND m.assigned_at < ${to.toISOString()}::timestamptz)::int AS assigned,
        count(o.id) FILTER (WHERE o.status = 'accepted')::int AS accepted,
        count(o.id) FILTER (WHERE o.status = 'declined')::int AS declined,
        count(o.id) FILTER (WHERE o.status = 'expired')::int AS expired,
        (avg(extract(epoch FROM o.responded_at - o.offered_at)) FILTER (WHERE o.status = 'accepted'))::float8 AS avg_accept_s
      FROM users u
      LEFT JOIN hunter_routing r ON r.user_id = u.id
      LEFT JOIN meeting_offers o ON o.hunter_id = u.id AND o.offered_at >= ${from.toISOString()}::timestamptz AND o.offered_at < ${to.toISOString()}::timestamptz
      WHERE u.role = 'hunter'
      GROUP BY u.id, u.name, u.active, r.weight
      ORDER BY u.name`,
  );
  const relevant = rows.filter((r) => r.active || r.assigned > 0);
  const total = relevant.reduce((n, r) => n + r.assigned, 0);
  const weights = relevant.filter((r) => r.active).reduce((n, r) => n + Number(r.weight), 0);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    total,
    hunters: relevant.map((r) => ({
      id: r.id,
      name: r.name,
      active: r.active,
      weight: Number(r.weight),
      assigned: r.assigned,
      share: total ? r.assigned / total : 0,
      targetShare: r.active && weights ? Number(r.weight) / weights : 0,
      offers: { accepted: r.accepted, declined: r.declined, expired: r.expired },
      avgSecondsToAccept: r.avg_accept_s === null ? null : Math.round(r.avg_accept_s),
    })),
  };
}

export async function getHunterRouting(s: Services, userId: string) {
  const [u] = await s.database.db.select({ role: users.role }).from(users).where(eq(users.id, userId));
  if (!u) throw notFound('User', userId);
  if (u.role !== 'hunter') throw new AppError('conflict', 'Routing settings exist for hunters only');
  const [r] = await s.database.db.select().from(hunterRouting).where(eq(hunterRouting.userId, userId));
  return { userId, weight: r?.weight ?? 1, dailyCap: r?.dailyCap ?? null, weeklyCap: r?.weeklyCap ?? null };
}

export async function setHunterRouting(s: Services, userId: string, input: z.infer<typeof HunterRoutingSchema>) {
  await getHunterRouting(s, userId);
  const now = s.clock.now();
  await s.database.db
    .insert(hunterRouting)
    .values({ userId, weight: input.weight, dailyCap: input.dailyCap, weeklyCap: input.weeklyCap, updatedAt: now })
    .onConflictDoUpdate({ target: hunterRouting.userId, set: { weight: input.weight, dailyCap: input.dailyCap, weeklyCap: input.weeklyCap, updatedAt: now } });
  return getHunterRouting(s, userId);
}

/** No-shows and cancellations (and every other outcome) per source and per booking operator. */
export async function outcomeReport(s: Services, q: z.infer<typeof DistributionQuery>) {
  const { from, to } = period(s, q);
  const by = async (key: 'source' | 'operator') =>
    s.database.query<{ id: string | null; name: string | null; status: MeetingStatus; n: number }>(
        key === 'source'
          ? sql`SELECT m.source_id AS id, src.name, m.status, count(*)::int AS n FROM meetings m LEFT JOIN sources src ON src.id = m.source_id
                WHERE m.scheduled_at >= ${from.toISOString()}::timestamptz AND m.scheduled_at < ${to.toISOString()}::timestamptz GROUP BY 1, 2, 3 ORDER BY 2, 3`
          : sql`SELECT m.booked_by AS id, u.name, m.status, count(*)::int AS n FROM meetings m JOIN users u ON u.id = m.booked_by
                WHERE m.scheduled_at >= ${from.toISOString()}::timestamptz AND m.scheduled_at < ${to.toISOString()}::timestamptz GROUP BY 1, 2, 3 ORDER BY 2, 3`,
    );
  const fold = (rows: Awaited<ReturnType<typeof by>>) => {
    const out = new Map<string, { id: string | null; name: string | null; total: number; byStatus: Partial<Record<MeetingStatus, number>>; noShowRate: number; cancelRate: number }>();
    for (const r of rows) {
      const k = r.id ?? '';
      const e = out.get(k) ?? { id: r.id, name: r.name, total: 0, byStatus: {}, noShowRate: 0, cancelRate: 0 };
      e.total += r.n;
      e.byStatus[r.status] = r.n;
      out.set(k, e);
    }
    for (const e of out.values()) {
      e.noShowRate = e.total ? (e.byStatus.no_show ?? 0) / e.total : 0;
      e.cancelRate = e.total ? (e.byStatus.cancelled ?? 0) / e.total : 0;
    }
    return [...out.values()];
  };
  return { from: from.toISOString(), to: to.toISOString(), bySource: fold(await by('source')), byOperator: fold(await by('operator')) };
}

