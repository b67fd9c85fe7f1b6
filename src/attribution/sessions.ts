import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { sources, trackingNumbers, trackSessions, type AttributionMethod, type Utm } from '../db/schema.js';
import type { Services } from '../services.js';
import { AppError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';

const text = (max: number) => z.string().trim().max(max).optional();
const webUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000);

export const StartSessionSchema = z
  .object({
    visitorId: z.string().regex(/^[A-Za-z0-9_.-]{8,64}$/, '8–64 letters, digits, ".", "_" or "-"').optional(),
    utm_source: text(200),
    utm_medium: text(200),
    utm_campaign: text(200),
    utm_term: text(200),
    utm_content: text(200),
    referrer: webUrl.optional().or(z.literal('')),
    landingUrl: webUrl.optional(),
  })
  .strict()
  .openapi('StartTrackSession');

export const TrackSessionSchema = z
  .object({
    sessionId: z.string(),
    number: z.string().nullable().openapi({ description: 'E.164 number to show, or null when the site has no pool' }),
    expiresAt: z.string(),
    shared: z.boolean().openapi({ description: 'The pool was exhausted: the number is shared and calls to it are marked ambiguous' }),
  })
  .openapi('TrackSession');

type Db = Services['database']['db'];

/** The source credited for a visit: the source whose utm_source matches, else the pool number's own. */
async function sourceForUtm(db: Db, utmSource: string | undefined): Promise<string | null> {
  if (!utmSource) return null;
  const [row] = await db
    .select({ id: sources.id })
    .from(sources)
    .where(and(sql`lower(${sources.utmSource}) = lower(${utmSource})`, eq(sources.active, true)))
    .limit(1);
  return row?.id ?? null;
}

/**
 * Reserves a pool number for a visitor. The least recently used free number whose quarantine is over wins;
 * concurrent requests skip each other's locked rows. With none free, the least recently used number is
 * shared and the session says so — calls to it become ambiguous rather than misattributed.
 */
export async function startSession(s: Services, input: z.infer<typeof StartSessionSchema>) {
  const now = s.clock.now();
  const { sessionTtlSeconds, quarantineSeconds } = s.config.tracking;
  const expiresAt = new Date(now.getTime() + sessionTtlSeconds * 1000);
  return s.database.db.transaction(async (tx) => {
    if (input.visitorId) {
      // A returning visitor whose session is still alive keeps their number.
      const [alive] = await tx
        .select({ session: trackSessions, number: trackingNumbers.number })
        .from(trackSessions)
        .leftJoin(trackingNumbers, eq(trackingNumbers.id, trackSessions.numberId))
        .where(and(eq(trackSessions.visitorId, input.visitorId), gt(trackSessions.expiresAt, now)))
        .orderBy(sql`${trackSessions.expiresAt} DESC`)
        .limit(1)
        .for('update', { of: trackSessions });
      if (alive) {
        await tx.update(trackSessions).set({ lastSeenAt: now, expiresAt }).where(eq(trackSessions.id, alive.session.id));
        return { sessionId: alive.session.id, number: alive.number, expiresAt: expiresAt.toISOString(), shared: alive.session.shared };
      }
    }
    const quarantineCutoff = new Date(now.getTime() - quarantineSeconds * 1000).toISOString();
    let shared = false;
    let [num] = await tx
      .select({ id: trackingNumbers.id, number: trackingNumbers.number, sourceId: trackingNumbers.sourceId })
      .from(trackingNumbers)
      .where(
        and(
          eq(trackingNumbers.kind, 'pool'),
          eq(trackingNumbers.active, true),
          sql`NOT EXISTS (SELECT 1 FROM track_sessions ts WHERE ts.number_id = ${trackingNumbers.id}
                          AND ts.expires_at > ${quarantineCutoff})`,
        ),
      )
      .orderBy(sql`${trackingNumbers.lastAssignedAt} NULLS FIRST`, asc(trackingNumbers.id))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!num) {
      [num] = await tx
        .select({ id: trackingNumbers.id, number: trackingNumbers.number, sourceId: trackingNumbers.sourceId })
        .from(trackingNumbers)
        .where(and(eq(trackingNumbers.kind, 'pool'), eq(trackingNumbers.active, true)))
        .orderBy(sql`${trackingNumbers.lastAssignedAt} NULLS FIRST`, asc(trackingNumbers.id))
        .limit(1)
        .for('update');
      shared = !!num;
      if (num) s.logger.warn({ numberId: num.id }, 'tracking pool exhausted: sharing a number, calls to it will be ambiguous');
    }
    if (num) await tx.update(trackingNumbers).set({ lastAssignedAt: now }).where(eq(trackingNumbers.id, num.id));
    const id = newId('trackSession');
    await tx.insert(trackSessions).values({
      id,
      visitorId: input.visitorId ?? null,
      utmSource: input.utm_source || null,
      utmMedium: input.utm_medium || null,
      utmCampaign: input.utm_campaign || null,
      utmTerm: input.utm_term || null,
      utmContent: input.utm_content || null,
      referrer: input.referrer || null,
      landingUrl: input.landingUrl || null,
      sourceId: (await sourceForUtm(tx, input.utm_source)) ?? num?.sourceId ?? null,
      numberId: num?.id ?? null,
      shared,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
    });
    return { sessionId: id, number: num?.number ?? null, expiresAt: expiresAt.toISOString(), shared };
  });
}

/** Keeps a live session's number; an expired session is gone (the page then starts a new one). */
export async function pingSession(s: Services, id: string) {
  const now = s.clock.now();
  const expiresAt = new Date(now.getTime() + s.config.tracking.sessionTtlSeconds * 1000);
  const [row] = await s.database.db
    .update(trackSessions)
    .set({ lastSeenAt: now, expiresAt })
    .where(and(eq(trackSessions.id, id), gt(trackSessions.expiresAt, now)))
    .returning();
  if (!row) throw new AppError('gone', `Session ${id} is unknown or has expired; start a new one`);
  const [num] = row.numberId
    ? await s.database.db.select({ number: trackingNumbers.number }).from(trackingNumbers).where(eq(trackingNumbers.id, row.numberId))
    : [];
  return { sessionId: row.id, number: num?.number ?? null, expiresAt: expiresAt.toISOString(), shared: row.shared };
}

export interface Attribution {
  sourceId: string | null;
  method: AttributionMethod;
  sessionId: string | null;
  utm: Utm | null;
  ambiguous: boolean;
}

const utmOf = (t: typeof trackSessions.$inferSelect): Utm =>
  Object.fromEntries(
    Object.entries({ source: t.utmSource, medium: t.utmMedium, campaign: t.utmCampaign, term: t.utmTerm, content: t.utmContent }).filter(
      ([, v]) => v,
    ),
  );

/** Which source produced a call to `did` (E.164) at `at`. */
export async function attributeNumber(s: Services, did: string | null, at: Date): Promise<Attribution> {
  const none: Attribution = { sourceId: null, method: 'unknown', sessionId: null, utm: null, ambiguous: false };
  if (!did) return none;
  const [num] = await s.database.db.select().from(trackingNumbers).where(eq(trackingNumbers.number, did)).limit(1);
  if (!num) return none;
  if (num.kind === 'static') return { ...none, sourceId: num.sourceId, method: 'static_number' };
  const graceCutoff = new Date(at.getTime() - s.config.tracking.graceSeconds * 1000);
  const holders = await s.database.db
    .select()
    .from(trackSessions)
    .where(and(eq(trackSessions.numberId, num.id), sql`${trackSessions.createdAt} <= ${at.toISOString()}`, gt(trackSessions.expiresAt, graceCutoff)))
    .limit(5);
  if (holders.length === 1 && !holders[0]!.shared) {
    const h = holders[0]!;
    return { sourceId: h.sourceId ?? num.sourceId, method: 'dynamic_number', sessionId: h.id, utm: utmOf(h), ambiguous: false };
  }
  // Several visitors held the number (or it was shared): credit the pool's source, never one visitor.
  return { sourceId: num.sourceId, method: 'dynamic_number', sessionId: null, utm: null, ambiguous: holders.length > 0 };
}

export async function sessionAttribution(s: Services, sessionId: string): Promise<Attribution | null> {
  const [t] = await s.database.db.select().from(trackSessions).where(eq(trackSessions.id, sessionId)).limit(1);
  if (!t) return null;
  return { sourceId: t.sourceId, method: 'dynamic_number', sessionId: t.id, utm: utmOf(t), ambiguous: false };
}
