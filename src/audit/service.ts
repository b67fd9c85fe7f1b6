import { and, desc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { auditLog, type Role } from '../db/schema.js';
import type { Services } from '../services.js';
import { AppError } from '../shared/errors.js';
import { PageQuery } from '../shared/http.js';

export interface AuditEntry {
  actor: { id: string; role: Role };
  /** The method and route, e.g. "PATCH /api/users/{id}". */
  action: string;
  entityId: string | null;
  status: number;
  detail: Record<string, unknown>;
  requestId: string | null;
  ip: string | null;
}

export async function recordAudit(s: Services, e: AuditEntry) {
  await s.database.db.insert(auditLog).values({
    at: s.clock.now(),
    actorId: e.actor.id,
    actorRole: e.actor.role,
    action: e.action,
    entityId: e.entityId,
    status: e.status,
    detail: e.detail,
    requestId: e.requestId,
    ip: e.ip,
  });
}

export const AuditQuery = PageQuery.extend({
  actorId: z.string().max(40).optional().openapi({ description: 'Only changes made by this user' }),
  entityId: z.string().max(40).optional().openapi({ description: 'Only changes to this entity (a user, script, number, client, …)' }),
  action: z.string().max(100).optional().openapi({ description: 'Actions that start with this, e.g. "PATCH /api/users"' }),
  from: z.string().datetime({ offset: true }).optional().openapi({ description: 'At or after this instant' }),
  to: z.string().datetime({ offset: true }).optional().openapi({ description: 'Before this instant' }),
});

export const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.object({ id: z.string(), role: z.string() }),
    action: z.string(),
    entityId: z.string().nullable(),
    status: z.number().int(),
    detail: z.record(z.string(), z.unknown()),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
  })
  .openapi('AuditEntry');

/** Newest first; the cursor is the last entry's id. */
export async function listAudit(s: Services, q: z.infer<typeof AuditQuery>) {
  const where: SQL[] = [];
  if (q.cursor) {
    if (!/^[0-9]{1,18}$/.test(q.cursor)) {
      throw new AppError('validation_failed', 'The cursor is not one this API gave out', { errors: [{ path: 'query.cursor', message: 'invalid cursor' }] });
    }
    where.push(lt(auditLog.id, Number(q.cursor)));
  }
  if (q.actorId) where.push(eq(auditLog.actorId, q.actorId));
  if (q.entityId) where.push(eq(auditLog.entityId, q.entityId));
  if (q.action) where.push(like(auditLog.action, `${q.action.replace(/[\\%_]/g, (m) => `\\${m}`)}%`));
  if (q.from) where.push(gte(auditLog.at, new Date(q.from)));
  if (q.to) where.push(lt(auditLog.at, new Date(q.to)));
  const rows = await s.database.db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit).map((r) => ({
    id: String(r.id),
    at: r.at.toISOString(),
    actor: { id: r.actorId, role: r.actorRole },
    action: r.action,
    entityId: r.entityId,
    status: r.status,
    detail: r.detail,
    requestId: r.requestId,
    ip: r.ip,
  }));
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
}
