import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { startService, type RunningService } from '../../src/server.js';
import { createLogger } from '../../src/shared/logger.js';
import { nextEvent, startHarness, type Harness } from '../helpers/harness.js';
import { freePort } from '../helpers/instance.js';

/** A Redis of this test's own (the machine's stays up for the other tests), stopped and started at will. */
async function privateRedis(port: number) {
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) => {
        const p = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        p.stdout!.on('data', (d) => (out += d));
        p.on('exit', () => resolve(out.includes('PONG')));
        p.on('error', () => resolve(false));
      });
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      const c = child as ChildProcess | null;
      if (!c || c.exitCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  await start();
  return { start, stop };
}

const hasRedis = await new Promise<boolean>((resolve) => {
  const p = spawn('redis-server', ['--version'], { stdio: 'ignore' });
  p.on('exit', (code) => resolve(code === 0));
  p.on('error', () => resolve(false));
});
if (!hasRedis) {
  if (process.env.SB_REQUIRE_REDIS === '1') throw new Error('redis-server is not installed and SB_REQUIRE_REDIS=1');
  console.warn('[skip] Redis outage: redis-server is not installed');
}

describe.skipIf(!hasRedis)('Redis goes down and comes back under two instances', () => {
  let a: Harness;
  let b: RunningService;
  let redis: Awaited<ReturnType<typeof privateRedis>>;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    const port = await freePort();
    redis = await privateRedis(port);
    a = await startHarness({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
    b = await startService(a.config, { database: a.testDb.database, logger: createLogger('silent') });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await b?.close();
    await a?.stop();
    await redis?.stop();
  });

  const connect = async (url: string, token: string) => {
    const s = ioClient(url, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
    sockets.push(s);
    await nextEvent(s, 'session:ready');
    return s;
  };
  /** Emits from instance a every 200 ms until the socket hears it (the adapter (re)subscribes asynchronously). */
  async function delivered(s: Socket, userId: string, event: string, timeoutMs: number) {
    const got = nextEvent(s, event, timeoutMs);
    const timer = setInterval(() => a.services.realtime.toUser(userId, event, { at: Date.now() }), 200);
    try {
      await got;
      return true;
    } catch {
      return false;
    } finally {
      clearInterval(timer);
    }
  }

  it('sockets on one instance keep working while Redis is down, and events cross instances again once it is back', async () => {
    const near = await a.user('hunter');
    const far = await a.user('hunter');
    const onA = await connect(a.url, near.token);
    const onB = await connect(b.url, far.token);
    expect(await delivered(onB, far.id, 'test:before', 10_000)).toBe(true);

    await redis.stop();
    // Local delivery, HTTP and socket events on each instance go on without Redis.
    expect(await delivered(onA, near.id, 'test:during', 5_000)).toBe(true);
    const ack = await onA.timeout(5000).emitWithAck('meeting:offers', {});
    expect(ack.ok).toBe(true);
    expect((await a.api('/api/me', { token: near.token })).status).toBe(200);
    expect((await fetch(`${b.url}/api/me`, { headers: { authorization: `Bearer ${far.token}` } })).status).toBe(200);
    // A new panel can still connect to either instance.
    await connect(b.url, far.token);
    // Across instances nothing arrives meanwhile (and nothing throws).
    expect(await delivered(onB, far.id, 'test:lost', 1_500)).toBe(false);

    await redis.start();
    expect(await delivered(onB, far.id, 'test:after', 20_000)).toBe(true);
  }, 60_000);
});
