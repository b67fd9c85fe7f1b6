import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * This instance's Prometheus metrics. One registry per running service (tests run several in one
 * process); the gauges that describe shared state (calls in progress, the queue) are read from the
 * database when scraped, so every instance reports the same figures for them.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'switchboard_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    routingLatency: new Histogram({
      name: 'switchboard_routing_latency_seconds',
      help: 'From asking for a meeting to be routed to its offer (or unassigned) being stored, by what asked',
      labelNames: ['trigger'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    ariEventLag: new Histogram({
      name: 'switchboard_ari_event_lag_seconds',
      help: 'From Asterisk stamping a channel event to the event being stored, by Asterisk server',
      labelNames: ['pbx'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    ariEvents: new Counter({
      name: 'switchboard_ari_events_total',
      help: 'Channel events stored, by Asterisk server',
      labelNames: ['pbx'] as const,
      registers: [registry],
    }),
    gauge(name: string, help: string, labelNames: string[], collect: (g: Gauge) => Promise<void> | void) {
      return new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          await collect(this);
        },
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
