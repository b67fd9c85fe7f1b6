import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { sourceChannels, sources } from '../db/schema.js';
import type { Services } from '../services.js';
import { AppError, isUniqueViolation, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';

export const SourceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    channel: z.enum(sourceChannels),
    monthlyCost: z.number().int().nullable().openapi({ description: 'Minor currency units (kopecks, cents)' }),
    currency: z.string(),
    active: z.boolean(),
    utmSource: z.string().nullable().openapi({ description: 'Website visits with this utm_source are credited here' }),
    createdAt: z.string(),
  })
  .openapi('Source');

const fields = {
  name: z.string().trim().min(1).max(200),
  channel: z.enum(sourceChannels),
  monthlyCost: z.number().int().min(0).max(1e13).nullable().openapi({ description: 'Minor currency units' }),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as RUB'),
  active: z.boolean(),
  utmSource: z.string().trim().min(1).max(200).nullable(),
};

export const CreateSourceSchema = z
  .object({ ...fields, monthlyCost: fields.monthlyCost.optional(), currency: fields.currency.optional(), active: fields.active.optional(), utmSource: fields.utmSource.optional() })
  .strict()
  .openapi('CreateSource');
export const UpdateSourceSchema = z
  .object(fields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .openapi('UpdateSource');

const toDto = (r: typeof sources.$inferSelect): z.infer<typeof SourceSchema> => ({
  id: r.id,
  name: r.name,
  channel: r.channel,
  monthlyCost: r.monthlyCostMinor ?? null,
  currency: r.currency,
  active: r.active,
  utmSource: r.utmSource,
  createdAt: r.createdAt.toISOString(),
});

function nameTaken(err: unknown, name?: string): never {
  if (isUniqueViolation(err, 'sources_utm_source_key')) {
    throw new AppError('conflict', 'Another source already claims this utm_source', { errors: [{ path: 'utmSource', message: 'already taken' }] });
  }
  if (isUniqueViolation(err, 'sources_name_key')) {
    throw new AppError('conflict', `A source named "${name}" already exists`, { errors: [{ path: 'name', message: 'already taken' }] });
  }
  throw err;
}

export async function createSource(s: Services, input: z.infer<typeof CreateSourceSchema>) {
  const now = s.clock.now();
  try {
    const [row] = await s.database.db
      .insert(sources)
      .values({
        id: newId('source'),
        name: input.name,
        channel: input.channel,
        monthlyCostMinor: input.monthlyCost ?? null,
        currency: input.currency ?? s.config.currency,
        active: input.active ?? true,
        utmSource: input.utmSource ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return toDto(row!);
  } catch (err) {
    nameTaken(err, input.name);
  }
}

export async function updateSource(s: Services, id: string, patch: z.infer<typeof UpdateSourceSchema>) {
  const { monthlyCost, ...rest } = patch;
  try {
    const [row] = await s.database.db
      .update(sources)
      .set({ ...rest, ...(monthlyCost !== undefined ? { monthlyCostMinor: monthlyCost } : {}), updatedAt: s.clock.now() })
      .where(eq(sources.id, id))
      .returning();
    if (!row) throw notFound('Source', id);
    return toDto(row);
  } catch (err) {
    nameTaken(err, patch.name);
  }
}

export async function listSources(s: Services, q: { active?: boolean; limit: number; cursor?: string }) {
  const conds: SQL[] = [];
  if (q.active !== undefined) conds.push(eq(sources.active, q.active));
  if (q.cursor) conds.push(gt(sources.id, q.cursor));
  const rows = await s.database.db
    .select()
    .from(sources)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(sources.id))
    .limit(q.limit + 1);
  return rows.map(toDto);
}
