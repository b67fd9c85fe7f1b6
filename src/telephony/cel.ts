import postgres from 'postgres';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { callEvents, callLegs, calls, settings, type CallDirection } from '../db/schema.js';
import type { CelStore } from '../config.js';
import type { Services } from '../services.js';
import { newId } from '../shared/ids.js';
import { toE164 } from '../shared/phone.js';
import { attributeCall, closeFields } from '../calls/records.js';

interface CelRow {
  id: string;
  eventtype: string;
  at: Date;
  uniqueid: string;
  linkedid: string;
  cid_num: string;
  exten: string;
  context: string;
  channame: string;
  extra: string;
}

// Calls that ended this long before the watermark are looked at again, in case a scan raced their end.
const OVERLAP = "interval '5 minutes'";

/**
 * Runs `fn` against one server's CEL table (`cel`: that server's own; see config.ts), passing the table
 * as an escaped identifier. Null when there is no CEL store, no such table, or it cannot be read.
 */
async function withCel<T>(s: Services, store: CelStore | null, fn: (sql: postgres.Sql, cel: postgres.Helper<string>) => Promise<T>): Promise<T | null> {
  if (!store) return null;
  const sql = postgres(store.url, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    const [exists] = await sql<[{ t: string | null }]>`SELECT to_regclass(${store.table})::text AS t`;
    if (!exists?.t) return null;
    return await fn(sql, sql(store.table));
  } catch (err) {
    s.logger.warn({ err: (err as Error).message, table: store.table }, 'CEL database not readable; skipping CEL reconciliation');
    return null;
  } finally {
    await sql.end({ timeout: 2 });
  }
}

const hangupCause = (extra: string): number | null => {
  try {
    const v = (JSON.parse(extra) as { hangupcause?: unknown }).hangupcause;
    return typeof v === 'number' ? v : null;
  } catch {
    return null;
  }
};

/**
 * When calls ended, and why, from the server's CEL (LINKEDID_END and the first channel's HANGUP), and
 * when the first channel was answered (a call may be answered after the connection went away).
 */
export async function celEndTimes(s: Services, store: CelStore | null, linkedids: string[]) {
  const out = new Map<string, { at: Date; cause: number | null; answeredAt: Date | null }>();
  if (!linkedids.length) return out;
  await withCel(s, store, async (sql, cel) => {
    const rows = await sql<CelRow[]>`
      SELECT linkedid, uniqueid, eventtype, eventtime AT TIME ZONE 'UTC' AS at, extra FROM ${cel}
      WHERE linkedid IN ${sql(linkedids)} AND eventtype IN ('LINKEDID_END', 'HANGUP', 'ANSWER') ORDER BY id`;
    for (const r of rows) {
      if (r.eventtype === 'LINKEDID_END') out.set(r.linkedid, { at: r.at, cause: null, answeredAt: null });
    }
    for (const r of rows) {
      const end = out.get(r.linkedid);
      if (!end || r.uniqueid !== r.linkedid) continue;
      if (r.eventtype === 'HANGUP') end.cause = hangupCause(r.extra);
      if (r.eventtype === 'ANSWER') end.answeredAt ??= r.at;
    }
  });
  return out;
}

function directionOf(context: string, exten: string): CallDirection {
  if (context === 'from-trunk') return 'inbound';
  if ((context === 'from-operators' || context === 'sb-outbound') && /^\+?\d{5,}$/.test(exten)) return 'outbound';
  return 'internal';
}

/**
 * Creates the calls Asterisk logged in CEL that the database does not have: calls that began and ended
 * while the service was down or its websocket was cut. Scans from a watermark kept per PBX. Every call in
 * `store` is taken as `pbx`'s, so the store must hold that server's rows alone (config.ts sees to it).
 */
export async function recoverFromCel(s: Services, pbx: string, store: CelStore | null): Promise<number> {
  const key = `cel_watermark:${pbx}`;
  const sinceKey = `cel_since:${pbx}`;
  const marks = await s.database.db.select().from(settings).where(inArray(settings.key, [key, sinceKey]));
  const mark = marks.find((m) => m.key === key);
  const now = s.clock.now();
  if (!mark) {
    // First connection of this PBX: history before it is not ours to import, not even within the overlap.
    await s.database.db
      .insert(settings)
      .values([
        { key, value: now.toISOString() },
        { key: sinceKey, value: now.toISOString() },
      ])
      .onConflictDoNothing();
    return 0;
  }
  const since = marks.find((m) => m.key === sinceKey)?.value ?? '-infinity';
  // The calls that ended since the watermark first (a few strings each), then the events of those the
  // database does not have: after a takeover that is a handful, where the calls ended are thousands.
  const ended = await withCel(s, store, (sql, cel) => sql<Array<{ linkedid: string; at: Date }>>`
      SELECT linkedid, max(eventtime) AT TIME ZONE 'UTC' AS at FROM ${cel} WHERE eventtype = 'LINKEDID_END'
        AND eventtime >= (greatest(${mark.value}::timestamptz - ${sql.unsafe(OVERLAP)}, ${since}::timestamptz)) AT TIME ZONE 'UTC'
      GROUP BY linkedid`);
  if (!ended?.length) return 0;
  let newest = new Date(mark.value);
  for (const e of ended) if (e.at > newest) newest = e.at;
  const known = new Set<string>();
  for (let i = 0; i < ended.length; i += 5000) {
    const some = ended.slice(i, i + 5000).map((e) => e.linkedid);
    const rows = await s.database.db.select({ linkedid: calls.linkedid }).from(calls).where(and(eq(calls.pbx, pbx), inArray(calls.linkedid, some)));
    for (const r of rows) known.add(r.linkedid);
  }
  const missed = ended.map((e) => e.linkedid).filter((l) => !known.has(l));
  const result: CelRow[] = [];
  for (let i = 0; i < missed.length; i += 5000) {
    const some = missed.slice(i, i + 5000);
    const rows = await withCel(s, store, (sql, cel) => sql<CelRow[]>`
      SELECT id::text, eventtype, eventtime AT TIME ZONE 'UTC' AS at, uniqueid, linkedid, cid_num, exten, context, channame, extra
      FROM ${cel} WHERE linkedid IN ${sql(some)} ORDER BY id`);
    result.push(...(rows ?? []));
  }
  const byCall = new Map<string, CelRow[]>();
  for (const r of result) {
    const list = byCall.get(r.linkedid);
    if (list) list.push(r);
    else byCall.set(r.linkedid, [r]);
  }
  let recovered = 0;
  for (const [linkedid, rows] of byCall) {
    const end = rows.find((r) => r.eventtype === 'LINKEDID_END');
    if (!end) continue;
    const first = rows.find((r) => r.uniqueid === linkedid && r.eventtype === 'CHAN_START') ?? rows[0]!;
    const direction = directionOf(first.context, first.exten);
    const answered = rows.find((r) => r.uniqueid === linkedid && r.eventtype === 'ANSWER');
    const hangup = rows.find((r) => r.uniqueid === linkedid && r.eventtype === 'HANGUP');
    const e164 = (v: string) => (v ? toE164(v, s.config.phoneRegion) ?? v : null);
    const did = direction === 'inbound' ? e164(first.exten) : null;
    const id = newId('call');
    const inserted = await s.database.db.transaction(async (tx) => {
      const ins = await tx
        .insert(calls)
        .values({
          id,
          pbx,
          linkedid,
          direction,
          did,
          fromNumber: direction === 'inbound' ? e164(first.cid_num) : first.cid_num || null,
          toNumber: direction === 'internal' ? first.exten || null : direction === 'inbound' ? did : e164(first.exten),
          startedAt: first.at,
          answeredAt: answered?.at ?? null,
          ...closeFields(s, first.at, answered?.at ?? null, end.at, direction, hangup ? hangupCause(hangup.extra) : null),
          hangupCause: hangup ? hangupCause(hangup.extra) : null,
          closeReason: 'recovered from CEL (began and ended while telephony was disconnected)',
          capturedBy: 'cel',
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing()
        .returning({ id: calls.id });
      if (!ins.length) return false;
      const legs = new Map<string, CelRow[]>();
      for (const r of rows) legs.set(r.uniqueid, [...(legs.get(r.uniqueid) ?? []), r]);
      for (const [uniqueid, lr] of legs) {
        const start = lr.find((r) => r.eventtype === 'CHAN_START') ?? lr[0]!;
        await tx
          .insert(callLegs)
          .values({
            pbx,
            channelId: uniqueid,
            callId: id,
            name: start.channame,
            caller: start.cid_num || null,
            state: 'Down',
            createdAt: start.at,
            answeredAt: lr.find((r) => r.eventtype === 'ANSWER')?.at ?? null,
            endedAt: lr.find((r) => r.eventtype === 'CHAN_END')?.at ?? end.at,
          })
          .onConflictDoNothing();
      }
      await tx
        .insert(callEvents)
        .values(rows.map((r) => ({ callId: id, channelId: r.uniqueid, type: `CEL:${r.eventtype}`, at: r.at, dedupeKey: `cel:${pbx}:${r.id}`, payload: r })))
        .onConflictDoNothing();
      return true;
    });
    if (!inserted) continue;
    recovered++;
    if (direction === 'inbound' && did) {
      const [c] = await s.database.db.select({ fromNumber: calls.fromNumber }).from(calls).where(eq(calls.id, id));
      await attributeCall(s, id, did, c?.fromNumber ?? null, first.at);
    }
  }
  await s.database.db
    .insert(settings)
    .values({ key, value: newest.toISOString(), updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: newest.toISOString(), updatedAt: now } });
  if (recovered) s.logger.info({ recovered, pbx }, 'recovered calls from CEL');
  return recovered;
}

/**
 * While an instance is connected, the calls that end are seen as they end: a recovery after the next
 * disconnect need look back only from about now (less the overlap), not from when it connected, which
 * may be days before. Never moves the watermark back; does nothing before the first connection set it.
 */
export async function advanceCelWatermark(s: Services, pbx: string, at: Date) {
  await s.database.db
    .update(settings)
    .set({ value: at.toISOString(), updatedAt: at })
    .where(and(eq(settings.key, `cel_watermark:${pbx}`), sql`${settings.value}::timestamptz < ${at.toISOString()}::timestamptz`));
}
