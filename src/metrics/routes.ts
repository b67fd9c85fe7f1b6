import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import type { AppEnv } from '../shared/http.js';
import type { Services } from '../services.js';
import type { Telephony } from '../telephony/telephony.js';
import { AppError } from '../shared/errors.js';
import { clientAddress } from '../shared/client-address.js';
import { authenticate, tokenFromHeaders } from '../auth/middleware.js';

const STATES = ['connected', 'connecting', 'reconnecting', 'off'] as const;

/**
 * The gauges read at each scrape: calls in progress and the queue (from the database, the same on every
 * instance), open meeting offers, and each Asterisk server's connection as this instance sees it.
 */
export function registerGauges(s: Services) {
  const m = s.metrics;
  m.gauge('switchboard_calls_in_progress', 'Calls not yet ended, by Asterisk server', ['pbx'], async (g) => {
    g.reset();
    const rows = await s.database.query<{ pbx: string; n: number }>(sql`SELECT pbx, count(*)::int AS n FROM calls WHERE ended_at IS NULL GROUP BY pbx`);
    for (const r of rows) g.set({ pbx: r.pbx }, r.n);
  });
  m.gauge('switchboard_queue_length', 'Callers waiting for an operator now', [], async (g) => {
    const [r] = await s.database.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM calls WHERE ended_at IS NULL AND queued_at IS NOT NULL AND acd_outcome IS NULL`,
    );
    g.set(r?.n ?? 0);
  });
  m.gauge('switchboard_meeting_offers_open', 'Meeting offers waiting for a hunter\'s answer', [], async (g) => {
    const [r] = await s.database.query<{ n: number }>(sql`SELECT count(*)::int AS n FROM meeting_offers WHERE status = 'open'`);
    g.set(r?.n ?? 0);
  });
  m.gauge('switchboard_ari_state', 'Each Asterisk server\'s ARI connection (1 for the current state)', ['pbx', 'state'], (g) => {
    g.reset();
    const t = s.telephony as Partial<Telephony>;
    for (const x of t.servers?.() ?? []) for (const st of STATES) g.set({ pbx: x.name, state: st }, x.state === st ? 1 : 0);
  });
  m.gauge('switchboard_ari_holder', '1 where this instance holds the Asterisk server\'s ARI connection, 0 where it stands by', ['pbx'], (g) => {
    g.reset();
    const t = s.telephony as Partial<Telephony>;
    for (const x of t.servers?.() ?? []) g.set({ pbx: x.name }, x.role === 'holder' ? 1 : 0);
  });
}

const loopback = (addr: string) => addr === '127.0.0.1' || addr === '::1' || addr === '::ffff:127.0.0.1';

function sameSecret(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * GET /metrics in Prometheus' text format: with METRICS_TOKEN set, for `Authorization: Bearer <it>`;
 * always for an admin's session and for scrapers on this machine (loopback).
 */
export function metricsRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/metrics', async (c) => {
    const s = c.get('services');
    const header = c.req.header('authorization');
    const bearer = tokenFromHeaders(header, undefined);
    const configured = s.config.metricsToken;
    let allowed = loopback(clientAddress(c)) || (!!configured && !!bearer && sameSecret(bearer, configured));
    if (!allowed && bearer) {
      const user = await authenticate(s, bearer).catch(() => null);
      allowed = user?.role === 'admin';
    }
    if (!allowed) {
      throw new AppError(
        bearer ? 'forbidden' : 'unauthorized',
        'Metrics are for the scraper (Authorization: Bearer METRICS_TOKEN), an admin, or this machine',
      );
    }
    const body = await s.metrics.registry.metrics();
    return c.body(body, 200, { 'content-type': s.metrics.registry.contentType, 'cache-control': 'no-store' });
  });
  return r;
}
