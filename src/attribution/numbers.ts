import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { sources, trackingNumbers } from '../db/schema.js';
import type { Services } from '../services.js';
import { AppError, isUniqueViolation, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { toE164 } from '../shared/phone.js';

export const TrackingNumberSchema = z
  .object({
    id: z.string(),
    number: z.string(),
    sourceId: z.string(),
    kind: z.enum(['static', 'pool']),
    active: z.boolean(),
    lastAssignedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('TrackingNumber');

const srcId = z.string().regex(/^src_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a src_… id');
export const CreateTrackingNumberSchema = z
  .object({
    number: z.string().min(3).max(40),
    sourceId: srcId,
    kind: z.enum(['static', 'pool']).openapi({ description: 'static: always this source; pool: handed to website visitors' }),
  })
  .strict()
  .openapi('CreateTrackingNumber');
export const UpdateTrackingNumberSchema = z
  .object({ sourceId: srcId, active: z.boolean() })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .openapi('UpdateTrackingNumber');

const toDto = (r: typeof trackingNumbers.$inferSelect): z.infer<typeof TrackingNumberSchema> => ({
  id: r.id,
  number: r.number,
  sourceId: r.sourceId,
  kind: r.kind,
  active: r.active,
  lastAssignedAt: r.lastAssignedAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

async function assertSource(s: Services, id: string) {
  const [row] = await s.database.db.select({ id: sources.id }).from(sources).where(eq(sources.id, id)).limit(1);
  if (!row) throw new AppError('validation_failed', `Source ${id} does not exist`, { errors: [{ path: 'sourceId', message: 'unknown source' }] });
}

export async function createTrackingNumber(s: Services, input: z.infer<typeof CreateTrackingNumberSchema>) {
  const number = toE164(input.number, s.config.phoneRegion);
  if (!number) {
    throw new AppError('validation_failed', `"${input.number}" is not a valid phone number`, {
      errors: [{ path: 'number', message: 'not a valid phone number' }],
    });
  }
  await assertSource(s, input.sourceId);
  const now = s.clock.now();
  try {
    const [row] = await s.database.db
      .insert(trackingNumbers)
      .values({ id: newId('trackingNumber'), number, sourceId: input.sourceId, kind: input.kind, createdAt: now, updatedAt: now })
      .returning();
    return toDto(row!);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError('conflict', `${number} is already a tracking number`, { errors: [{ path: 'number', message: 'already added' }] });
    }
    throw err;
  }
}

export async function updateTrackingNumber(s: Services, id: string, patch: z.infer<typeof UpdateTrackingNumberSchema>) {
  if (patch.sourceId) await assertSource(s, patch.sourceId);
  const [row] = await s.database.db
    .update(trackingNumbers)
    .set({ ...patch, updatedAt: s.clock.now() })
    .where(eq(trackingNumbers.id, id))
    .returning();
  if (!row) throw notFound('Tracking number', id);
  return toDto(row);
}

export async function listTrackingNumbers(s: Services, q: { kind?: 'static' | 'pool'; sourceId?: string; limit: number; cursor?: string }) {
  const conds: SQL[] = [];
  if (q.kind) conds.push(eq(trackingNumbers.kind, q.kind));
  if (q.sourceId) conds.push(eq(trackingNumbers.sourceId, q.sourceId));
  if (q.cursor) conds.push(gt(trackingNumbers.id, q.cursor));
  const rows = await s.database.db
    .select()
    .from(trackingNumbers)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(trackingNumbers.id))
    .limit(q.limit + 1);
  return rows.map(toDto);
}
