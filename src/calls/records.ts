import { and, eq, isNull, sql } from 'drizzle-orm';
import { callEvents, callLegs, calls, type CallDirection, type CallStatus } from '../db/schema.js';
import type { Services } from '../services.js';
import { newId } from '../shared/ids.js';
import { toE164 } from '../shared/phone.js';
import { attributeNumber } from '../attribution/sessions.js';
import { findOrCreateContactByPhone } from '../contacts/from-phone.js';

/** The parts of an ARI channel the call records use (also what reconciliation reads from GET /channels). */
export interface ChannelSnapshot {
  id: string;
  name: string;
  state: string;
  caller?: { number?: string; name?: string };
  connected?: { number?: string };
  creationtime: string;
  dialplan?: { context?: string; exten?: string };
  channelvars?: Record<string, string | undefined>;
}

export interface ChannelEvent {
  type: string;
  timestamp: string;
  channel: ChannelSnapshot;
  cause?: number;
  cause_txt?: string;
  dialstatus?: string;
  args?: string[];
}

export const linkedIdOf = (c: ChannelSnapshot) => c.channelvars?.['CHANNEL(linkedid)'] || c.id;

function endpointOf(name: string): string | null {
  const m = /^PJSIP\/([^-]+)-[0-9a-f]+$/i.exec(name);
  return m && m[1] !== 'trunk' ? m[1]! : null;
}

/** Direction and numbers from the call's first channel, from our dialplan variables or its context. */
function describe(s: Services, c: ChannelSnapshot) {
  const vars = c.channelvars ?? {};
  const context = c.dialplan?.context ?? '';
  const exten = c.dialplan?.exten ?? '';
  let direction: CallDirection | null = (['inbound', 'outbound', 'internal'] as const).find((d) => d === vars.SB_DIRECTION) ?? null;
  if (!direction) {
    if (context === 'from-trunk') direction = 'inbound';
    else if (context === 'from-operators' && /^\+?\d{5,}$/.test(exten)) direction = 'outbound';
    else if (context === 'from-operators' || endpointOf(c.name)) direction = 'internal';
  }
  const dialed = vars.SB_DID || (exten && exten !== 's' ? exten : '');
  const e164 = (v: string | undefined) => (v ? toE164(v, s.config.phoneRegion) ?? v : null);
  return {
    direction,
    confirmed: !!vars.SB_DIRECTION,
    did: direction === 'inbound' ? e164(dialed) : null,
    fromNumber: direction === 'inbound' ? e164(c.caller?.number) : c.caller?.number || endpointOf(c.name),
    toNumber: direction === 'internal' ? dialed || null : e164(dialed),
    endpoint: direction === 'inbound' ? null : endpointOf(c.name),
  };
}

const busyCauses = new Set([17]);
const noAnswerCauses = new Set([18, 19, 21]);
const callerGaveUp = new Set([0, 16, 31, 127]);

function finalStatus(direction: CallDirection, answered: boolean, cause: number | null): CallStatus {
  if (answered) return 'answered';
  if (cause !== null && busyCauses.has(cause)) return 'busy';
  if (cause !== null && noAnswerCauses.has(cause)) return 'missed';
  if (cause === null || callerGaveUp.has(cause)) return direction === 'inbound' ? 'abandoned' : 'missed';
  return 'failed';
}

export interface ApplyResult {
  callId: string;
  duplicate: boolean;
  closed: boolean;
}

/**
 * Applies one channel event to the call it belongs to (legs are grouped by linkedid). Redelivered events
 * are recognised by their key and change nothing. Callers serialize events of one call.
 */
export async function applyChannelEvent(s: Services, pbx: string, evt: ChannelEvent, capturedBy: 'ari' | 'reconcile' = 'ari'): Promise<ApplyResult> {
  const c = evt.channel;
  const linkedid = linkedIdOf(c);
  const at = new Date(evt.timestamp);
  const isFirstLeg = c.id === linkedid;
  const facts = describe(s, c);
  const dedupeKey = `${pbx}:${evt.type}:${c.id}:${evt.timestamp}:${evt.dialstatus ?? ''}`;

  const result = await s.database.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(calls)
      .values({
        id: newId('call'),
        pbx,
        linkedid,
        direction: facts.direction ?? 'internal',
        startedAt: new Date(isFirstLeg ? c.creationtime : evt.timestamp),
        capturedBy,
        ...(isFirstLeg ? { did: facts.did, fromNumber: facts.fromNumber, toNumber: facts.toNumber, endpoint: facts.endpoint } : {}),
        createdAt: s.clock.now(),
        updatedAt: s.clock.now(),
      })
      .onConflictDoNothing()
      .returning({ id: calls.id });
    const [call] = inserted.length
      ? await tx.select().from(calls).where(eq(calls.id, inserted[0]!.id))
      : await tx.select().from(calls).where(and(eq(calls.pbx, pbx), eq(calls.linkedid, linkedid))).for('update');
    if (!call) throw new Error(`call ${pbx}/${linkedid} vanished`);

    const fresh = await tx
      .insert(callEvents)
      .values({ callId: call.id, channelId: c.id, type: evt.type, at, dedupeKey, payload: evt })
      .onConflictDoNothing({ target: callEvents.dedupeKey })
      .returning({ id: callEvents.id });
    if (!fresh.length) return { call, duplicate: true, closed: false };

    await tx
      .insert(callLegs)
      .values({ pbx, channelId: c.id, callId: call.id, name: c.name, caller: c.caller?.number || null, state: c.state, createdAt: new Date(c.creationtime) })
      .onConflictDoNothing();
    const legSet: Partial<typeof callLegs.$inferInsert> = { state: c.state };
    if (c.state === 'Up') legSet.answeredAt = sql`coalesce(${callLegs.answeredAt}, ${at.toISOString()}::timestamptz)` as never;
    if (evt.type === 'ChannelDestroyed') Object.assign(legSet, { endedAt: at, cause: evt.cause ?? null, causeText: evt.cause_txt ?? null });
    await tx.update(callLegs).set(legSet).where(and(eq(callLegs.pbx, pbx), eq(callLegs.channelId, c.id)));

    const set: Partial<typeof calls.$inferInsert> = {};
    if (isFirstLeg && facts.direction && (facts.confirmed || call.direction !== facts.direction) && !call.endedAt) {
      Object.assign(set, { direction: facts.direction });
      if (facts.did && !call.did) set.did = facts.did;
      if (facts.fromNumber && !call.fromNumber) set.fromNumber = facts.fromNumber;
      if (facts.toNumber && (!call.toNumber || facts.confirmed)) set.toNumber = facts.toNumber;
      if (facts.endpoint && !call.endpoint) set.endpoint = facts.endpoint;
    }
    if (isFirstLeg && c.state === 'Up' && !call.answeredAt) set.answeredAt = at;
    if (isFirstLeg && evt.type === 'ChannelDestroyed') {
      set.hangupCause = evt.cause ?? null;
      set.hangupCauseText = evt.cause_txt ?? null;
    }

    let closed = false;
    if (evt.type === 'ChannelDestroyed' && !call.endedAt) {
      const [{ open }] = (await tx
        .select({ open: sql<number>`count(*)::int` })
        .from(callLegs)
        .where(and(eq(callLegs.callId, call.id), isNull(callLegs.endedAt)))) as [{ open: number }];
      if (open === 0) {
        const answeredAt = (set.answeredAt as Date | undefined) ?? call.answeredAt;
        Object.assign(set, closeFields(s, call.startedAt, answeredAt, at, (set.direction as CallDirection) ?? call.direction, (set.hangupCause as number | null | undefined) ?? call.hangupCause ?? evt.cause ?? null));
        set.closeReason = 'hangup';
        closed = true;
      }
    }
    if (Object.keys(set).length) {
      set.updatedAt = s.clock.now();
      await tx.update(calls).set(set).where(eq(calls.id, call.id));
    }
    return { call: { ...call, ...set }, duplicate: false, closed };
  });

  if (!result.duplicate) {
    const call = result.call;
    if (call.direction === 'inbound' && call.did && !call.contactId && call.attributionMethod === 'unknown' && !call.sourceId) {
      await attributeCall(s, call.id, call.did, call.fromNumber, call.startedAt);
    }
    s.realtime.toRoles(['admin', 'cc_admin'], 'call:updated', { id: call.id, status: call.status, direction: call.direction });
  }
  return { callId: result.call.id, duplicate: result.duplicate, closed: result.closed };
}

export function closeFields(
  s: Services,
  startedAt: Date,
  answeredAt: Date | null | undefined,
  endedAt: Date,
  direction: CallDirection,
  cause: number | null,
) {
  const secs = (a: Date, b: Date) => Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000));
  const talkSeconds = answeredAt ? secs(answeredAt, endedAt) : 0;
  return {
    endedAt,
    waitSeconds: secs(startedAt, answeredAt ?? endedAt),
    talkSeconds,
    status: finalStatus(direction, !!answeredAt, cause),
    target: !!answeredAt && talkSeconds >= s.config.calls.targetSeconds,
  };
}

/** Source, session and contact of an inbound call; a known caller is flagged repeat. */
export async function attributeCall(s: Services, callId: string, did: string, fromNumber: string | null, at: Date) {
  const attribution = await attributeNumber(s, did, at);
  const caller = fromNumber && fromNumber.startsWith('+') ? fromNumber : null;
  let contact: Awaited<ReturnType<typeof findOrCreateContactByPhone>> | null = null;
  if (caller) contact = await findOrCreateContactByPhone(s, caller, { sourceId: attribution.sourceId, at });
  const repeat = !!contact?.known;
  const method = attribution.method === 'unknown' && repeat ? 'repeat_caller' : attribution.method;
  const sourceId = attribution.sourceId ?? (repeat ? contact!.firstSourceId : null);
  await s.database.db
    .update(calls)
    .set({
      sourceId,
      attributionMethod: method,
      attributionSessionId: attribution.sessionId,
      attributionUtm: attribution.utm,
      ambiguous: attribution.ambiguous,
      repeatCaller: repeat,
      contactId: contact?.contactId ?? null,
      updatedAt: s.clock.now(),
    })
    .where(eq(calls.id, callId));
}

/** Closes a call whose channels are gone without us seeing them end (service down, websocket cut). */
export async function closeVanishedCall(s: Services, callId: string, endedAt: Date, reason: string, cause: number | null = null) {
  await s.database.db.transaction(async (tx) => {
    const [call] = await tx.select().from(calls).where(eq(calls.id, callId)).for('update');
    if (!call || call.endedAt) return;
    const end = endedAt < call.startedAt ? call.startedAt : endedAt;
    await tx
      .update(calls)
      .set({ ...closeFields(s, call.startedAt, call.answeredAt, end, call.direction, cause ?? call.hangupCause), closeReason: reason, updatedAt: s.clock.now() })
      .where(eq(calls.id, callId));
    await tx.update(callLegs).set({ endedAt: end }).where(and(eq(callLegs.callId, callId), isNull(callLegs.endedAt)));
  });
}
