import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../shared/http.js';
import { clientAddress } from '../shared/client-address.js';
import { recordAudit } from './service.js';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const MAX_DETAIL_CHARS = 8_000;

/**
 * After a change through a supervisors' route succeeds: who made it, the route, the entity (its id in the
 * path, or the id of what it created), and the input it was given. A failed audit write is logged; the
 * change itself has happened and is not undone.
 */
export const auditChanges: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (!CHANGES.has(c.req.method) || c.res.status >= 400) return;
  const s = c.get('services');
  const user = c.get('user');
  let input: unknown = undefined;
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/json')) input = await c.req.json().catch(() => undefined);
  let entityId: string | null = c.req.param('id') ?? null;
  if (!entityId && c.res.headers.get('content-type')?.includes('json')) {
    const body = (await c.res.clone().json().catch(() => null)) as { id?: unknown } | null;
    if (body && typeof body.id === 'string') entityId = body.id;
  }
  const query = c.req.query();
  await recordAudit(s, {
    actor: user,
    action: `${c.req.method} ${c.req.routePath.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, '{$1}')}`,
    entityId,
    status: c.res.status,
    detail: limit(redact({ ...(Object.keys(query).length ? { query } : {}), ...(input !== undefined ? { input } : {}) })),
    requestId: c.get('requestId'),
    ip: clientAddress(c),
  }).catch((err: Error) => s.logger.error({ err: err.message, requestId: c.get('requestId') }, 'could not write the audit log'));
};

const SECRET = /password|secret|token|hash/i;

/** Secrets never reach the audit log. */
export function redact(v: unknown): Record<string, unknown> {
  const walk = (x: unknown, depth: number): unknown => {
    if (depth > 6 || x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.slice(0, 200).map((y) => walk(y, depth + 1));
    return Object.fromEntries(Object.entries(x as Record<string, unknown>).map(([k, y]) => [k, SECRET.test(k) ? '[redacted]' : walk(y, depth + 1)]));
  };
  return walk(v, 0) as Record<string, unknown>;
}

function limit(detail: Record<string, unknown>): Record<string, unknown> {
  const text = JSON.stringify(detail);
  return text.length <= MAX_DETAIL_CHARS ? detail : { truncated: true, start: text.slice(0, MAX_DETAIL_CHARS) };
}
