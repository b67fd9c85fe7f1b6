import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, contacts, meetingOffers, meetings } from '../../src/db/schema.js';
import { newId } from '../../src/shared/ids.js';
import { emitWithAck, nextEvent, startHarness, type Harness, type TestUser } from '../helpers/harness.js';

/** Wednesday 2 December 2026, 12:00 in Moscow; the clock runs on from there. */
const offsetMs = Date.parse('2026-12-02T09:00:00Z') - Date.now();
const clock = { now: () => new Date(Date.now() + offsetMs) };
const ago = (seconds: number) => new Date(clock.now().getTime() - seconds * 1000);

describe('wallboard', () => {
  let h: Harness;
  let op: TestUser, hunter: TestUser, cc: TestUser;

  beforeAll(async () => {
    h = await startHarness({ clock, env: { WALLBOARD_REFRESH_MS: '200', SERVICE_LEVEL_SECONDS: '20' } });
    cc = await h.user('cc_admin');
    op = await h.user('operator', { name: 'Анна' });
    hunter = await h.user('hunter', { name: 'Виктор' });
    await h.api('/api/pause-reasons', { token: cc.token, body: { label: 'Обед' } });
    const db = h.services.database.db;
    const call = (o: Partial<typeof calls.$inferInsert>) => ({ id: newId('call'), linkedid: newId('call'), direction: 'inbound' as const, capturedBy: 'ari' as const, startedAt: ago(600), ...o });
    await db.insert(calls).values([
      // Today: answered in 10 s, answered after 40 s, abandoned; one outbound; yesterday's does not count.
      call({ queuedAt: ago(600), answeredAt: ago(590), acdOutcome: 'answered', status: 'answered', endedAt: ago(500) }),
      call({ queuedAt: ago(600), answeredAt: ago(560), acdOutcome: 'answered', status: 'answered', endedAt: ago(500) }),
      call({ queuedAt: ago(600), acdOutcome: 'abandoned', status: 'abandoned', endedAt: ago(550) }),
      call({ direction: 'outbound', startedAt: ago(300) }),
      call({ startedAt: ago(86_400), queuedAt: ago(86_400), acdOutcome: 'abandoned', status: 'abandoned', endedAt: ago(86_000) }),
      // Waiting now: 45 s and 5 s.
      call({ startedAt: ago(50), queuedAt: ago(45) }),
      call({ startedAt: ago(6), queuedAt: ago(5) }),
    ]);
    const contactId = newId('contact');
    await db.insert(contacts).values({ id: contactId, name: 'K' });
    const meetingId = newId('meeting');
    await db.insert(meetings).values({ id: meetingId, contactId, bookedBy: op.id, scheduledAt: ago(-86_400), durationMinutes: 60, status: 'offered', createdAt: ago(120) });
    await db.insert(meetingOffers).values({ id: newId('offer'), meetingId, hunterId: hunter.id, how: 'pool', offeredAt: ago(60), expiresAt: ago(-240) });
  }, 60_000);
  afterAll(() => h?.stop());

  it('gives the board now over HTTP and the socket', async () => {
    const board = (await h.api('/api/reports/wallboard', { token: cc.token })).body;
    expect(board.queue).toMatchObject({ waiting: 2 });
    expect(board.queue.longestWaitSeconds).toBeGreaterThanOrEqual(45);
    expect(board.today).toMatchObject({ inbound: 5, answered: 2, answeredWithinSl: 1, serviceLevel: 0.3333, abandoned: 1, abandonedRate: 0.3333, outbound: 1, meetingsBooked: 1 });
    expect(board.hunters.find((x: any) => x.id === hunter.id)).toMatchObject({ name: 'Виктор', openOffers: 1 });
    expect(board.openOffers).toBe(1);
    expect(board.operators.find((x: any) => x.id === op.id)).toMatchObject({ name: 'Анна', status: 'offline', connected: false });

    const sock = h.socket(cc.token);
    await nextEvent(sock, 'session:ready');
    const ack = await emitWithAck(sock, 'wallboard:snapshot', {});
    expect(ack.ok).toBe(true);
    expect(ack.data.today).toEqual(board.today);
  });

  it("pushes an operator's new state and pause reason to supervisors, and to nobody else", async () => {
    const sup = h.socket(cc.token);
    await nextEvent(sup, 'session:ready');
    const opSock = h.socket(op.token);
    await nextEvent(opSock, 'session:ready');
    let leaked = 0;
    opSock.on('wallboard:updated', () => leaked++);
    const denied = await emitWithAck(opSock, 'wallboard:snapshot', {});
    expect(denied).toMatchObject({ ok: false, error: { status: 403 } });

    const seen = new Promise<any>((resolve) => {
      sup.on('wallboard:updated', (b: any) => {
        const me = b.operators.find((x: any) => x.id === op.id);
        if (me?.status === 'paused') resolve(me);
      });
    });
    const res = await h.api('/api/me/status', { method: 'PUT', token: op.token, body: { status: 'paused', reason: 'Обед' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const me = await Promise.race([seen, new Promise((_, reject) => setTimeout(() => reject(new Error('no wallboard:updated with the pause')), 5000))]);
    expect(me).toMatchObject({ status: 'paused', reason: 'Обед', connected: true });
    expect(Date.parse(me.since)).toBeGreaterThan(ago(10).getTime());
    expect(leaked).toBe(0);
  });
});
