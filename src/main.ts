import { ConfigError, loadConfig } from './config.js';
import { startService } from './server.js';
import { createLogger } from './shared/logger.js';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`switchboard: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  const service = await startService(config, { logger });
  const { services } = service;
  logger.info(
    {
      url: service.url,
      db: services.database.kind,
      dataDir: services.database.kind === 'pglite' ? config.dataDir : undefined,
      telephony: services.telephony.status().state,
      realtime: services.realtime.adapter,
    },
    `Switchboard is listening on ${service.url}`,
  );
  if (services.telephony.status().state === 'off') logger.warn(services.telephony.status().detail);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service
      .close()
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  createLogger('error').fatal({ err }, `switchboard failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
