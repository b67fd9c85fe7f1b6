import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { sql } from 'drizzle-orm';
import { startService, type RunningService } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { nextEvent, startHarness, type Harness } from '../helpers/harness.js';
import { REDIS_URL, requireRedis } from '../helpers/redis.js';

const available = await requireRedis('meeting routing across two instances');

describe.skipIf(!available)('two instances, one database, Redis between them', () => {
  let a: Harness;
  let b: RunningService;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    a = await startHarness({ env: { REDIS_URL } });
    b = await startService(a.config, { database: a.testDb.database, logger: createLogger('silent') });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await b?.close();
    await a?.stop();
  });

  it('concurrent bookings on both instances: each meeting assigned once, counts within one of each other', async () => {
    const hunters = await Promise.all([1, 2, 3, 4].map(() => a.user('hunter')));
    // Half the hunters are on each instance; each accepts every offer it gets.
    const offersSeen = new Map<string, number>();
    await Promise.all(
      hunters.map(async (u, i) => {
        const s = ioClient((i % 2 ? b.url : a.url) as string, { transports: ['websocket'], auth: { token: u.token }, reconnection: false, forceNew: true });
        sockets.push(s);
        s.on('meeting:offered', (o: { offerId: string }) => {
          offersSeen.set(o.offerId, (offersSeen.get(o.offerId) ?? 0) + 1);
          s.emit('meeting:accept', { offerId: o.offerId });
        });
        await nextEvent(s, 'session:ready');
      }),
    );
    // Each instance must see the hunters connected to the other one.
    await expect
      .poll(async () => {
        const [pa, pb] = await Promise.all([a.services.realtime.presenceSnapshot(0), b.services.realtime.presenceSnapshot(0)]);
        return hunters.every((u) => pa.has(u.id) && pb.has(u.id));
      }, { timeout: 10_000 })
      .toBe(true);

    const op = await a.user('operator');
    const contacts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => a.api('/api/contacts', { token: op.token, body: { name: `Lead ${i}`, phones: [`+7917${String(5000000 + i)}`] } })),
    );
    const when = new Date(Date.now() + 86_400_000).toISOString();
    const booked = await Promise.all(
      contacts.map((c, i) =>
        fetch(`${i % 2 ? b.url : a.url}/api/meetings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${op.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ contactId: c.body.id, scheduledAt: when }),
        }).then((r) => r.status),
      ),
    );
    expect(booked.every((s) => s === 201)).toBe(true);

    await expect
      .poll(async () => {
        const [row] = await a.services.database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM meetings WHERE status = 'assigned'`);
        return row!.n;
      }, { timeout: 20_000 })
      .toBe(40);
    const perHunter = await a.services.database.query<{ hunter_id: string; n: number }>(
      sql`SELECT hunter_id, count(*)::int AS n FROM meetings GROUP BY hunter_id`,
    );
    const counts = hunters.map((u) => perHunter.find((r) => r.hunter_id === u.id)?.n ?? 0);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(40);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    const [accepted] = await a.services.database.query<{ n: number; meetings: number }>(
      sql`SELECT count(*)::int AS n, count(DISTINCT meeting_id)::int AS meetings FROM meeting_offers WHERE status = 'accepted'`,
    );
    expect(accepted).toEqual({ n: 40, meetings: 40 });
    // Every offer reached exactly one socket, once.
    expect([...offersSeen.values()].every((n) => n === 1)).toBe(true);
    expect(offersSeen.size).toBe(40);
  });
});
