import { and, desc, eq, gte, isNull, lt, sql } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { calls, campaignMembers, campaigns, contacts, dialEntries, dispositionKinds, dispositions, type DispositionKind } from '../db/schema.js';
import { rowsOf } from '../db/client.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, fieldError, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { addDnc, refusalReasonList } from './campaigns.js';
import { bookMeeting } from '../meetings/service.js';

export const EntrySchema = z
  .object({
    id: z.string(),
    campaign: z.object({ id: z.string(), name: z.string(), callerId: z.string().nullable() }),
    contact: z.object({ id: z.string(), name: z.string(), company: z.string().nullable(), email: z.string().nullable(), status: z.string() }),
    phone: z.string(),
    timezone: z.string(),
    fields: z.record(z.string(), z.string()).nullable(),
    attempts: z.number().int(),
    lastDisposition: z.enum(dispositionKinds).nullable(),
    personalCallback: z.boolean().openapi({ description: 'A callback this operator promised' }),
    lockedUntil: z.string().nullable(),
    history: z.array(z.object({ kind: z.enum(dispositionKinds), reason: z.string().nullable(), note: z.string().nullable(), operatorId: z.string(), at: z.string() })),
  })
  .openapi('DialEntry');

export const NextSchema = z
  .object({
    entry: EntrySchema.nullable(),
    held: z.boolean().openapi({ description: 'True when this is an entry you hold already: record its disposition first' }),
  })
  .openapi('DialerNext');

export const DispositionInput = z
  .object({
    kind: z.enum(dispositionKinds),
    reason: z.string().trim().min(1).max(200).optional().openapi({ description: 'With not_interested: one of the refusal reasons' }),
    callbackAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'With callback: when to call back' }),
    note: z.string().trim().max(2000).optional(),
    callId: z.string().regex(/^call_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a call_… id').optional().openapi({
      description: 'The call this disposition ends; by default your latest outbound call to the number since you took the entry',
    }),
    meeting: z
      .object({
        scheduledAt: z.iso.datetime({ offset: true }),
        durationMinutes: z.number().int().min(5).max(480).default(60),
        location: z.string().trim().max(300).optional(),
        notes: z.string().trim().max(2000).optional(),
      })
      .strict()
      .optional()
      .openapi({ description: 'With meeting_booked: the meeting, routed to a hunter' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'not_interested' && !v.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'say why (one of the refusal reasons)' });
    if (v.kind === 'callback' && !v.callbackAt) ctx.addIssue({ code: 'custom', path: ['callbackAt'], message: 'when to call back' });
    if (v.kind === 'meeting_booked' && !v.meeting) ctx.addIssue({ code: 'custom', path: ['meeting'], message: 'the meeting booked' });
    if (v.kind !== 'callback' && v.callbackAt) ctx.addIssue({ code: 'custom', path: ['callbackAt'], message: 'only with "callback"' });
    if (v.kind !== 'meeting_booked' && v.meeting) ctx.addIssue({ code: 'custom', path: ['meeting'], message: 'only with "meeting_booked"' });
  })
  .openapi('DispositionInput');

interface PickedRow extends Record<string, unknown> {
  id: string;
}

/**
 * The next due entry of the operator's active campaigns, locked for them for DIALER_LOCK_MINUTES: their own
 * personal callbacks first, then by campaign priority and due time. Never the same entry to two operators
 * (row locks, skipping rows another operator is taking). Respects calling windows in the contact's time
 * zone, the do-not-call list at this moment, and personal callbacks (another operator's become anyone's
 * when that operator is absent, or offline past the grace period). An entry they hold already comes back
 * until they record its disposition.
 */
export async function nextEntry(s: Services, op: AuthUser) {
  const now = s.clock.now();
  const at = now.toISOString();
  const until = new Date(now.getTime() + s.config.dialer.lockMinutes * 60_000).toISOString();
  const grace = `${s.config.dialer.callbackGraceMinutes} minutes`;

  const [held] = await s.database.db
    .select({ id: dialEntries.id })
    .from(dialEntries)
    .where(and(eq(dialEntries.status, 'locked'), eq(dialEntries.lockedBy, op.id)))
    .limit(1);
  if (held) return { entry: await entryCard(s, held.id), held: true };

  /** Due now in the contact's own time, and not on the do-not-call list at this moment. */
  const callable = (days: number[], start: string, end: string) => sql`
    e.status = 'pending' AND e.next_at <= ${at}::timestamptz
    AND extract(isodow FROM (${at}::timestamptz AT TIME ZONE e.timezone))::int = ANY (ARRAY[${sql.join(days.map((d) => sql`${d}`), sql`, `)}]::int[])
    AND (${at}::timestamptz AT TIME ZONE e.timezone)::time >= ${start}::time
    AND (${at}::timestamptz AT TIME ZONE e.timezone)::time < ${end}::time
    AND NOT EXISTS (SELECT 1 FROM dnc_numbers d WHERE d.phone = e.phone)`;
  const lock = (pick: ReturnType<typeof sql>) => sql`
    UPDATE dial_entries SET status = 'locked', locked_by = ${op.id}, locked_until = ${until}::timestamptz, updated_at = ${at}::timestamptz
    WHERE id = (${pick}) AND status = 'pending'
    RETURNING id`;
  const take = async (pick: ReturnType<typeof sql>) => rowsOf<PickedRow>(await s.database.db.execute(lock(pick)))[0] ?? null;

  // The operator's active campaigns, highest priority first. (Entries of a list still importing are not
  // visible yet: an import writes its entries and marks its list ready in one transaction.)
  const mine = await s.database.db
    .select({ id: campaigns.id, days: campaigns.windowDays, start: campaigns.windowStart, end: campaigns.windowEnd })
    .from(campaigns)
    .innerJoin(campaignMembers, and(eq(campaignMembers.campaignId, campaigns.id), eq(campaignMembers.userId, op.id)))
    .where(eq(campaigns.status, 'active'))
    .orderBy(desc(campaigns.priority), campaigns.id);

  // Their own callbacks first.
  let row: PickedRow | null = null;
  for (const c of mine) {
    row = await take(sql`SELECT e.id FROM dial_entries e
      WHERE e.callback_owner = ${op.id} AND e.campaign_id = ${c.id} AND ${callable(c.days, c.start, c.end)}
      ORDER BY e.next_at, e.id LIMIT 1 FOR UPDATE SKIP LOCKED`);
    if (row) break;
  }
  // Then each campaign in due order: one index walk, stopping at the first entry the filters pass.
  for (const c of row ? [] : mine) {
    row = await take(sql`SELECT e.id FROM dial_entries e
      WHERE e.campaign_id = ${c.id} AND ${callable(c.days, c.start, c.end)}
        AND (e.callback_owner IS NULL OR e.callback_owner = ${op.id} OR EXISTS (
          SELECT 1 FROM users u WHERE u.id = e.callback_owner AND (
            (u.status = 'offline' AND u.status_changed_at < ${at}::timestamptz - ${grace}::interval
             AND e.next_at < ${at}::timestamptz - ${grace}::interval)
            OR NOT u.active
            OR EXISTS (SELECT 1 FROM absences a WHERE a.user_id = u.id AND a.starts_at <= ${at}::timestamptz AND a.ends_at > ${at}::timestamptz))))
      ORDER BY e.next_at, e.id LIMIT 1 FOR UPDATE SKIP LOCKED`);
    if (row) break;
  }
  if (!row) return { entry: null, held: false };
  return { entry: await entryCard(s, row.id), held: false };
}

export async function entryCard(s: Services, id: string) {
  const [r] = await s.database.db
    .select({ e: dialEntries, c: campaigns, contact: contacts })
    .from(dialEntries)
    .innerJoin(campaigns, eq(campaigns.id, dialEntries.campaignId))
    .innerJoin(contacts, eq(contacts.id, dialEntries.contactId))
    .where(eq(dialEntries.id, id));
  if (!r) throw notFound('Dial entry', id);
  const history = await s.database.db
    .select()
    .from(dispositions)
    .where(eq(dispositions.entryId, id))
    .orderBy(desc(dispositions.createdAt))
    .limit(20);
  return {
    id: r.e.id,
    campaign: { id: r.c.id, name: r.c.name, callerId: r.c.callerId },
    contact: { id: r.contact.id, name: r.contact.name, company: r.contact.company, email: r.contact.email, status: r.contact.status },
    phone: r.e.phone,
    timezone: r.e.timezone,
    fields: r.e.fields ?? null,
    attempts: r.e.attempts,
    lastDisposition: r.e.lastDisposition ?? null,
    personalCallback: !!r.e.callbackOwner,
    lockedUntil: r.e.lockedUntil?.toISOString() ?? null,
    history: history.map((d) => ({ kind: d.kind, reason: d.reason, note: d.note, operatorId: d.operatorId, at: d.createdAt.toISOString() })),
  };
}

const retryKinds = new Set<DispositionKind>(['no_answer', 'busy', 'voicemail']);

/**
 * Records how the call of an entry ended and what happens next: another try after the campaign's retry
 * time (until its attempt limit), a personal callback at the agreed time, or done (not interested with a
 * reason, wrong number, do not call — which adds the number to the do-not-call list — or a meeting,
 * booked and routed to a hunter). Only the operator holding the entry records it.
 */
export async function recordDisposition(s: Services, op: AuthUser, entryId: string, input: z.infer<typeof DispositionInput>) {
  const [current] = await s.database.db
    .select({ e: dialEntries, c: campaigns })
    .from(dialEntries)
    .innerJoin(campaigns, eq(campaigns.id, dialEntries.campaignId))
    .where(eq(dialEntries.id, entryId));
  if (!current) throw notFound('Dial entry', entryId);
  const { e, c } = current;
  if (e.status !== 'locked' || e.lockedBy !== op.id) {
    throw new AppError('conflict', e.status === 'done' ? 'This entry is finished already' : 'This entry is not yours now; take it with POST /api/dialer/next');
  }
  const now = s.clock.now();
  if (input.kind === 'not_interested') await refusalReasonList.assertOne(s, input.reason);
  let callbackAt: Date | null = null;
  if (input.kind === 'callback') {
    callbackAt = new Date(input.callbackAt!);
    if (callbackAt.getTime() < now.getTime() - 60_000) throw fieldError('callbackAt', 'must be in the future');
    if (callbackAt.getTime() > now.getTime() + 180 * 86_400_000) throw fieldError('callbackAt', 'at most 180 days ahead');
  }
  let callId = input.callId ?? null;
  if (callId) {
    const [call] = await s.database.db.select({ id: calls.id, operatorId: calls.operatorId }).from(calls).where(eq(calls.id, callId));
    if (!call) throw fieldError('callId', `no call ${callId}`);
    if (call.operatorId && call.operatorId !== op.id) throw fieldError('callId', 'another operator made that call');
  } else {
    // The call this disposition ends: the operator's own outbound call to the number since they took it.
    const since = new Date((e.lockedUntil?.getTime() ?? now.getTime()) - s.config.dialer.lockMinutes * 60_000);
    const [recent] = await s.database.db
      .select({ id: calls.id })
      .from(calls)
      .where(and(eq(calls.operatorId, op.id), eq(calls.direction, 'outbound'), eq(calls.toNumber, e.phone), gte(calls.startedAt, since), isNull(calls.campaignId)))
      .orderBy(desc(calls.startedAt))
      .limit(1);
    callId = recent?.id ?? null;
  }
  // The meeting first: if it cannot be booked, nothing else changes.
  let meetingId: string | null = null;
  if (input.kind === 'meeting_booked') {
    const booked = await bookMeeting(s, op, {
      contactId: e.contactId,
      scheduledAt: input.meeting!.scheduledAt,
      durationMinutes: input.meeting!.durationMinutes,
      location: input.meeting!.location,
      notes: input.meeting!.notes,
      sourceId: c.sourceId ?? undefined,
      callId: callId ?? undefined,
    });
    meetingId = booked.meeting.id;
  }
  if (input.kind === 'do_not_call') await addDnc(s, op, e.phone, input.note ?? 'asked not to be called');

  const attempts = e.attempts + 1;
  let next: Partial<typeof dialEntries.$inferInsert>;
  if (retryKinds.has(input.kind)) {
    next =
      attempts >= c.maxAttempts
        ? { status: 'done', outcome: 'attempts_exhausted', callbackOwner: null }
        : { status: 'pending', nextAt: new Date(now.getTime() + c.retryMinutes[input.kind as keyof typeof c.retryMinutes] * 60_000), callbackOwner: null };
  } else if (input.kind === 'callback') {
    next = { status: 'pending', nextAt: callbackAt!, callbackOwner: op.id };
  } else {
    next = { status: 'done', outcome: input.kind, callbackOwner: null };
  }
  const id = newId('disposition');
  await s.database.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(dialEntries)
      .set({ ...next, attempts, lastDisposition: input.kind, lockedBy: null, lockedUntil: null, updatedAt: now })
      .where(and(eq(dialEntries.id, entryId), eq(dialEntries.status, 'locked'), eq(dialEntries.lockedBy, op.id)))
      .returning({ id: dialEntries.id });
    if (!updated) throw new AppError('conflict', 'This entry is not yours now (its lock ran out); take the next one');
    await tx.insert(dispositions).values({
      id,
      entryId,
      campaignId: c.id,
      contactId: e.contactId,
      operatorId: op.id,
      callId,
      kind: input.kind,
      reason: input.reason ?? null,
      callbackAt,
      meetingId,
      note: input.note ?? null,
      createdAt: now,
    });
    // The call belongs to the campaign, and is credited to the campaign's source.
    if (callId) {
      await tx
        .update(calls)
        .set({
          campaignId: c.id,
          contactId: sql`coalesce(${calls.contactId}, ${e.contactId})`,
          ...(c.sourceId ? { sourceId: c.sourceId, attributionMethod: 'campaign' as const } : {}),
          updatedAt: now,
        })
        .where(eq(calls.id, callId));
    }
  });
  s.realtime.toRoles(['cc_admin', 'admin'], 'dialer:disposition', { entryId, campaignId: c.id, kind: input.kind, operatorId: op.id });
  return { id, entry: await entryCard(s, entryId), meetingId };
}

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


