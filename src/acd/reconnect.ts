import { and, desc, eq, isNotNull, isNull } from 'drizzle-orm';
import { acdAttempts, calls, users } from '../db/schema.js';
import type { Services } from '../services.js';
import { screenPop } from './store.js';

/**
 * What a person's phone is doing now, for a panel that (re)connects: the call ringing for them or the one
 * they are on, with its screen pop, or none. Sent as `call:state` whenever a socket of theirs connects,
 * so a panel that lost its connection mid-call shows that call again.
 */
export async function callStateOf(s: Services, userId: string) {
  const [user] = await s.database.db.select({ status: users.status, since: users.statusChangedAt }).from(users).where(eq(users.id, userId));
  if (!user) return null;
  const base = { status: user.status, since: user.since.toISOString() };
  const [talking] = await s.database.db
    .select({ id: calls.id })
    .from(calls)
    .where(and(eq(calls.operatorId, userId), isNotNull(calls.answeredAt), isNull(calls.endedAt)))
    .orderBy(desc(calls.startedAt))
    .limit(1);
  if (talking) {
    // Reached through the queue unless it was their own client's call (an outbound call has no attempt).
    const [attempt] = await s.database.db
      .select({ how: acdAttempts.how })
      .from(acdAttempts)
      .where(and(eq(acdAttempts.callId, talking.id), eq(acdAttempts.userId, userId)))
      .orderBy(desc(acdAttempts.startedAt))
      .limit(1);
    return { ...base, call: 'on_call' as const, pop: await screenPop(s, talking.id, attempt?.how ?? 'queue', null) };
  }
  const [ringing] = await s.database.db
    .select({ callId: acdAttempts.callId, how: acdAttempts.how })
    .from(acdAttempts)
    .innerJoin(calls, eq(calls.id, acdAttempts.callId))
    .where(and(eq(acdAttempts.userId, userId), isNull(acdAttempts.endedAt), isNull(calls.endedAt)))
    .orderBy(desc(acdAttempts.startedAt))
    .limit(1);
  if (ringing) return { ...base, call: 'ringing' as const, pop: await screenPop(s, ringing.callId, ringing.how, null) };
  return { ...base, call: null, pop: null };
}

/** Registers the `call:state` message for every panel that connects. */
export function resendCallState(s: Services) {
  s.realtime.onSocketOpened(async (user, emit) => {
    try {
      const state = await callStateOf(s, user.id);
      if (state) emit('call:state', state);
    } catch (err) {
      s.logger.warn({ err: (err as Error).message, userId: user.id }, 'could not send a reconnecting panel its call state');
    }
  });
}
