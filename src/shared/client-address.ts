import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppEnv } from './http.js';

/** The caller's address: the first X-Forwarded-For hop behind a trusted proxy (TRUST_PROXY), else the socket's. */
export function clientAddress(c: Context<AppEnv>): string {
  if (c.get('services').config.http.trustProxy) {
    const fwd = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (fwd) return fwd;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
