import { createConnection } from 'node:net';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether the test Redis answers; with SB_REQUIRE_REDIS=1 a missing Redis fails the run instead of skipping. */
export async function requireRedis(what: string): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL);
  const ok = await new Promise<boolean>((resolve) => {
    const sock = createConnection({ host: hostname, port: Number(port || 6379) });
    sock.setTimeout(1000);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
  if (!ok) {
    const msg = `Redis is not reachable at ${REDIS_URL}`;
    if (process.env.SB_REQUIRE_REDIS === '1') throw new Error(`${msg} and SB_REQUIRE_REDIS=1`);
    console.warn(`[skip] ${what}: ${msg}`);
  }
  return ok;
}
