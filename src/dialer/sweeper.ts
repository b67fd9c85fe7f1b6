import type { Services } from '../services.js';
import { releaseExpiredLocks } from './allocate.js';

const SWEEP_MS = 15_000;

/** Entries held by operators who vanished go back to the pool when their lock runs out (every instance). */
export function startDialerSweeper(s: Services) {
  const timer = setInterval(() => {
    releaseExpiredLocks(s)
      .then((n) => n && s.logger.info({ released: n }, 'dial-list entries whose lock ran out are free again'))
      .catch((err: Error) => s.logger.warn({ err: err.message }, 'could not release expired dial-list locks'));
  }, SWEEP_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
