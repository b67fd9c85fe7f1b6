import type { Services } from '../services.js';
import { openOffersOf, sweepExpiredOffers } from './routing.js';

/**
 * Moves expired offers on, from any number of instances (deadlines are rows, claimed with SKIP LOCKED),
 * and shows a hunter their open offers again whenever a panel of theirs connects.
 */
export function startMeetingRouting(s: Services) {
  s.realtime.onSocketOpened(async (user, emit) => {
    if (user.role !== 'hunter') return;
    for (const offer of await openOffersOf(s, user.id)) emit('meeting:offered', offer);
  });
  let running: Promise<unknown> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = sweepExpiredOffers(s)
      .catch((err: Error) => s.logger.warn({ err: err.message }, 'offer expiry sweep failed; retrying'))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, s.config.routing.sweepMs);
  timer.unref();
  tick();
  return {
    /** Finishes the sweep in progress, then runs one more (tests, operations). */
    async sweep() {
      await running;
      return sweepExpiredOffers(s);
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
