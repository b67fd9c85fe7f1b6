import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { nextEvent, startHarness, type Harness } from '../helpers/harness.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisReachable(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const sock = createConnection({ host: hostname, port: Number(port || 6379) });
    sock.setTimeout(1000);
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => { sock.destroy(); resolve(false); });
  });
}

const available = await redisReachable();
if (!available) {
  const msg = `Redis is not reachable at ${REDIS_URL}`;
  if (process.env.SB_REQUIRE_REDIS === '1') throw new Error(`${msg} and SB_REQUIRE_REDIS=1`);
  console.warn(`[skip] socket.io Redis adapter tests: ${msg}`);
}

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
