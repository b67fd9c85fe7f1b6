import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/wait.js';

/**
 * An Asterisk that accepts connections and never answers (seen under load, right after a takeover):
 * the gateway gives each attempt up after ARI_CONNECT_TIMEOUT_MS, says so, and tries again.
 */
describe('ARI server that never answers', () => {
  let h: Harness;
  let silent: Server;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    silent = createServer((socket) => void accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    h = await startHarness({
      env: { ARI_URL: `http://127.0.0.1:${port}`, ARI_USER: 'switchboard', ARI_PASSWORD: 'switchboard', ARI_CONNECT_TIMEOUT_MS: '600', ARI_LEASE_CHECK_MS: '200' },
    });
  });
  afterAll(async () => {
    await h?.stop();
    for (const s of accepted) s.destroy();
    await new Promise((resolve) => silent?.close(resolve));
  });

  it('gives each attempt up after the timeout, reports why, and connects again', async () => {
    const server = async () => (await h.api('/health')).body.telephony.servers[0];
    const st = await waitFor('the attempt to be given up', async () => {
      const x = await server();
      return /no answer from http:\/\/127\.0\.0\.1:\d+ within 0\.6 s/.test(x.detail) && x;
    }, 10_000);
    expect(st).toMatchObject({ role: 'holder', state: 'reconnecting' });
    // Every retry is a new connection to the server.
    const before = accepted.length;
    await waitFor('another attempt', async () => accepted.length > before, 10_000);
    expect(accepted.length).toBeGreaterThan(before);
  });
});
