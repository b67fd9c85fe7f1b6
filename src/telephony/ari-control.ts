import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { AriSettings } from './ari-gateway.js';
import { PbxError, type OriginateRequest, type PbxControl } from './pbx.js';

const REQUEST_TIMEOUT_MS = 5000;
const PLAYBACK_LIMIT_MS = 60_000;

/**
 * Call control over ARI's REST interface. Playback completion arrives as an event on the gateway's
 * websocket, which hands it to `playbackFinished`.
 */
export function ariControl(cfg: AriSettings) {
  const auth = `Basic ${Buffer.from(`${cfg.user}:${cfg.password}`).toString('base64')}`;
  const base = cfg.url.replace(/\/+$/, '') + '/ari';
  const playbacks = new Map<string, () => void>();
  // Kept-alive connections: ringing a phone should not wait for a TCP handshake.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  async function call<T = unknown>(method: string, path: string, query: Record<string, string | number | undefined> = {}, body?: unknown): Promise<T> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = body ? JSON.stringify(body) : undefined;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent,
          headers: { authorization: auth, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: data }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
    if (status < 200 || status >= 300) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        /* plain text */
      }
      throw new PbxError(`ARI ${method} ${path}: ${status} ${message}`.trim(), status);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
  const ch = (id: string) => `/channels/${encodeURIComponent(id)}`;

  const control: PbxControl & { playbackFinished(id: string): void } = {
    ring: (id) => call('POST', `${ch(id)}/ring`),
    answer: (id) => call('POST', `${ch(id)}/answer`),
    startMoh: (id) => call('POST', `${ch(id)}/moh`),
    stopMoh: (id) => call('DELETE', `${ch(id)}/moh`),
    async play(id, media) {
      const playbackId = randomUUID();
      const done = new Promise<void>((resolve) => {
        const t = setTimeout(() => finish(), PLAYBACK_LIMIT_MS);
        const finish = () => {
          clearTimeout(t);
          playbacks.delete(playbackId);
          resolve();
        };
        playbacks.set(playbackId, finish);
      });
      try {
        await call('POST', `${ch(id)}/play/${playbackId}`, { media: media.join(',') });
      } catch (err) {
        playbacks.get(playbackId)?.();
        throw err;
      }
      await done;
    },
    playbackFinished(id) {
      playbacks.get(id)?.();
    },
    async originate(req: OriginateRequest) {
      const channelId = req.channelId ?? randomUUID();
      await call(
        'POST',
        `/channels/${channelId}`,
        {
          endpoint: req.endpoint,
          app: req.appArgs ? cfg.app : undefined,
          appArgs: req.appArgs?.join(','),
          context: req.context,
          extension: req.extension,
          priority: req.context ? 1 : undefined,
          callerId: req.callerId,
          timeout: req.timeoutSeconds,
          originator: req.originator,
        },
        req.variables ? { variables: req.variables } : undefined,
      );
      return { channelId };
    },
    hangup: (id, reason = 'normal') => call('DELETE', ch(id), { reason }),
    async createBridge() {
      const bridgeId = randomUUID();
      await call('POST', `/bridges/${bridgeId}`, { type: 'mixing' });
      return { bridgeId };
    },
    addToBridge: (bridgeId, ids) => call('POST', `/bridges/${encodeURIComponent(bridgeId)}/addChannel`, { channel: ids.join(',') }),
    destroyBridge: (bridgeId) => call('DELETE', `/bridges/${encodeURIComponent(bridgeId)}`),
    recordBridge: (bridgeId, name) =>
      call('POST', `/bridges/${encodeURIComponent(bridgeId)}/record`, { name, format: 'wav', ifExists: 'overwrite', terminateOn: 'none' }),
    continueInDialplan: (id, at) =>
      call('POST', `${ch(id)}/continue`, at ? { context: at.context, extension: at.extension, priority: 1 } : {}),
    async snoop(id, appArgs) {
      const snoopId = randomUUID();
      await call('POST', `${ch(id)}/snoop/${snoopId}`, { spy: 'both', app: cfg.app, appArgs: appArgs.join(',') });
      return { channelId: snoopId };
    },
  };
  return control;
}

/** True when the error only means the channel or bridge is already gone. */
export const isGone = (err: unknown) => err instanceof PbxError && err.status === 404;
