import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { acdAttempts, calls, contacts, sources, users } from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { nextEvent, startHarness, type Harness } from '../helpers/harness.js';

/** A panel whose socket connects again mid-call is told which call its user's phone has. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const connect = async (token: string) => {
  const s = h.socket(token);
  const state = nextEvent(s, 'call:state');
  return { s, state: await state };
};

describe('call state on (re)connect', () => {
  it('a call in progress or ringing comes back with its screen pop; none once it ended; nobody else sees it', async () => {
    const op = await h.user('operator');
    const other = await h.user('operator');
    const db = h.services.database.db;

    const idle = await connect(op.token);
    expect(idle.state).toMatchObject({ call: null, pop: null });
    expect(typeof idle.state.status).toBe('string');

    const sourceId = newId('source');
    const contactId = newId('contact');
    const callId = newId('call');
    await db.insert(sources).values({ id: sourceId, name: 'Яндекс', channel: 'paid_search', currency: 'RUB' });
    await db.insert(contacts).values({ id: contactId, name: 'ООО Ромашка', company: 'Ромашка' });
    const now = new Date();
    await db.insert(calls).values({
      id: callId, linkedid: callId, direction: 'inbound', fromNumber: '+79161234567', startedAt: new Date(now.getTime() - 60_000),
      answeredAt: new Date(now.getTime() - 50_000), status: 'answered', capturedBy: 'ari', contactId, sourceId, operatorId: op.id,
    });
    await db.insert(acdAttempts).values({ id: newId('acdAttempt'), callId, userId: op.id, how: 'owner', startedAt: new Date(now.getTime() - 55_000), endedAt: new Date(now.getTime() - 50_000), outcome: 'answered' });
    await db.update(users).set({ status: 'on_call', statusChangedAt: new Date(now.getTime() - 50_000) }).where(eq(users.id, op.id));

    // The same client reconnecting, as a panel does after a network drop.
    idle.s.disconnect();
    const again = nextEvent(idle.s, 'call:state');
    idle.s.connect();
    const onCall = await again;
    expect(onCall).toMatchObject({
      status: 'on_call',
      call: 'on_call',
      pop: { callId, from: '+79161234567', how: 'owner', contact: { id: contactId, name: 'ООО Ромашка' }, source: { id: sourceId, name: 'Яндекс' } },
    });
    expect(Date.parse(onCall.since)).toBe(now.getTime() - 50_000);

    expect((await connect(other.token)).state).toMatchObject({ call: null, pop: null });

    // Ringing for the other operator: an open attempt of a call still going on.
    const ringing = newId('call');
    await db.insert(calls).values({ id: ringing, linkedid: ringing, direction: 'inbound', fromNumber: '+79160000001', startedAt: now, capturedBy: 'ari' });
    await db.insert(acdAttempts).values({ id: newId('acdAttempt'), callId: ringing, userId: other.id, how: 'queue', startedAt: now });
    expect((await connect(other.token)).state).toMatchObject({ call: 'ringing', pop: { callId: ringing, how: 'queue', contact: null } });

    // Both calls end: nothing comes back.
    await db.update(calls).set({ endedAt: new Date(), status: 'answered' }).where(eq(calls.id, callId));
    await db.update(calls).set({ endedAt: new Date(), status: 'abandoned' }).where(eq(calls.id, ringing));
    expect((await connect(op.token)).state).toMatchObject({ call: null, pop: null });
    expect((await connect(other.token)).state).toMatchObject({ call: null, pop: null });
  });
});
