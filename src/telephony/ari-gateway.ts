import ari, { type AriClient } from 'ari-client';
import type { CelStore } from '../config.js';
import type { Services } from '../services.js';
import { keyedQueue } from '../shared/keyed-queue.js';
import { applyChannelEvent, linkedIdOf, type ChannelEvent } from '../calls/records.js';
import { reconcile } from './reconcile.js';
import { advanceCelWatermark } from './cel.js';
import { telephonyStatusCell, type TelephonyStatusSource } from './status.js';
import { ariControl } from './ari-control.js';
import { startDistributor, type LiveBridge, type LiveChannel } from '../acd/distributor.js';

const ACD_TICK_MS = 1000;
/** How often a connected gateway moves its CEL watermark up to now. */
const CEL_MARK_MS = 60_000;

export interface AriSettings {
  url: string;
  user: string;
  password: string;
  app: string;
  pbx: string;
  /** This server's CEL rows; left out: the configuration's default store (CEL_DATABASE_URL, CEL_TABLE). */
  cel?: CelStore | null;
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
  // Each connection attempt's number: what an attempt given up on still brings is dropped.
  let generation = 0;
  let deadline: NodeJS.Timeout | null = null;
  const connectTimeoutMs = s.config.telephony?.connectTimeoutMs ?? 10_000;
  let readyWaiters: Array<() => void> = [];
  const log = s.logger.child({ module: 'ari', pbx: cfg.pbx });
  const control = ariControl(cfg);
  const acd = startDistributor(s, control, s.logger.child({ module: 'acd', pbx: cfg.pbx }));
  const tick = setInterval(() => {
    if (status.status().state === 'connected') void acd.tick().catch((err: Error) => log.warn({ err: err.message }, 'distribution tick failed'));
  }, ACD_TICK_MS);
  tick.unref();
  // Connected, calls are seen as they end: the CEL recovery after a disconnect starts about here.
  const celMark = setInterval(() => {
    if (status.status().state !== 'connected') return;
    void advanceCelWatermark(s, cfg.pbx, s.clock.now()).catch((err: Error) => log.warn({ err: err.message }, 'could not advance the CEL watermark'));
  }, CEL_MARK_MS);
  celMark.unref();

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

  function stopQuietly(c: AriClient) {
    c.removeAllListeners();
    c.on('error', () => {});
    try {
      c.stop();
    } catch {
      /* already closed */
    }
  }

  function dropClient() {
    const c = client;
    client = null;
    if (c) stopQuietly(c);
  }

  function handle(event: ChannelEvent & { application?: string; playback?: { id: string } }) {
    if (event.type === 'PlaybackFinished' && event.playback) return control.playbackFinished(event.playback.id);
    if (!CHANNEL_EVENTS.has(event.type) || !event.channel) return;
    acd.onArrival(event);
    const key = linkedIdOf(event.channel);
    const transitMs = Date.now() - Date.parse(event.timestamp);
    void queue
      .push(key, async () => {
        const stored = await applyChannelEvent(s, cfg.pbx, event);
        opts.onStored?.(event.type, Date.now() - Date.parse(event.timestamp), transitMs);
        await acd.onEvent(event, stored);
      })
      .catch((err: Error) => log.error({ err, type: event.type, channel: event.channel.id }, 'could not store ARI event'));
  }

  async function onConnected(c: AriClient) {
    try {
      await c.applications.subscribe({ applicationName: cfg.app, eventSource: 'channel:' });
      let live: LiveChannel[] = [];
      const summary = await reconcile(
        s,
        { pbx: cfg.pbx, cel: cfg.cel === undefined ? s.config.cel : cfg.cel },
        async () => {
          const channels = await c.channels.list();
          live = channels as unknown as LiveChannel[];
          return channels;
        },
        (key, task) => queue.push(key, task),
      );
      await queue.drain();
      const bridges = (await c.bridges.list()) as unknown as LiveBridge[];
      await acd.resync(live, bridges, cfg.pbx, cfg.app);
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

  function clearDeadline() {
    if (deadline) clearTimeout(deadline);
    deadline = null;
  }

  /**
   * One attempt: the API description, then the events websocket. Neither has a timeout of its own, and a
   * server that accepts the connection but never answers (seen under load, just after a takeover) would
   * hold the attempt forever: past ARI_CONNECT_TIMEOUT_MS it is given up and tried again.
   */
  async function connect() {
    if (stopped) return;
    const gen = ++generation;
    setState(attempt ? 'reconnecting' : 'connecting', `Connecting to ${cfg.url}`);
    clearDeadline();
    deadline = setTimeout(() => {
      deadline = null;
      if (gen !== generation || stopped) return;
      generation++;
      scheduleReconnect(`no answer from ${cfg.url} within ${connectTimeoutMs / 1000} s`);
    }, connectTimeoutMs);
    try {
      const c = await ari.connect(cfg.url, cfg.user, cfg.password);
      if (stopped || gen !== generation) return void stopQuietly(c);
      client = c;
      c.on('*', (event: ChannelEvent) => handle(event));
      c.on('WebSocketConnected', () => {
        clearDeadline();
        void onConnected(c);
      });
      c.on('WebSocketReconnecting', (err?: Error) => setState('reconnecting', `websocket dropped: ${err?.message ?? 'closed'}`));
      c.on('WebSocketMaxRetries', () => scheduleReconnect('websocket reconnects exhausted'));
      c.on('ApplicationReplaced', () => scheduleReconnect(`another connection took the app "${cfg.app}"`));
      await c.start(cfg.app);
    } catch (err) {
      if (gen !== generation) return;
      clearDeadline();
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
    callOut(user, number, callbackId) {
      return acd.callOut(user, number, callbackId);
    },
    listen(supervisor, callId) {
      return acd.listen(supervisor, callId);
    },
    async stop() {
      stopped = true;
      clearInterval(tick);
      clearInterval(celMark);
      clearDeadline();
      if (timer) clearTimeout(timer);
      dropClient();
      await queue.drain();
      await acd.stop();
    },
  };
}
