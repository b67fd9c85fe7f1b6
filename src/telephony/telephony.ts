import type { AriServer } from '../config.js';
import type { Services } from '../services.js';
import { AppError } from '../shared/errors.js';
import { startAriGateway, type GatewayOptions, type TelephonyGateway } from './ari-gateway.js';
import { startPbxLease, type PbxLease } from './lease.js';
import type { TelephonyState, TelephonyStatus, TelephonyStatusSource } from './status.js';

/** One Asterisk server as this instance sees it. */
export interface ServerStatus extends TelephonyStatus {
  name: string;
  /** `holder`: this instance holds its ARI connection; `standby`: another one does, or nobody yet. */
  role: 'holder' | 'standby';
  holder: { instanceId: string; instanceUrl: string } | null;
}

/** Where a server's calls are placed from: this instance, another one (its URL), or nowhere right now. */
export type Placement = { here: true } | { here: false; url: string | null; detail: string };

export interface Telephony extends TelephonyStatusSource {
  servers(): ServerStatus[];
  /** The server that places the panel's calls (click-to-call): the first one configured. */
  primary: string;
  placement(pbx?: string): Placement;
  /** This instance's connection to `pbx`, while it holds it. */
  gateway(pbx: string): TelephonyGateway | null;
  /** Resolves when this instance holds every server and each is connected and reconciled (tests, tools). */
  ready(ms?: number): Promise<void>;
  /** Resolves once the events received so far are stored. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const RANK: Record<TelephonyState, number> = { off: 0, connected: 1, connecting: 2, reconnecting: 3 };

/**
 * Every configured Asterisk server gets a lease; this instance connects to the servers whose lease it
 * holds and stands by for the others. Capture, reconciliation and inbound distribution run wherever the
 * connection is; every instance serves HTTP and sockets and hands the PBX actions (click-to-call,
 * listening) to the holder.
 */
export function startTelephony(
  s: Services,
  cfg: { servers: AriServer[]; leaseCheckMs: number },
  instance: { id: string; url: () => string },
  opts: { onStored?: (pbx: string, type: string, lagMs: number, transitMs: number) => void } = {},
): Telephony {
  const since = s.clock.now().toISOString();
  const gateways = new Map<string, TelephonyGateway>();
  const leases = new Map<string, PbxLease>();
  const stopping = new Map<string, Promise<void>>();

  for (const server of cfg.servers) {
    const lease = startPbxLease(s, {
      pbx: server.name,
      instanceId: instance.id,
      instanceUrl: instance.url,
      checkMs: cfg.leaseCheckMs,
      ariState: () => {
        const st = gateways.get(server.name)?.status();
        return st ? { state: st.state, detail: st.detail } : { state: 'connecting', detail: 'taking over' };
      },
      async onAcquired() {
        await stopping.get(server.name);
        const { name, ...ari } = server;
        const onStored: GatewayOptions['onStored'] = opts.onStored && ((type, lagMs, transitMs) => opts.onStored!(name, type, lagMs, transitMs));
        gateways.set(name, startAriGateway(s, { ...ari, pbx: name }, { onStored }));
      },
      async onLost() {
        const g = gateways.get(server.name);
        gateways.delete(server.name);
        if (!g) return;
        const done = g.stop().catch((err: Error) => s.logger.warn({ err: err.message, pbx: server.name }, 'ARI connection did not stop cleanly'));
        stopping.set(server.name, done);
        await done;
      },
    });
    leases.set(server.name, lease);
  }

  function serverStatus(server: AriServer): ServerStatus {
    const g = gateways.get(server.name);
    const lease = leases.get(server.name)!;
    const h = lease.holder();
    const holder = h ? { instanceId: h.instanceId, instanceUrl: h.instanceUrl } : null;
    if (g) return { name: server.name, role: 'holder', holder, ...g.status() };
    if (h && h.instanceId !== instance.id) {
      const state = (h.ariState in RANK ? h.ariState : 'connecting') as TelephonyState;
      return { name: server.name, role: 'standby', holder, state, detail: `${h.detail} (through instance ${h.instanceId})`, since: h.renewedAt.toISOString() };
    }
    return {
      name: server.name,
      role: 'standby',
      holder: null,
      state: 'connecting',
      detail: `No instance holds the ARI connection to "${server.name}" now; a standby takes it within ${cfg.leaseCheckMs} ms`,
      since,
    };
  }

  const local = (pbx: string) => {
    const g = gateways.get(pbx);
    if (!g) throw new AppError('unavailable', `This instance does not hold the connection to PBX "${pbx}" now; try again in a few seconds`);
    const st = g.status();
    if (st.state !== 'connected') throw new AppError('unavailable', `The PBX is not connected (${st.detail}); try again shortly`);
    return g;
  };

  const primary = cfg.servers[0]!.name;

  return {
    primary,
    servers: () => cfg.servers.map(serverStatus),
    status() {
      const all = cfg.servers.map(serverStatus);
      const worst = all.reduce((a, b) => (RANK[b.state] > RANK[a.state] ? b : a));
      const detail = all.length === 1 ? worst.detail : all.map((x) => `${x.name}: ${x.detail}`).join('; ');
      return { state: worst.state, detail, since: worst.since };
    },
    placement(pbx = primary) {
      if (gateways.has(pbx)) return { here: true };
      const st = serverStatus(cfg.servers.find((x) => x.name === pbx) ?? cfg.servers[0]!);
      return { here: false, url: st.holder?.instanceUrl ?? null, detail: st.detail };
    },
    gateway: (pbx) => gateways.get(pbx) ?? null,
    callOut(user, number, callbackId) {
      return local(primary).callOut!(user, number, callbackId);
    },
    listen(supervisor, callId, pbx = primary) {
      return local(pbx).listen!(supervisor, callId);
    },
    async ready(ms = 15_000) {
      const deadline = Date.now() + ms;
      for (const server of cfg.servers) {
        while (!gateways.has(server.name)) {
          if (Date.now() > deadline) throw new Error(`ARI not ready within ${ms} ms: ${serverStatus(server).detail}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        await gateways.get(server.name)!.ready(Math.max(1, deadline - Date.now()));
      }
    },
    async idle() {
      await Promise.all([...gateways.values()].map((g) => g.idle()));
    },
    async stop() {
      await Promise.all([...leases.values()].map((l) => l.stop()));
      await Promise.all(stopping.values());
    },
  };
}
