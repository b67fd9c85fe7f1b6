import { and, eq, isNull, sql } from 'drizzle-orm';
import { callLegs, calls, type CallDirection, type CallStatus } from '../db/schema.js';
import type { Services } from '../services.js';
import { rowsOf } from '../db/client.js';
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

/** What the event statement returns about the call (timestamps as epoch milliseconds on both engines). */
interface StoredCallRow extends Record<string, unknown> {
  id: string;
  /** This event created the call. */
  inserted: boolean;
  direction: CallDirection;
  did: string | null;
  from_number: string | null;
  to_number: string | null;
  endpoint: string | null;
  status: CallStatus;
  hangup_cause: number | null;
  contact_id: string | null;
  source_id: string | null;
  recording_name: string | null;
  attribution_method: string;
  started_at_ms: number;
  answered_at_ms: number | null;
  ended_at_ms: number | null;
  fresh: boolean;
  other_open: number;
  queued: boolean;
  acd_outcome: string | null;
}

export interface ApplyResult {
  callId: string;
  duplicate: boolean;
  closed: boolean;
}

export interface ApplyOptions {
  capturedBy?: 'ari' | 'reconcile';
}

/**
 * Applies one channel event to the call it belongs to (legs are grouped by linkedid). Redelivered events
 * are recognised by their key and change nothing. Callers serialize events of one call.
 */
export async function applyChannelEvent(s: Services, pbx: string, evt: ChannelEvent, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const capturedBy = opts.capturedBy ?? 'ari';
  const c = evt.channel;
  const linkedid = linkedIdOf(c);
  const at = new Date(evt.timestamp);
  const isFirstLeg = c.id === linkedid;
  const facts = describe(s, c);
  const dedupeKey = `${pbx}:${evt.type}:${c.id}:${evt.timestamp}:${evt.dialstatus ?? ''}`;

  const now = s.clock.now();
  const first = isFirstLeg ? facts : { did: null, fromNumber: null, toNumber: null, endpoint: null };
  const legAnsweredAt = c.state === 'Up' ? at : null;
  const destroyed = evt.type === 'ChannelDestroyed';
  const ms = (col: string) => sql.raw(`(extract(epoch from c.${col}) * 1000)::float8 AS ${col}_ms`);

  const result = await s.database.db.transaction(async (tx) => {
    // One statement: the call (created, or locked and read), the raw event (a redelivery inserts nothing),
    // the leg it belongs to, and how many other legs of the call are still up.
    const [row] = rowsOf<StoredCallRow>(
      await tx.execute(sql`
        WITH c AS (
          INSERT INTO calls AS t (id, pbx, linkedid, direction, started_at, captured_by, did, from_number, to_number, endpoint, created_at, updated_at)
          VALUES (${newId('call')}, ${pbx}, ${linkedid}, ${facts.direction ?? 'internal'}, ${(isFirstLeg ? new Date(c.creationtime) : at).toISOString()}::timestamptz,
                  ${capturedBy}, ${first.did}, ${first.fromNumber}, ${first.toNumber}, ${first.endpoint}, ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz)
          ON CONFLICT (pbx, linkedid) DO UPDATE SET updated_at = t.updated_at
          RETURNING t.*, (t.xmax = 0) AS inserted
        ), ev AS (
          INSERT INTO call_events (call_id, channel_id, type, at, dedupe_key, payload)
          SELECT c.id, ${c.id}, ${evt.type}, ${at.toISOString()}::timestamptz, ${dedupeKey}, ${JSON.stringify(evt)}::jsonb FROM c
          ON CONFLICT (dedupe_key) DO NOTHING
          RETURNING id
        ), leg AS (
          INSERT INTO call_legs AS l (pbx, channel_id, call_id, name, caller, state, created_at, answered_at, ended_at, cause, cause_text)
          SELECT ${pbx}, ${c.id}, c.id, ${c.name}, ${c.caller?.number || null}, ${c.state}, ${new Date(c.creationtime).toISOString()}::timestamptz,
                 ${legAnsweredAt?.toISOString() ?? null}::timestamptz, ${destroyed ? at.toISOString() : null}::timestamptz,
                 ${destroyed ? (evt.cause ?? null) : null}::int, ${destroyed ? (evt.cause_txt ?? null) : null}
          FROM c WHERE EXISTS (SELECT 1 FROM ev)
          ON CONFLICT (pbx, channel_id) DO UPDATE SET
            state = EXCLUDED.state,
            answered_at = coalesce(l.answered_at, EXCLUDED.answered_at),
            ended_at = coalesce(EXCLUDED.ended_at, l.ended_at),
            cause = CASE WHEN EXCLUDED.ended_at IS NULL THEN l.cause ELSE EXCLUDED.cause END,
            cause_text = CASE WHEN EXCLUDED.ended_at IS NULL THEN l.cause_text ELSE EXCLUDED.cause_text END
          RETURNING 1
        )
        SELECT c.id, c.direction, c.did, c.from_number, c.to_number, c.endpoint, c.status, c.hangup_cause, c.contact_id, c.source_id, c.recording_name,
               c.attribution_method, ${ms('started_at')}, ${ms('answered_at')}, ${ms('ended_at')},
               EXISTS (SELECT 1 FROM ev) AS fresh, c.inserted, c.queued_at IS NOT NULL AS queued, c.acd_outcome,
               (SELECT count(*) FROM call_legs o WHERE o.call_id = c.id AND o.ended_at IS NULL AND o.channel_id <> ${c.id})::int AS other_open
        FROM c`),
    );
    if (!row) throw new Error(`call ${pbx}/${linkedid} vanished`);
    if (row.inserted) s.logger.info({ callId: row.id, pbx, linkedid, direction: row.direction, capturedBy }, 'call started');
    const date = (v: number | null) => (v === null ? null : new Date(v));
    const call = {
      id: row.id,
      direction: row.direction,
      did: row.did,
      fromNumber: row.from_number,
      toNumber: row.to_number,
      endpoint: row.endpoint,
      status: row.status,
      hangupCause: row.hangup_cause,
      contactId: row.contact_id,
      sourceId: row.source_id,
      recordingName: row.recording_name,
      attributionMethod: row.attribution_method,
      startedAt: new Date(row.started_at_ms),
      answeredAt: date(row.answered_at_ms),
      endedAt: date(row.ended_at_ms),
    };
    if (!row.fresh) return { call, duplicate: true, closed: false, talkSeconds: 0 };

    const set: Partial<typeof calls.$inferInsert> = {};
    if (isFirstLeg && facts.direction && (facts.confirmed || call.direction !== facts.direction) && !call.endedAt) {
      if (call.direction !== facts.direction) set.direction = facts.direction;
      if (facts.did && !call.did) set.did = facts.did;
      if (facts.fromNumber && !call.fromNumber) set.fromNumber = facts.fromNumber;
      if (facts.toNumber && call.toNumber !== facts.toNumber && (!call.toNumber || facts.confirmed)) set.toNumber = facts.toNumber;
      if (facts.endpoint && !call.endpoint) set.endpoint = facts.endpoint;
    }
    // A queued caller may be answered by the app to hear their position: the call counts as answered
    // only when a person picks up (the distributor stores that).
    if (isFirstLeg && c.state === 'Up' && !call.answeredAt && !row.queued) set.answeredAt = at;
    // The PBX names the stored recording it makes of the call (ARI /recordings/stored/{name}).
    const recording = c.channelvars?.SB_RECORDING;
    if (recording && !call.recordingName && /^[\w.-]{1,120}$/.test(recording)) set.recordingName = recording;
    if (isFirstLeg && destroyed) {
      set.hangupCause = evt.cause ?? null;
      set.hangupCauseText = evt.cause_txt ?? null;
    }

    let closed = false;
    if (destroyed && !call.endedAt && row.other_open === 0) {
      const direction = set.direction ?? call.direction;
      const answeredAt = set.answeredAt ?? call.answeredAt;
      Object.assign(set, closeFields(s, call.startedAt, answeredAt, at, direction, set.hangupCause ?? call.hangupCause ?? evt.cause ?? null));
      // Nobody took it within the maximum wait: the app said goodbye, the caller did not give up.
      if (!answeredAt && row.acd_outcome === 'timed_out') set.status = 'missed';
      set.closeReason = 'hangup';
      closed = true;
    }
    if (Object.keys(set).length) {
      set.updatedAt = now;
      await tx.update(calls).set(set).where(eq(calls.id, call.id));
    }
    return { call: { ...call, ...set } as typeof call, duplicate: false, closed, talkSeconds: set.talkSeconds ?? 0 };
  });

  if (result.closed) {
    const c = result.call;
    s.logger.info({ callId: c.id, pbx, linkedid, direction: c.direction, status: c.status, talkSeconds: result.talkSeconds }, 'call ended');
  }
  if (!result.duplicate) {
    const call = result.call;
    // Attribution runs in the call's lane on purpose: beside it, its update would wait on the row lock
    // that the call's next event holds.
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

/**
 * Closes a call whose channels are gone without us seeing them end (service down, websocket cut).
 * `answeredAt`: when it was answered, if that happened unseen (from CEL); a time already recorded wins.
 */
export async function closeVanishedCall(s: Services, callId: string, endedAt: Date, reason: string, cause: number | null = null, answeredAt: Date | null = null) {
  const closed = await s.database.db.transaction(async (tx) => {
    const [call] = await tx.select().from(calls).where(eq(calls.id, callId)).for('update');
    if (!call || call.endedAt) return null;
    const end = endedAt < call.startedAt ? call.startedAt : endedAt;
    const answered = call.answeredAt ?? (answeredAt && answeredAt >= call.startedAt && answeredAt <= end ? answeredAt : null);
    const fields = closeFields(s, call.startedAt, answered, end, call.direction, cause ?? call.hangupCause);
    await tx.update(calls).set({ ...fields, answeredAt: answered, closeReason: reason, updatedAt: s.clock.now() }).where(eq(calls.id, callId));
    await tx.update(callLegs).set({ endedAt: end }).where(and(eq(callLegs.callId, callId), isNull(callLegs.endedAt)));
    return { pbx: call.pbx, linkedid: call.linkedid, direction: call.direction, status: fields.status, talkSeconds: fields.talkSeconds };
  });
  if (closed) s.logger.info({ callId, ...closed, closeReason: reason }, 'call ended');
}
