import { and, asc, eq, gt, ilike, inArray, sql, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { callScripts, campaignMembers, campaigns, dialEntries, dialLists, dncNumbers, importJobs, refusalReasons, sources, users } from '../db/schema.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, fieldError, isUniqueViolation, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { toE164 } from '../shared/phone.js';
import { reasonList } from '../shared/reason-list.js';

export const campaignAdmins = ['admin', 'cc_admin'] as const;

/** The administrator's list of refusal reasons; "not interested" names one of them. */
export const refusalReasonList = reasonList({
  table: refusalReasons,
  idKind: 'refusalReason',
  prefix: 'rr',
  path: '/api/refusal-reasons',
  tag: 'dialer',
  noun: 'refusal reason',
  schemaName: 'RefusalReason',
  purpose: 'Refusal reasons operators record with "not interested"',
});

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM');
const E164Input = z.string().trim().min(3).max(32);

const WindowSchema = z
  .object({
    start: hhmm,
    end: hhmm,
    days: z.array(z.number().int().min(1).max(7)).min(1).max(7).openapi({ description: 'ISO weekdays, 1 = Monday' }),
  })
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] })
  .openapi('CallingWindow', { description: "In the contact's local time" });

const RetrySchema = z
  .object({
    no_answer: z.number().int().min(1).max(10_080),
    busy: z.number().int().min(1).max(10_080),
    voicemail: z.number().int().min(1).max(10_080),
  })
  .openapi('RetryMinutes', { description: 'Minutes until the next try after each disposition' });

export const CampaignInput = z
  .object({
    name: z.string().trim().min(1).max(120),
    status: z.enum(['active', 'paused']).default('paused'),
    priority: z.number().int().min(0).max(100).default(0),
    callerId: E164Input.nullable().optional().openapi({ description: 'The number presented to the people called' }),
    sourceId: z.string().max(40).nullable().optional().openapi({ description: 'The marketing source contacts from this campaign are credited to' }),
    window: WindowSchema.default({ start: '09:00', end: '21:00', days: [1, 2, 3, 4, 5] }),
    maxAttempts: z.number().int().min(1).max(50).default(5),
    retryMinutes: RetrySchema.default({ no_answer: 120, busy: 15, voicemail: 240 }),
    operatorIds: z.array(z.string().max(40)).max(500).default([]),
    scriptId: z.string().max(40).nullable().optional().openapi({ description: 'The call script operators walk; they get its published version' }),
  })
  .strict()
  .openapi('CampaignInput');

export const CampaignPatch = z
  .object({
    name: z.string().trim().min(1).max(120),
    status: z.enum(['active', 'paused']),
    priority: z.number().int().min(0).max(100),
    callerId: E164Input.nullable(),
    sourceId: z.string().max(40).nullable(),
    window: WindowSchema,
    maxAttempts: z.number().int().min(1).max(50),
    retryMinutes: RetrySchema,
    operatorIds: z.array(z.string().max(40)).max(500),
    scriptId: z.string().max(40).nullable(),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'nothing to change')
  .openapi('CampaignPatch');

export const CampaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(['active', 'paused']),
    priority: z.number().int(),
    callerId: z.string().nullable(),
    source: z.object({ id: z.string(), name: z.string() }).nullable(),
    window: z.object({ start: z.string(), end: z.string(), days: z.array(z.number().int()) }),
    maxAttempts: z.number().int(),
    retryMinutes: RetrySchema,
    operators: z.array(z.object({ id: z.string(), name: z.string() })),
    script: z.object({ id: z.string(), name: z.string(), publishedVersion: z.number().int().nullable() }).nullable(),
    entries: z.object({ pending: z.number().int(), locked: z.number().int(), done: z.number().int() }),
    lists: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        status: z.string(),
        createdAt: z.string(),
        import: z
          .object({ id: z.string(), total: z.number().int(), imported: z.number().int(), rejected: z.number().int(), finishedAt: z.string().nullable() })
          .nullable()
          .openapi({ description: 'The import that filled the list (GET /api/imports/{id} for its rejects)' }),
      }),
    ),
    createdAt: z.string(),
  })
  .openapi('Campaign');

type CampaignRow = typeof campaigns.$inferSelect;

async function toDtos(s: Services, rows: CampaignRow[]) {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const members = await s.database.db
    .select({ campaignId: campaignMembers.campaignId, id: users.id, name: users.name })
    .from(campaignMembers)
    .innerJoin(users, eq(users.id, campaignMembers.userId))
    .where(inArray(campaignMembers.campaignId, ids))
    .orderBy(asc(users.name));
  const counts = await s.database.db
    .select({ campaignId: dialEntries.campaignId, status: dialEntries.status, n: sql<number>`count(*)::int` })
    .from(dialEntries)
    .where(inArray(dialEntries.campaignId, ids))
    .groupBy(dialEntries.campaignId, dialEntries.status);
  const lists = await s.database.db
    .select({ l: dialLists, job: importJobs })
    .from(dialLists)
    .leftJoin(importJobs, eq(importJobs.listId, dialLists.id))
    .where(inArray(dialLists.campaignId, ids))
    .orderBy(asc(dialLists.createdAt));
  const srcIds = rows.flatMap((r) => (r.sourceId ? [r.sourceId] : []));
  const srcs = srcIds.length ? await s.database.db.select({ id: sources.id, name: sources.name }).from(sources).where(inArray(sources.id, srcIds)) : [];
  const scriptIds = rows.flatMap((r) => (r.scriptId ? [r.scriptId] : []));
  const scripts = scriptIds.length
    ? await s.database.db
        .select({ id: callScripts.id, name: callScripts.name, publishedVersion: callScripts.publishedVersion })
        .from(callScripts)
        .where(inArray(callScripts.id, scriptIds))
    : [];
  return rows.map((r) => {
    const n = (status: string) => counts.find((c) => c.campaignId === r.id && c.status === status)?.n ?? 0;
    return {
      id: r.id,
      name: r.name,
      status: r.status,
      priority: r.priority,
      callerId: r.callerId,
      source: srcs.find((x) => x.id === r.sourceId) ?? null,
      window: { start: r.windowStart.slice(0, 5), end: r.windowEnd.slice(0, 5), days: r.windowDays },
      maxAttempts: r.maxAttempts,
      retryMinutes: r.retryMinutes,
      operators: members.filter((m) => m.campaignId === r.id).map((m) => ({ id: m.id, name: m.name })),
      script: scripts.find((x) => x.id === r.scriptId) ?? null,
      entries: { pending: n('pending'), locked: n('locked'), done: n('done') },
      lists: lists
        .filter(({ l }) => l.campaignId === r.id)
        .map(({ l, job }) => ({
          id: l.id,
          name: l.name,
          status: l.status,
          createdAt: l.createdAt.toISOString(),
          import: job
            ? { id: job.id, total: job.total, imported: job.imported, rejected: job.invalid + job.duplicates + job.dnc + job.skipped, finishedAt: job.finishedAt?.toISOString() ?? null }
            : null,
        })),
      createdAt: r.createdAt.toISOString(),
    };
  });
}

async function checkRefs(s: Services, input: { callerId?: string | null; sourceId?: string | null; operatorIds?: string[]; scriptId?: string | null }) {
  let callerId: string | null | undefined = input.callerId;
  if (input.callerId) {
    callerId = toE164(input.callerId, s.config.phoneRegion);
    if (!callerId) throw fieldError('callerId', `"${input.callerId}" is not a phone number`);
  }
  if (input.sourceId) {
    const [src] = await s.database.db.select({ id: sources.id }).from(sources).where(eq(sources.id, input.sourceId));
    if (!src) throw fieldError('sourceId', `no source ${input.sourceId}`);
  }
  if (input.scriptId) {
    const [script] = await s.database.db.select({ id: callScripts.id }).from(callScripts).where(eq(callScripts.id, input.scriptId));
    if (!script) throw fieldError('scriptId', `no call script ${input.scriptId}`);
  }
  if (input.operatorIds?.length) {
    const found = await s.database.db
      .select({ id: users.id, role: users.role, active: users.active })
      .from(users)
      .where(inArray(users.id, input.operatorIds));
    for (const [i, id] of input.operatorIds.entries()) {
      const u = found.find((f) => f.id === id);
      if (!u) throw fieldError(`operatorIds.${i}`, `no user ${id}`);
      if (u.role !== 'operator') throw fieldError(`operatorIds.${i}`, `${id} is not an operator`);
    }
  }
  return callerId;
}

const nameTaken = (err: unknown, name: string | undefined): never => {
  if (isUniqueViolation(err, 'campaigns_name_key')) {
    throw new AppError('conflict', `A campaign named "${name}" exists`, { errors: [{ path: 'name', message: 'already taken' }] });
  }
  throw err;
};

export async function createCampaign(s: Services, actor: AuthUser, input: z.infer<typeof CampaignInput>) {
  const callerId = await checkRefs(s, input);
  const now = s.clock.now();
  const id = newId('campaign');
  await s.database.db
    .transaction(async (tx) => {
      await tx.insert(campaigns).values({
        id,
        name: input.name,
        status: input.status,
        priority: input.priority,
        callerId: callerId ?? null,
        sourceId: input.sourceId ?? null,
        windowStart: input.window.start,
        windowEnd: input.window.end,
        windowDays: input.window.days,
        maxAttempts: input.maxAttempts,
        retryMinutes: input.retryMinutes,
        scriptId: input.scriptId ?? null,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
      });
      if (input.operatorIds.length) {
        await tx.insert(campaignMembers).values([...new Set(input.operatorIds)].map((userId) => ({ campaignId: id, userId })));
      }
    })
    .catch((err: unknown) => nameTaken(err, input.name));
  return getCampaign(s, actor, id);
}

export async function updateCampaign(s: Services, actor: AuthUser, id: string, patch: z.infer<typeof CampaignPatch>) {
  const callerId = await checkRefs(s, patch);
  await s.database.db
    .transaction(async (tx) => {
      const [current] = await tx.select({ id: campaigns.id }).from(campaigns).where(eq(campaigns.id, id)).for('update');
      if (!current) throw notFound('Campaign', id);
      const set: Partial<typeof campaigns.$inferInsert> = { updatedAt: s.clock.now() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.status !== undefined) set.status = patch.status;
      if (patch.priority !== undefined) set.priority = patch.priority;
      if (patch.callerId !== undefined) set.callerId = callerId ?? null;
      if (patch.sourceId !== undefined) set.sourceId = patch.sourceId;
      if (patch.window) Object.assign(set, { windowStart: patch.window.start, windowEnd: patch.window.end, windowDays: patch.window.days });
      if (patch.maxAttempts !== undefined) set.maxAttempts = patch.maxAttempts;
      if (patch.retryMinutes !== undefined) set.retryMinutes = patch.retryMinutes;
      if (patch.scriptId !== undefined) set.scriptId = patch.scriptId;
      await tx.update(campaigns).set(set).where(eq(campaigns.id, id));
      if (patch.operatorIds) {
        await tx.delete(campaignMembers).where(eq(campaignMembers.campaignId, id));
        if (patch.operatorIds.length) {
          await tx.insert(campaignMembers).values([...new Set(patch.operatorIds)].map((userId) => ({ campaignId: id, userId })));
        }
      }
    })
    .catch((err: unknown) => nameTaken(err, patch.name));
  s.realtime.toRoles(['operator', 'cc_admin', 'admin'], 'campaign:updated', { id });
  return getCampaign(s, actor, id);
}

/** Operators see only the campaigns they work. */
async function visible(s: Services, viewer: AuthUser, id: string) {
  const [row] = await s.database.db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw notFound('Campaign', id);
  if (viewer.role === 'operator') {
    const [m] = await s.database.db
      .select({ userId: campaignMembers.userId })
      .from(campaignMembers)
      .where(and(eq(campaignMembers.campaignId, id), eq(campaignMembers.userId, viewer.id)));
    if (!m) throw new AppError('forbidden', 'You do not work this campaign');
  }
  return row;
}

export async function getCampaign(s: Services, viewer: AuthUser, id: string) {
  const [dto] = await toDtos(s, [await visible(s, viewer, id)]);
  return dto!;
}

export async function assertCampaignAdmin(s: Services, id: string) {
  const [row] = await s.database.db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw notFound('Campaign', id);
  return row;
}

export const CampaignListQuery = z.object({
  status: z.enum(['active', 'paused']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
});

export async function listCampaigns(s: Services, viewer: AuthUser, q: z.infer<typeof CampaignListQuery>) {
  const conds: SQL[] = [];
  if (q.status) conds.push(eq(campaigns.status, q.status));
  if (q.cursor) conds.push(gt(campaigns.id, q.cursor));
  if (viewer.role === 'operator') {
    conds.push(inArray(campaigns.id, s.database.db.select({ id: campaignMembers.campaignId }).from(campaignMembers).where(eq(campaignMembers.userId, viewer.id))));
  }
  const rows = await s.database.db
    .select()
    .from(campaigns)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(campaigns.id))
    .limit(q.limit + 1);
  const items = await toDtos(s, rows.slice(0, q.limit));
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.id : null };
}

// ------------------------------------------------------------------ do not call

export const DncInput = z
  .object({ phone: E164Input, reason: z.string().trim().max(200).optional() })
  .strict()
  .openapi('DncInput');
export const DncSchema = z
  .object({ phone: z.string(), reason: z.string().nullable(), addedBy: z.string().nullable(), createdAt: z.string() })
  .openapi('DncNumber');
export const DncListQuery = z.object({
  q: z.string().trim().min(1).max(32).optional().openapi({ description: 'Digits the number contains' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(32).optional(),
});

const dncDto = (r: typeof dncNumbers.$inferSelect) => ({ phone: r.phone, reason: r.reason, addedBy: r.addedBy, createdAt: r.createdAt.toISOString() });

/** Adds a number to the do-not-call list (idempotent); the dialer stops offering it at once. */
export async function addDnc(s: Services, actor: AuthUser | null, phoneInput: string, reason: string | null, path = 'phone') {
  const phone = toE164(phoneInput, s.config.phoneRegion);
  if (!phone) throw fieldError(path, `"${phoneInput}" is not a phone number`);
  const [row] = await s.database.db
    .insert(dncNumbers)
    .values({ phone, reason, addedBy: actor?.id ?? null, createdAt: s.clock.now() })
    .onConflictDoUpdate({ target: dncNumbers.phone, set: { reason: sql`coalesce(excluded.reason, ${dncNumbers.reason})` } })
    .returning();
  return dncDto(row!);
}

export async function removeDnc(s: Services, phoneInput: string) {
  const phone = toE164(phoneInput, s.config.phoneRegion);
  if (!phone) throw fieldError('phone', `"${phoneInput}" is not a phone number`);
  const [row] = await s.database.db.delete(dncNumbers).where(eq(dncNumbers.phone, phone)).returning();
  if (!row) throw notFound('Do-not-call number', phone);
}

export async function listDnc(s: Services, q: z.infer<typeof DncListQuery>) {
  const conds: SQL[] = [];
  if (q.q) conds.push(ilike(dncNumbers.phone, `%${q.q.replace(/\D/g, '')}%`));
  if (q.cursor) conds.push(gt(dncNumbers.phone, q.cursor));
  const rows = await s.database.db
    .select()
    .from(dncNumbers)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(dncNumbers.phone))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit).map(dncDto);
  return { items, nextCursor: rows.length > q.limit ? items[items.length - 1]!.phone : null };
}


