import { and, asc, eq, gt, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { callbackTasks, calls, contacts, sources } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, fieldError, notFound } from '../shared/errors.js';

export const CallbackSchema = z
  .object({
    id: z.string(),
    reason: z.enum(['web_request', 'missed_call', 'abandoned_call']),
    phone: z.string(),
    contact: z.object({ id: z.string(), name: z.string(), company: z.string().nullable() }).nullable(),
    source: z.object({ id: z.string(), name: z.string() }).nullable(),
    callId: z.string().nullable(),
    waitSeconds: z.number().int().nullable().openapi({ description: 'How long the caller waited before the task was made' }),
    createdAt: z.string(),
    ageSeconds: z.number().int().openapi({ description: 'Since the task was made (closed tasks: until closed)' }),
    late: z.boolean().openapi({ description: 'Older than CALLBACK_SLA_MINUTES while open' }),
    status: z.enum(['open', 'done', 'cancelled']),
    claimedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
    claimedUntil: z.string().nullable(),
    attempts: z.number().int(),
    closedAt: z.string().nullable(),
    closedByCallId: z.string().nullable(),
    closeNote: z.string().nullable(),
  })
  .openapi('Callback');

export const CallbackListQuery = z.object({
  status: z.enum(['open', 'done', 'cancelled']).default('open'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional().openapi({ description: '`nextCursor` from the previous page' }),
});

export const CancelCallbackSchema = z
  .object({ note: z.string().trim().min(1, 'say why').max(500) })
  .strict()
  .openapi('CancelCallback');


const claimer = sql`claimer`;

function rowsQuery(s: Services) {
  return s.database.db
    .select({ t: callbackTasks, contact: contacts, source: sources, claimerName: sql<string | null>`${claimer}.name` })
    .from(callbackTasks)
    .leftJoin(contacts, eq(contacts.id, callbackTasks.contactId))
    .leftJoin(sources, eq(sources.id, callbackTasks.sourceId))
    .leftJoin(sql`users AS ${claimer}`, sql`${claimer}.id = ${callbackTasks.claimedBy}`);
}

type Row = Awaited<ReturnType<ReturnType<typeof rowsQuery>['where']>>[number];

function toDto(s: Services, r: Row) {
  const now = s.clock.now().getTime();
  const t = r.t;
  const end = t.closedAt?.getTime() ?? now;
  const ageSeconds = Math.max(0, Math.round((end - t.createdAt.getTime()) / 1000));
  const claimed = t.claimedBy && t.claimedUntil && t.claimedUntil.getTime() > now && t.status === 'open';
  return {
    id: t.id,
    reason: t.reason,
    phone: t.phone,
    contact: r.contact ? { id: r.contact.id, name: r.contact.name, company: r.contact.company } : null,
    source: r.source ? { id: r.source.id, name: r.source.name } : null,
    callId: t.callId,
    waitSeconds: t.waitSeconds,
    createdAt: t.createdAt.toISOString(),
    ageSeconds,
    late: t.status === 'open' && ageSeconds > s.config.acd.callbackSlaMinutes * 60,
    status: t.status,
    claimedBy: claimed ? { id: t.claimedBy!, name: r.claimerName ?? '' } : null,
    claimedUntil: claimed ? t.claimedUntil!.toISOString() : null,
    attempts: t.attempts,
    closedAt: t.closedAt?.toISOString() ?? null,
    closedByCallId: t.closedByCallId,
    closeNote: t.closeNote,
  };
}

/** Open tasks oldest first (first in, first out); closed ones newest first. Paged by id. */
export async function listCallbacks(s: Services, q: z.infer<typeof CallbackListQuery>) {
  const open = q.status === 'open';
  const conds: SQL[] = [eq(callbackTasks.status, q.status)];
  if (q.cursor) {
    if (!/^cb_[0-9A-HJKMNP-TV-Z]{26}$/.test(q.cursor)) throw fieldError('query.cursor', 'invalid cursor');
    conds.push(open ? gt(callbackTasks.id, q.cursor) : lt(callbackTasks.id, q.cursor));
  }
  const rows = await rowsQuery(s)
    .where(and(...conds))
    .orderBy(open ? asc(callbackTasks.id) : sql`${callbackTasks.id} DESC`)
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit).map((r) => toDto(s, r));
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
}

async function getCallback(s: Services, id: string) {
  const [row] = await rowsQuery(s).where(eq(callbackTasks.id, id));
  if (!row) throw notFound('Callback task', id);
  return toDto(s, row);
}

/**
 * The oldest open task nobody holds, now held by this operator for CALLBACK_CLAIM_MINUTES: two operators
 * asking at once never get the same task. Null when there is none.
 */
export async function claimNextCallback(s: Services, user: AuthUser) {
  const now = s.clock.now();
  const until = new Date(now.getTime() + s.config.acd.callbackClaimMinutes * 60_000);
  const id = await s.database.db.transaction(async (tx) => {
    // Their own unfinished task first, so a reload does not hand them a second one.
    const [mine] = await tx
      .select({ id: callbackTasks.id })
      .from(callbackTasks)
      .where(and(eq(callbackTasks.status, 'open'), eq(callbackTasks.claimedBy, user.id), gt(callbackTasks.claimedUntil, now)))
      .limit(1);
    if (mine) return mine.id;
    const [next] = await tx
      .select({ id: callbackTasks.id })
      .from(callbackTasks)
      .where(and(eq(callbackTasks.status, 'open'), or(isNull(callbackTasks.claimedUntil), lt(callbackTasks.claimedUntil, now))))
      .orderBy(asc(callbackTasks.createdAt), asc(callbackTasks.id))
      .limit(1)
      .for('update', { skipLocked: true });
    if (!next) return null;
    await tx.update(callbackTasks).set({ claimedBy: user.id, claimedUntil: until }).where(eq(callbackTasks.id, next.id));
    return next.id;
  });
  if (!id) return null;
  s.realtime.toRoles(['operator', 'cc_admin', 'admin'], 'callback:updated', { id });
  return getCallback(s, id);
}

/** Closes a task without a call (wrong number, the client called back and was served, …). */
export async function cancelCallback(s: Services, user: AuthUser, id: string, note: string) {
  const task = await getCallback(s, id);
  if (task.status !== 'open') throw new AppError('conflict', `This callback task is already ${task.status}`);
  if (user.role === 'operator' && task.claimedBy?.id !== user.id) {
    throw new AppError('forbidden', 'Take the task first; an operator closes only the task they hold');
  }
  await s.database.db
    .update(callbackTasks)
    .set({ status: 'cancelled', closedAt: s.clock.now(), closedBy: user.id, closeNote: note })
    .where(and(eq(callbackTasks.id, id), eq(callbackTasks.status, 'open')));
  s.realtime.toRoles(['operator', 'cc_admin', 'admin'], 'callback:updated', { id });
  return getCallback(s, id);
}

/** Outbound calls placed for a task: each counts as an attempt. */
export async function countCallbackAttempt(s: Services, callbackId: string) {
  await s.database.db
    .update(callbackTasks)
    .set({ attempts: sql`${callbackTasks.attempts} + 1` })
    .where(eq(callbackTasks.id, callbackId));
}

/**
 * An outbound call that reached the client (answered) closes their open callback tasks, and the call is
 * credited to the source the task came from. An unanswered attempt leaves the task open and lets it go.
 */
export async function closeCallbacksReachedBy(s: Services, callId: string, callbackId: string | null) {
  const [call] = await s.database.db.select().from(calls).where(eq(calls.id, callId));
  if (!call || call.direction !== 'outbound') return;
  const reached = call.status === 'answered';
  if (!reached) {
    if (callbackId) await s.database.db.update(callbackTasks).set({ claimedUntil: null, claimedBy: null }).where(eq(callbackTasks.id, callbackId));
    return;
  }
  const now = s.clock.now();
  const match = callbackId ? eq(callbackTasks.id, callbackId) : call.toNumber ? eq(callbackTasks.phone, call.toNumber) : undefined;
  if (!match) return;
  const closed = await s.database.db
    .update(callbackTasks)
    .set({ status: 'done', closedAt: now, closedBy: call.operatorId, closedByCallId: call.id })
    .where(and(match, eq(callbackTasks.status, 'open')))
    .returning({ id: callbackTasks.id, sourceId: callbackTasks.sourceId, contactId: callbackTasks.contactId, createdAt: callbackTasks.createdAt });
  if (!closed.length) return;
  const first = closed.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0]!;
  await s.database.db
    .update(calls)
    .set({
      sourceId: first.sourceId ?? call.sourceId,
      attributionMethod: first.sourceId ? 'callback' : call.attributionMethod,
      contactId: call.contactId ?? first.contactId,
      updatedAt: now,
    })
    .where(eq(calls.id, call.id));
  for (const c of closed) s.realtime.toRoles(['operator', 'cc_admin', 'admin'], 'callback:updated', { id: c.id });
}

export { getCallback };
