import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { nextEvent, startHarness, type Harness } from '../helpers/harness.js';
import { REDIS_URL, requireRedis } from '../helpers/redis.js';

const available = await requireRedis('socket.io Redis adapter tests');

describe.skipIf(!available)('socket.io across two instances through the Redis adapter', () => {
  let a: Harness;
  let b: RunningService;
  beforeAll(async () => {
    a = await startHarness({ env: { REDIS_URL } });
    // A second instance over the same database and the same Redis.
    b = await startService(a.config, { database: a.testDb.database, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('an event emitted on one instance reaches a user connected to the other', async () => {
    const u = await a.user('hunter');
    const { io } = await import('socket.io-client');
    const s = io(b.url, { transports: ['websocket'], auth: { token: u.token }, reconnection: false, forceNew: true });
    try {
      await nextEvent(s, 'session:ready');
      // The adapter subscribes asynchronously; retry the emit until it lands.
      const got = nextEvent(s, 'test:cross', 10_000);
      const timer = setInterval(() => a.services.realtime.toUser(u.id, 'test:cross', { from: 'a' }), 200);
      try {
        expect(await got).toEqual({ from: 'a' });
      } finally {
        clearInterval(timer);
      }
      const connected = await a.services.realtime.connectedUserIds();
      expect(connected.has(u.id)).toBe(true);
    } finally {
      s.close();
    }
  });
});
