import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createApp } from './app.js';
import type { Services } from './services.js';
import { createLogger, type Logger } from './shared/logger.js';
import { systemClock, type Clock } from './shared/clock.js';
import { createTokenService, resolveTokenSecret } from './auth/tokens.js';
import { ensureInitialAdmin, pruneRevokedTokens } from './auth/service.js';
import { createRealtimeHub } from './realtime/hub.js';
import { startRealtime } from './realtime/server.js';
import { telephonyOff } from './telephony/status.js';
import { startTelephony, type Telephony } from './telephony/telephony.js';
import { importsSettled } from './dialer/import.js';
import { startDialerSweeper } from './dialer/sweeper.js';
import { startMeetingRouting } from './meetings/sweeper.js';
import { startClientScoring } from './clients/scoring.js';
import { startReportRollups } from './reports/rollups.js';
import { resendCallState } from './acd/reconnect.js';
import { pruneRateLimits } from './shared/rate-limit.js';
import { createMetrics } from './metrics/registry.js';
import { registerGauges } from './metrics/routes.js';

export const migrationsDir = fileURLToPath(new URL('../sql', import.meta.url));

export interface RunningService {
  services: Services;
  /** The Asterisk servers' leases and the ARI connections this instance holds, when telephony is on. */
  gateway: Telephony | null;
  /** Offer deadlines and re-sending open offers to reconnecting hunters. */
  routing: ReturnType<typeof startMeetingRouting>;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface StartOptions {
  /** An already open database (tests share one per file); otherwise opened from config. */
  database?: Database;
  logger?: Logger;
  clock?: Clock;
}

/** Opens the database, applies migrations, and builds the services every entry point shares. */
export async function buildServices(config: Config, opts: StartOptions = {}): Promise<Services> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  const database =
    opts.database ??
    (await openDatabase(config.database.kind === 'postgres' ? config.database : { kind: 'pglite', dataDir: config.database.dataDir }));
  try {
    const { applied } = await migrate(database, migrationsDir);
    if (applied.length) logger.info({ applied }, 'applied migrations');
    const { secret, generated } = await resolveTokenSecret(config.auth.tokenSecret, database);
    if (generated) logger.warn('TOKEN_SECRET is not set; tokens are signed with a key generated and kept in the database');
    const services: Services = {
      config,
      database,
      logger,
      clock,
      tokens: createTokenService(secret, config.auth.tokenTtlSeconds, clock),
      realtime: createRealtimeHub(config.redisUrl ? 'redis' : 'memory'),
      telephony: telephonyOff(clock.now()),
      metrics: createMetrics(),
    };
    registerGauges(services);
    await ensureInitialAdmin(services);
    return services;
  } catch (err) {
    if (!opts.database) await database.close().catch(() => {});
    throw err;
  }
}

/** HTTP API, web panel and socket.io on one port. */
export async function startService(config: Config, opts: StartOptions = {}): Promise<RunningService> {
  const services = await buildServices(config, opts);
  const startedAt = services.clock.now();
  const app = createApp(services, { startedAt });
  const server = await new Promise<HttpServer>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as HttpServer));
    (s as HttpServer).once('error', reject);
  });
  const listening = (server.address() as AddressInfo).port;
  const gateway = config.telephony
    ? startTelephony(
        services,
        config.telephony,
        { id: config.instance.id, url: () => config.instance.url ?? `http://127.0.0.1:${listening}` },
        { onStored: (pbx, _type, lagMs) => (services.metrics.ariEventLag.observe({ pbx }, lagMs / 1000), services.metrics.ariEvents.inc({ pbx })) },
      )
    : null;
  if (gateway) services.telephony = gateway;
  server.keepAliveTimeout = 65_000;
  const realtime = await startRealtime(server, services);
  const routing = startMeetingRouting(services);
  resendCallState(services);
  const scoring = startClientScoring(services);
  const dialer = startDialerSweeper(services);
  const rollups = startReportRollups(services);
  const port = (server.address() as AddressInfo).port;
  // Rate-limit counters of finished windows are no longer read; drop them so the table stays small.
  const longestWindow = Math.max(config.auth.loginRateWindowSeconds, 60);
  const pruning = setInterval(() => {
    pruneRateLimits(services.database, services.clock, 2 * longestWindow).catch((err: Error) =>
      services.logger.warn({ err: err.message }, 'could not prune rate-limit counters'),
    );
    pruneRevokedTokens(services).catch((err: Error) => services.logger.warn({ err: err.message }, 'could not prune revoked tokens'));
  }, 10 * 60_000);
  pruning.unref();
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | null = null;
  return {
    services,
    gateway,
    routing,
    port,
    url: `http://${shownHost}:${port}`,
    close() {
      closing ??= (async () => {
        clearInterval(pruning);
        await routing.stop();
        await scoring.stop();
        dialer.stop();
        await rollups.stop();
        await importsSettled();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await gateway?.stop();
        await realtime.close();
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 5000);
        await stopped;
        clearTimeout(force);
        if (!opts.database) await services.database.close();
      })();
      return closing;
    },
  };
}
