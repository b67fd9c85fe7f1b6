import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, ne, notInArray, sql } from 'drizzle-orm';
import { acdAttempts, callbackTasks, callLegs, calls, contactPhones, contacts, sources, users, type AcdOutcome, type PhoneDevice, type UserStatus } from '../db/schema.js';
import type { Services } from '../services.js';
import { newId } from '../shared/ids.js';
import { transitionStatus } from '../users/service.js';
import { effectiveManager } from '../clients/workload.js';
import { scriptForCall } from '../call-scripts/service.js';

export function endpointOf(s: Services, u: { extension: string | null; phoneDevice: PhoneDevice }): string | null {
  if (!u.extension) return null;
  const template = u.phoneDevice === 'desk' ? s.config.acd.deskEndpoint : s.config.acd.softphoneEndpoint;
  return template.replaceAll('{ext}', u.extension);
}

/** The call a channel of this PBX belongs to, as capture recorded it. */
export async function callOfLeg(s: Services, pbx: string, channelId: string): Promise<string | null> {
  const [leg] = await s.database.db
    .select({ callId: callLegs.callId })
    .from(callLegs)
    .where(and(eq(callLegs.pbx, pbx), eq(callLegs.channelId, channelId)));
  return leg?.callId ?? null;
}

/** The user whose phone is this PBX endpoint name (e.g. "web1001" or "op1001"), by their extension. */
export async function userByEndpointName(s: Services, endpointName: string): Promise<{ id: string } | null> {
  for (const template of [s.config.acd.softphoneEndpoint, s.config.acd.deskEndpoint]) {
    const [prefix, suffix] = template.replace(/^[A-Za-z]+\//, '').split('{ext}') as [string, string];
    if (!endpointName.startsWith(prefix) || !endpointName.endsWith(suffix)) continue;
    const ext = endpointName.slice(prefix.length, endpointName.length - suffix.length);
    if (!/^[0-9]{2,8}$/.test(ext)) continue;
    const [u] = await s.database.db.select({ id: users.id }).from(users).where(eq(users.extension, ext));
    if (u) return u;
  }
  return null;
}

/** Everyone with a phone, as the distributor's in-memory board holds them. */
export interface BoardEntry {
  id: string;
  name: string;
  role: string;
  endpoint: string;
  status: UserStatus;
  /** When they entered that status (ms): the longest idle is the earliest "available". */
  since: number;
}

export async function loadBoard(s: Services): Promise<BoardEntry[]> {
  const rows = await s.database.db
    .select({ id: users.id, name: users.name, role: users.role, extension: users.extension, phoneDevice: users.phoneDevice, status: users.status, since: users.statusChangedAt })
    .from(users)
    .where(and(eq(users.active, true), isNotNull(users.extension)));
  return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, endpoint: endpointOf(s, r)!, status: r.status, since: r.since.getTime() }));
}

/** The owner of whoever calls from `phone` (see ownerOf), found by the number. */
export async function ownerByPhone(s: Services, phone: string | null) {
  if (!phone?.startsWith('+')) return null;
  const [row] = await s.database.db.select({ contactId: contactPhones.contactId }).from(contactPhones).where(eq(contactPhones.phone, phone));
  return row ? ownerOf(s, row.contactId) : null;
}

/** Who owns the caller: a client's account manager (or their cover), or the hunter of a prospect. */
export async function ownerOf(s: Services, contactId: string | null): Promise<{ id: string; name: string; kind: 'account_manager' | 'hunter' } | null> {
  if (!contactId) return null;
  const [c] = await s.database.db.select({ status: contacts.status, hunterId: contacts.hunterId }).from(contacts).where(eq(contacts.id, contactId));
  if (!c) return null;
  const isClient = c.status === 'active' || c.status === 'lost';
  const id = isClient ? await effectiveManager(s, contactId) : c.hunterId;
  if (!id) return null;
  const [u] = await s.database.db.select({ id: users.id, name: users.name }).from(users).where(and(eq(users.id, id), eq(users.active, true)));
  return u ? { ...u, kind: isClient ? 'account_manager' : 'hunter' } : null;
}

export interface QueuedCall {
  id: string;
  fromNumber: string | null;
  contactId: string | null;
  sourceId: string | null;
  startedAt: Date;
}

export async function loadCall(s: Services, callId: string): Promise<QueuedCall | null> {
  const [c] = await s.database.db
    .select({ id: calls.id, fromNumber: calls.fromNumber, contactId: calls.contactId, sourceId: calls.sourceId, startedAt: calls.startedAt })
    .from(calls)
    .where(eq(calls.id, callId));
  return c ?? null;
}

/** The caller joined the queue; returns the call's contact (known once the call is attributed). */
export async function markQueued(s: Services, callId: string): Promise<string | null> {
  const now = s.clock.now();
  const [row] = await s.database.db.update(calls).set({ queuedAt: now, updatedAt: now }).where(eq(calls.id, callId)).returning({ contactId: calls.contactId });
  return row?.contactId ?? null;
}

export async function markOutcome(s: Services, callId: string, outcome: AcdOutcome) {
  await s.database.db.update(calls).set({ acdOutcome: outcome, updatedAt: s.clock.now() }).where(eq(calls.id, callId));
}

/** An operator picked up: the call is answered now, by them, and recorded under `recordingName`. */
export async function markAnswered(s: Services, callId: string, userId: string, recordingName: string | null) {
  const at = s.clock.now().toISOString();
  // The caller's contact is a lead this operator took, unless someone took it before.
  await s.database.query(sql`
    WITH answered AS (
      UPDATE calls SET operator_id = ${userId}, answered_at = ${at}::timestamptz, acd_outcome = 'answered',
        recording_name = coalesce(${recordingName}::text, recording_name), updated_at = ${at}::timestamptz
      WHERE id = ${callId} AND ended_at IS NULL
      RETURNING contact_id
    )
    UPDATE contacts k SET lead_by = ${userId} FROM answered a
    WHERE k.id = a.contact_id AND k.lead_by IS NULL AND k.lead_at IS NOT NULL`, { prepared: true });
}

export async function setCallOwner(s: Services, callId: string, ownerId: string) {
  await s.database.db.update(calls).set({ ownerId }).where(eq(calls.id, callId));
}

/** The person on the call, whichever of their devices they used (outbound calls). */
export async function setCallOperator(s: Services, callId: string, userId: string) {
  await s.database.db.update(calls).set({ operatorId: userId }).where(and(eq(calls.id, callId), isNull(calls.operatorId)));
}

export async function startAttempt(s: Services, callId: string, userId: string, how: 'owner' | 'queue', channelId: string | null) {
  const id = newId('acdAttempt');
  await s.database.db.insert(acdAttempts).values({ id, callId, userId, how, channelId, startedAt: s.clock.now() });
  return id;
}

export async function endAttempt(s: Services, attemptId: string, outcome: 'answered' | 'no_answer' | 'failed' | 'caller_gone') {
  await s.database.db
    .update(acdAttempts)
    .set({ outcome, endedAt: s.clock.now() })
    .where(and(eq(acdAttempts.id, attemptId), isNull(acdAttempts.endedAt)));
}

/**
 * A callback task for a caller nobody answered, carrying their number, contact, source and wait. One open
 * task per number: a caller who tries twice keeps their first place in the line.
 */
export async function createCallbackTask(s: Services, callId: string, reason: 'missed_call' | 'abandoned_call') {
  const call = await loadCall(s, callId);
  if (!call?.fromNumber?.startsWith('+')) return null;
  const now = s.clock.now();
  const phone = call.fromNumber;
  const [open] = await s.database.db
    .select({ id: callbackTasks.id })
    .from(callbackTasks)
    .where(and(eq(callbackTasks.phone, phone), eq(callbackTasks.status, 'open')))
    .limit(1);
  if (open) return { id: open.id, created: false };
  const id = newId('callback');
  await s.database.db.insert(callbackTasks).values({
    id,
    reason,
    phone,
    contactId: call.contactId,
    sourceId: call.sourceId,
    callId,
    waitSeconds: Math.max(0, Math.round((now.getTime() - call.startedAt.getTime()) / 1000)),
    createdAt: now,
  });
  s.realtime.toRoles(['operator', 'cc_admin', 'admin'], 'callback:created', { id, reason, phone, contactId: call.contactId, sourceId: call.sourceId });
  return { id, created: true };
}

/** What the operator's panel shows when their phone starts ringing: who calls, from where, and their past. */
export async function screenPop(s: Services, callId: string, how: 'owner' | 'queue', owner: { id: string; name: string; kind: string } | null) {
  const [row] = await s.database.db
    .select({ c: calls, contact: contacts, source: sources })
    .from(calls)
    .leftJoin(contacts, eq(contacts.id, calls.contactId))
    .leftJoin(sources, eq(sources.id, calls.sourceId))
    .where(eq(calls.id, callId));
  if (!row) return null;
  const { c, contact, source } = row;
  const history = contact
    ? await s.database.db
        .select({ id: calls.id, startedAt: calls.startedAt, direction: calls.direction, status: calls.status, talkSeconds: calls.talkSeconds })
        .from(calls)
        .where(and(eq(calls.contactId, contact.id), ne(calls.id, callId)))
        .orderBy(desc(calls.startedAt))
        .limit(5)
    : [];
  return {
    callId,
    from: c.fromNumber,
    did: c.did,
    how,
    owner,
    contact: contact
      ? { id: contact.id, name: contact.name, company: contact.company, status: contact.status, category: contact.category }
      : null,
    source: source ? { id: source.id, name: source.name, channel: source.channel } : null,
    utm: c.attributionUtm ?? null,
    history: history.map((h) => ({ ...h, startedAt: h.startedAt.toISOString() })),
    // The call's campaign script for a callback or campaign call, else the administrator's inbound script.
    script: await scriptForCall(s, c.campaignId),
    ringSeconds: s.config.acd.ringSeconds,
  };
}

/** Ends wrap-up for everyone whose wrap-up time is over (after a restart, or on another instance). */
export async function releaseFinishedWrapUps(s: Services): Promise<string[]> {
  const cutoff = new Date(s.clock.now().getTime() - s.config.acd.wrapUpSeconds * 1000);
  const rows = await s.database.db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.status, 'wrap_up'), lt(users.statusChangedAt, cutoff)))
    .limit(100);
  const released: string[] = [];
  for (const r of rows) if (await transitionStatus(s, r.id, 'available', null, ['wrap_up'])) released.push(r.id);
  return released;
}

/**
 * After a restart nobody can be ringing or on a call that this process placed: those states are left
 * over. Whoever is `stuck` (and not in `keep`) goes back to available.
 */
export async function resetPhoneStates(s: Services, keep: string[]) {
  const stuck: UserStatus[] = ['ringing', 'on_call'];
  const rows = await s.database.db
    .select({ id: users.id })
    .from(users)
    .where(and(inArray(users.status, stuck), keep.length ? notInArray(users.id, keep) : undefined));
  for (const r of rows) await transitionStatus(s, r.id, 'available', 'reset after restart', stuck);
  return rows.length;
}

/** Calls waiting in the queue now (the database's view, shared by every instance). */
export async function queueNow(s: Services) {
  const waitingCalls = await s.database.db
    .select({
      id: calls.id,
      fromNumber: calls.fromNumber,
      did: calls.did,
      queuedAt: calls.queuedAt,
      contactId: calls.contactId,
      contactName: contacts.name,
      ownerId: calls.ownerId,
      sourceName: sources.name,
    })
    .from(calls)
    .leftJoin(contacts, eq(contacts.id, calls.contactId))
    .leftJoin(sources, eq(sources.id, calls.sourceId))
    .where(and(isNotNull(calls.queuedAt), isNull(calls.acdOutcome), isNull(calls.endedAt)))
    .orderBy(asc(calls.queuedAt))
    .limit(500);
  const ringing = waitingCalls.length
    ? await s.database.db
        .select({ callId: acdAttempts.callId, userId: acdAttempts.userId, name: users.name })
        .from(acdAttempts)
        .innerJoin(users, eq(users.id, acdAttempts.userId))
        .where(and(inArray(acdAttempts.callId, waitingCalls.map((c) => c.id)), isNull(acdAttempts.endedAt)))
    : [];
  const now = s.clock.now().getTime();
  return waitingCalls.map((c, i) => ({
    callId: c.id,
    position: i + 1,
    from: c.fromNumber,
    did: c.did,
    contact: c.contactId ? { id: c.contactId, name: c.contactName ?? '' } : null,
    source: c.sourceName ?? null,
    ownerId: c.ownerId,
    waitingSince: c.queuedAt!.toISOString(),
    waitSeconds: Math.max(0, Math.round((now - c.queuedAt!.getTime()) / 1000)),
    ringing: ringing.filter((r) => r.callId === c.id).map((r) => ({ userId: r.userId, name: r.name })),
  }));
}
