import { aliasedTable, and, desc, eq, gte, lt, or, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { acdAttempts, acdOutcomes, callDirections, callEvents, callLegs, calls, callStatuses, sources, attributionMethods, users } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, notFound } from '../shared/errors.js';
import { decodeTimeCursor, encodeTimeCursor } from '../shared/http.js';
import { RunSchema } from '../call-scripts/schemas.js';
import { runsOfCall } from '../call-scripts/service.js';

export const CallSchema = z
  .object({
    id: z.string(),
    direction: z.enum(callDirections),
    from: z.string().nullable(),
    to: z.string().nullable(),
    did: z.string().nullable(),
    endpoint: z.string().nullable(),
    startedAt: z.string(),
    answeredAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    waitSeconds: z.number().int().nullable(),
    talkSeconds: z.number().int().nullable(),
    status: z.enum(callStatuses),
    hangupCause: z.number().int().nullable(),
    source: z.object({ id: z.string(), name: z.string() }).nullable(),
    attribution: z.object({
      method: z.enum(attributionMethods),
      sessionId: z.string().nullable(),
      utm: z.record(z.string(), z.string()).nullable(),
      ambiguous: z.boolean(),
    }),
    repeatCaller: z.boolean(),
    target: z.boolean().openapi({ description: 'Answered with talk time at or above TARGET_CALL_SECONDS' }),
    operatorId: z.string().nullable(),
    contactId: z.string().nullable(),
    campaignId: z.string().nullable(),
    recordingUrl: z.string().nullable(),
    capturedBy: z.enum(['ari', 'reconcile', 'cel', 'manual']),
    closeReason: z.string().nullable(),
    queuedAt: z.string().nullable().openapi({ description: 'When the caller joined the operators\' queue (inbound calls the app distributed)' }),
    ownerId: z.string().nullable().openapi({ description: 'The account manager or hunter the caller belonged to, rung first' }),
    acdOutcome: z.enum(acdOutcomes).nullable().openapi({
      description: 'answered by a person; abandoned while waiting; timed_out (max wait, callback task made); after_hours (nobody on the phones)',
    }),
  })
  .openapi('Call');

export const CallDetailSchema = CallSchema.extend({
  legs: z.array(
    z.object({ channelId: z.string(), name: z.string(), caller: z.string().nullable(), createdAt: z.string(), answeredAt: z.string().nullable(), endedAt: z.string().nullable(), cause: z.number().nullable() }),
  ),
  events: z.array(z.object({ type: z.string(), channelId: z.string(), at: z.string(), payload: z.unknown() })),
  attempts: z.array(
    z.object({
      userId: z.string(),
      name: z.string(),
      how: z.enum(['owner', 'queue']),
      startedAt: z.string(),
      endedAt: z.string().nullable(),
      outcome: z.enum(['answered', 'no_answer', 'failed', 'caller_gone']).nullable(),
    }),
  ).openapi({ description: 'Whose phones rang for this caller, in order, and how each ring ended' }),
  scriptRuns: z.array(RunSchema).openapi({ description: 'The script walked on this call: version, path and answers captured' }),
}).openapi('CallDetail');

export const CallListQuery = z.object({
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Started at or after' }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Started before' }),
  direction: z.enum(callDirections).optional(),
  status: z.enum(callStatuses).optional(),
  sourceId: z.string().max(40).optional(),
  operatorId: z.string().max(40).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(120).optional(),
});

const srcs = aliasedTable(sources, 'src');
type Row = { c: typeof calls.$inferSelect; sourceName: string | null };

const iso = (d: Date | null) => d?.toISOString() ?? null;
function toDto({ c, sourceName }: Row): z.infer<typeof CallSchema> {
  return {
    id: c.id,
    direction: c.direction,
    from: c.fromNumber,
    to: c.toNumber,
    did: c.did,
    endpoint: c.endpoint,
    startedAt: c.startedAt.toISOString(),
    answeredAt: iso(c.answeredAt),
    endedAt: iso(c.endedAt),
    waitSeconds: c.waitSeconds,
    talkSeconds: c.talkSeconds,
    status: c.status,
    hangupCause: c.hangupCause,
    source: c.sourceId ? { id: c.sourceId, name: sourceName ?? '' } : null,
    attribution: {
      method: c.attributionMethod,
      sessionId: c.attributionSessionId,
      utm: (c.attributionUtm as Record<string, string> | null) ?? null,
      ambiguous: c.ambiguous,
    },
    repeatCaller: c.repeatCaller,
    target: c.target,
    operatorId: c.operatorId,
    contactId: c.contactId,
    campaignId: c.campaignId,
    recordingUrl: c.recordingName ? `/api/calls/${c.id}/recording` : null,
    capturedBy: c.capturedBy,
    closeReason: c.closeReason,
    queuedAt: iso(c.queuedAt),
    ownerId: c.ownerId,
    acdOutcome: c.acdOutcome,
  };
}

/** Newest first. Operators see only calls they handled. */
export async function listCalls(s: Services, viewer: AuthUser, q: z.infer<typeof CallListQuery>) {
  const conds: SQL[] = [];
  if (viewer.role === 'operator') conds.push(eq(calls.operatorId, viewer.id));
  else if (q.operatorId) conds.push(eq(calls.operatorId, q.operatorId));
  if (q.from) conds.push(gte(calls.startedAt, new Date(q.from)));
  if (q.to) conds.push(lt(calls.startedAt, new Date(q.to)));
  if (q.direction) conds.push(eq(calls.direction, q.direction));
  if (q.status) conds.push(eq(calls.status, q.status));
  if (q.sourceId) conds.push(eq(calls.sourceId, q.sourceId));
  if (q.cursor) {
    const { at, id } = decodeTimeCursor(q.cursor);
    conds.push(or(lt(calls.startedAt, at), and(eq(calls.startedAt, at), lt(calls.id, id)))!);
  }
  const rows = await s.database.db
    .select({ c: calls, sourceName: srcs.name })
    .from(calls)
    .leftJoin(srcs, eq(srcs.id, calls.sourceId))
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(calls.startedAt), desc(calls.id))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit).map(toDto);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > q.limit && last ? encodeTimeCursor(last.startedAt, last.id) : null };
}

async function visibleCall(s: Services, viewer: AuthUser, id: string): Promise<Row> {
  const [row] = await s.database.db.select({ c: calls, sourceName: srcs.name }).from(calls).leftJoin(srcs, eq(srcs.id, calls.sourceId)).where(eq(calls.id, id));
  if (!row) throw notFound('Call', id);
  if (viewer.role === 'operator' && row.c.operatorId !== viewer.id) throw new AppError('forbidden', 'Operators see only the calls they handled');
  return row;
}

/** The PBX's name for the call's recording, for a viewer allowed to see the call. */
export async function recordingOf(s: Services, viewer: AuthUser, id: string): Promise<{ name: string; pbx: string }> {
  const { c } = await visibleCall(s, viewer, id);
  if (!c.recordingName) throw new AppError('not_found', `Call ${id} has no recording`);
  return { name: c.recordingName, pbx: c.pbx };
}

export async function getCall(s: Services, viewer: AuthUser, id: string) {
  const row = await visibleCall(s, viewer, id);
  const legs = await s.database.db.select().from(callLegs).where(eq(callLegs.callId, id)).orderBy(callLegs.createdAt);
  const events = await s.database.db.select().from(callEvents).where(eq(callEvents.callId, id)).orderBy(callEvents.id).limit(500);
  const attempts = await s.database.db
    .select({ a: acdAttempts, name: users.name })
    .from(acdAttempts)
    .innerJoin(users, eq(users.id, acdAttempts.userId))
    .where(eq(acdAttempts.callId, id))
    .orderBy(acdAttempts.startedAt, acdAttempts.id);
  return {
    ...toDto(row),
    legs: legs.map((l) => ({ channelId: l.channelId, name: l.name, caller: l.caller, createdAt: l.createdAt.toISOString(), answeredAt: iso(l.answeredAt), endedAt: iso(l.endedAt), cause: l.cause })),
    events: events.map((e) => ({ type: e.type, channelId: e.channelId, at: e.at.toISOString(), payload: e.payload })),
    attempts: attempts.map(({ a, name }) => ({ userId: a.userId, name, how: a.how, startedAt: a.startedAt.toISOString(), endedAt: iso(a.endedAt), outcome: a.outcome })),
    scriptRuns: await runsOfCall(s, id),
  };
}
