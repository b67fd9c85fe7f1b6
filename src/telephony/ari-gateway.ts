import ari, { type AriClient } from 'ari-client';
import type { Services } from '../services.js';
import { keyedQueue } from '../shared/keyed-queue.js';
import { applyChannelEvent, linkedIdOf, type ChannelEvent } from '../calls/records.js';
import { reconcile } from './reconcile.js';
import { telephonyStatusCell, type TelephonyStatusSource } from './status.js';

export interface AriSettings {
  url: string;
  user: string;
  password: string;
  app: string;
  pbx: string;
}

export interface TelephonyGateway extends TelephonyStatusSource {
  stop(): Promise<void>;
  /** Resolves once the events received so far are stored (tests, shutdown). */
  idle(): Promise<void>;
  /** Resolves when connected and reconciled, or rejects after `ms`. */
  ready(ms?: number): Promise<void>;
}

const CHANNEL_EVENTS = new Set(['StasisStart', 'ChannelCreated', 'ChannelStateChange', 'ChannelHangupRequest', 'ChannelDestroyed', 'Dial']);
const MAX_BACKOFF_MS = 30_000;

/**
 * The only module that touches ari-client. Holds one websocket to one Asterisk for the app name,
 * subscribes the app to every channel, stores each event as part of its call, and reconciles the
 * database with Asterisk after every (re)connect. ari-client gives up after 10 reconnects; this loop
 * never does.
 */
export interface GatewayOptions {
  /**
   * Called after each event is stored, with the time since Asterisk stamped it and the part of that
   * spent before the event reached this process (metrics, benchmarks).
   */
  onStored?: (type: string, lagMs: number, transitMs: number) => void;
}

export function startAriGateway(s: Services, cfg: AriSettings, opts: GatewayOptions = {}): TelephonyGateway {
  const status = telephonyStatusCell(s.clock.now());
  const queue = keyedQueue();
  let client: AriClient | null = null;
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | null = null;
  let readyWaiters: Array<() => void> = [];
  const log = s.logger.child({ module: 'ari', pbx: cfg.pbx });

  const setState = (state: 'connecting' | 'connected' | 'reconnecting', detail: string) => status.set(state, detail, s.clock.now());

  function scheduleReconnect(reason: string) {
    if (stopped || timer) return;
    dropClient();
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(attempt, 10)) * (0.75 + Math.random() * 0.5);
    attempt++;
    setState('reconnecting', `${reason}; retrying in ${Math.round(delay / 100) / 10} s (attempt ${attempt})`);
    log.warn({ reason, delayMs: Math.round(delay), attempt }, 'ARI connection lost; reconnecting');
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
  }

  function dropClient() {
    const c = client;
    client = null;
    if (!c) return;
    c.removeAllListeners();
    c.on('error', () => {});
    try {
      c.stop();
    } catch {
      /* already closed */
    }
  }

  function handle(event: ChannelEvent & { application?: string }) {
    if (!CHANNEL_EVENTS.has(event.type) || !event.channel) return;
    const key = linkedIdOf(event.channel);
    const transitMs = Date.now() - Date.parse(event.timestamp);
    void queue
      .push(key, async () => {
        await applyChannelEvent(s, cfg.pbx, event);
        opts.onStored?.(event.type, Date.now() - Date.parse(event.timestamp), transitMs);
        if (event.type === 'StasisStart') await continueCall(event);
      })
      .catch((err: Error) => log.error({ err, type: event.type, channel: event.channel.id }, 'could not store ARI event'));
  }

  /** Until operator routing takes calls in the app, an inbound call goes on in the dialplan once recorded. */
  async function continueCall(event: ChannelEvent) {
    const c = client;
    if (!c) return;
    const direction = event.args?.[0];
    const did = event.channel.channelvars?.SB_DID;
    try {
      if (direction === 'outbound' && did) {
        await c.channels.continueInDialplan({ channelId: event.channel.id, context: 'sb-outbound', extension: did, priority: 1 });
      } else {
        await c.channels.continueInDialplan({ channelId: event.channel.id });
      }
    } catch (err) {
      log.warn({ err: (err as Error).message, channel: event.channel.id }, 'could not continue the channel (it may have hung up)');
    }
  }

  async function onConnected(c: AriClient) {
    try {
      await c.applications.subscribe({ applicationName: cfg.app, eventSource: 'channel:' });
      const summary = await reconcile(s, cfg.pbx, () => c.channels.list(), (key, task) => queue.push(key, task));
      attempt = 0;
      setState('connected', `Connected to ${cfg.url} as app "${cfg.app}"`);
      log.info({ ...summary }, 'ARI connected and reconciled');
      for (const w of readyWaiters) w();
      readyWaiters = [];
    } catch (err) {
      log.error({ err }, 'ARI reconcile failed');
      scheduleReconnect(`reconcile failed: ${(err as Error).message}`);
    }
  }

  async function connect() {
    if (stopped) return;
    setState(attempt ? 'reconnecting' : 'connecting', `Connecting to ${cfg.url}`);
    try {
      const c = await ari.connect(cfg.url, cfg.user, cfg.password);
      if (stopped) return void c.stop();
      client = c;
      c.on('*', (event: ChannelEvent) => handle(event));
      c.on('WebSocketConnected', () => void onConnected(c));
      c.on('WebSocketReconnecting', (err?: Error) => setState('reconnecting', `websocket dropped: ${err?.message ?? 'closed'}`));
      c.on('WebSocketMaxRetries', () => scheduleReconnect('websocket reconnects exhausted'));
      c.on('ApplicationReplaced', () => scheduleReconnect(`another connection took the app "${cfg.app}"`));
      await c.start(cfg.app);
    } catch (err) {
      scheduleReconnect(`cannot connect: ${(err as Error).message}`);
    }
  }

  void connect();

  return {
    status: () => status.status(),
    idle: () => queue.drain(),
    ready(ms = 15_000) {
      if (status.status().state === 'connected') return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`ARI not ready within ${ms} ms: ${status.status().detail}`)), ms);
        readyWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      dropClient();
      await queue.drain();
    },
  };
}
