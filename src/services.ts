import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Clock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import type { RealtimeHub } from './realtime/hub.js';
import type { TelephonyStatusSource } from './telephony/status.js';
import type { TokenService } from './auth/tokens.js';
import type { Metrics } from './metrics/registry.js';

/** Everything a handler may depend on; built once by main.ts (or a test) and passed to createApp. */
export interface Services {
  config: Config;
  database: Database;
  logger: Logger;
  clock: Clock;
  tokens: TokenService;
  realtime: RealtimeHub;
  telephony: TelephonyStatusSource;
  metrics: Metrics;
}
