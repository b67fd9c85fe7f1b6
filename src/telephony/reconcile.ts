import { and, eq, inArray, isNull, max } from 'drizzle-orm';
import type { CelStore } from '../config.js';
import { callEvents, callLegs, calls } from '../db/schema.js';
import type { Services } from '../services.js';
import { applyChannelEvent, closeVanishedCall, linkedIdOf, type ChannelSnapshot } from '../calls/records.js';
import { celEndTimes, recoverFromCel } from './cel.js';

type Enqueue = (key: string, task: () => Promise<void>) => Promise<void>;

function snapshot(raw: Record<string, unknown>): ChannelSnapshot {
  const r = raw as unknown as ChannelSnapshot;
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    caller: r.caller ? { number: r.caller.number, name: r.caller.name } : undefined,
    connected: r.connected ? { number: r.connected.number } : undefined,
    creationtime: r.creationtime,
    dialplan: r.dialplan ? { context: r.dialplan.context, exten: r.dialplan.exten } : undefined,
    channelvars: r.channelvars ? { ...r.channelvars } : undefined,
  };
}

/**
 * Asterisk neither queues events while the websocket is down nor resends StasisStart. After every
 * (re)connect: record the channels alive now, close calls whose channels are gone, and recover from CEL
 * the calls that began and ended while nobody was listening.
 */
export async function reconcile(
  s: Services,
  server: { pbx: string; cel: CelStore | null },
  listChannels: () => Promise<Array<Record<string, unknown>>>,
  enqueue: Enqueue,
) {
  const { pbx, cel } = server;
  // Open calls as of before the listing: a call that starts after it (its events already flow to us) is
  // not in the list, and must not be taken for one that vanished.
  const open = await s.database.db
    .select({ id: calls.id, linkedid: calls.linkedid })
    .from(calls)
    .where(and(eq(calls.pbx, pbx), isNull(calls.endedAt)));
  const live = (await listChannels()).map(snapshot);
  const now = s.clock.now().toISOString();
  await Promise.all(
    live.map((ch) =>
      enqueue(linkedIdOf(ch), async () => {
        await applyChannelEvent(s, pbx, { type: 'Reconciled', timestamp: now, channel: ch }, { capturedBy: 'reconcile' });
      }),
    ),
  );

  const liveIds = new Set(live.map((c) => c.id));
  let closed = 0;
  if (open.length) {
    const legs = await s.database.db
      .select({ callId: callLegs.callId, channelId: callLegs.channelId })
      .from(callLegs)
      .where(inArray(callLegs.callId, open.map((o) => o.id)));
    const gone = open.filter((o) => !legs.some((l) => l.callId === o.id && liveIds.has(l.channelId)));
    const ends = await celEndTimes(s, cel, gone.map((g) => g.linkedid));
    const lastSeen = new Map(
      gone.length
        ? (
            await s.database.db
              .select({ callId: callEvents.callId, at: max(callEvents.at) })
              .from(callEvents)
              .where(inArray(callEvents.callId, gone.map((g) => g.id)))
              .groupBy(callEvents.callId)
          ).map((r) => [r.callId, r.at])
        : [],
    );
    for (const g of gone) {
      const end = ends.get(g.linkedid);
      // Without CEL, the last thing we heard of the call is the best end time we have.
      const endedAt = end?.at ?? lastSeen.get(g.id) ?? s.clock.now();
      await enqueue(g.linkedid, () =>
        closeVanishedCall(
          s,
          g.id,
          endedAt,
          end ? 'ended while telephony was disconnected (time from CEL)' : 'channel gone while telephony was disconnected',
          end?.cause ?? null,
          end?.answeredAt ?? null,
        ),
      );
      closed++;
    }
  }
  const recovered = await recoverFromCel(s, pbx, cel);
  return { live: live.length, closed, recovered };
}
