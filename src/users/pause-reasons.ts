import { asc, eq } from 'drizzle-orm';
import { createRoute, z } from '@hono/zod-openapi';
import { pauseReasons } from '../db/schema.js';
import type { Services } from '../services.js';
import { secured, staffRoles } from '../auth/middleware.js';
import { AppError, isUniqueViolation, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { createRouter, IdParam, jsonBody, jsonResponse, problems } from '../shared/http.js';

const PauseReasonSchema = z.object({ id: z.string(), label: z.string(), active: z.boolean(), position: z.number().int() }).openapi('PauseReason');
const CreatePauseReasonSchema = z.object({ label: z.string().trim().min(1).max(60), position: z.number().int().min(0).max(1000).default(0) }).strict().openapi('CreatePauseReason');
const UpdatePauseReasonSchema = z
  .object({ label: z.string().trim().min(1).max(60).optional(), active: z.boolean().optional(), position: z.number().int().min(0).max(1000).optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' })
  .openapi('UpdatePauseReason');

const dto = (r: typeof pauseReasons.$inferSelect) => ({ id: r.id, label: r.label, active: r.active, position: r.position });

export async function listPauseReasons(s: Services, includeInactive = false) {
  const rows = await s.database.db.select().from(pauseReasons).orderBy(asc(pauseReasons.position), asc(pauseReasons.label));
  return rows.filter((r) => includeInactive || r.active).map(dto);
}

/** Operators pause with one of the administrator's reasons; the label is what the status keeps. */
export async function assertPauseReason(s: Services, reason: string | undefined) {
  const active = await listPauseReasons(s);
  if (!active.length) {
    throw new AppError('validation_failed', 'No pause reasons are set up yet; the call-centre administrator adds them', { errors: [{ path: 'reason', message: 'no pause reasons defined' }] });
  }
  if (!reason || !active.some((r) => r.label === reason)) {
    throw new AppError('validation_failed', `Pause with one of: ${active.map((r) => r.label).join(', ')}`, { errors: [{ path: 'reason', message: 'not one of the pause reasons' }] });
  }
}

const conflict = (err: unknown): never => {
  if (isUniqueViolation(err)) throw new AppError('conflict', 'A pause reason with this label exists', { errors: [{ path: 'label', message: 'already exists' }] });
  throw err;
};

export function pauseReasonRoutes() {
  const r = createRouter();
  const admins = ['cc_admin', 'admin'] as const;
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/pause-reasons',
      tags: ['users'],
      summary: 'Pause reasons operators choose from',
      ...secured(staffRoles),
      request: { query: z.object({ all: z.enum(['true', 'false']).optional().openapi({ description: 'Include retired reasons (administrators)' }) }) },
      responses: { 200: jsonResponse(z.array(PauseReasonSchema), 'In display order'), 400: problems[400], 401: problems[401], 403: problems[403] },
    }),
    async (c) => {
      const all = c.req.valid('query').all === 'true' && (admins as readonly string[]).includes(c.get('user').role);
      return c.json(await listPauseReasons(c.get('services'), all), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/pause-reasons',
      tags: ['users'],
      summary: 'Add a pause reason',
      ...secured(admins),
      request: { body: jsonBody(CreatePauseReasonSchema) },
      responses: { 201: jsonResponse(PauseReasonSchema, 'Added'), 400: problems[400], 401: problems[401], 403: problems[403], 409: problems[409] },
    }),
    async (c) => {
      const s = c.get('services');
      const body = c.req.valid('json');
      const now = s.clock.now();
      const [row] = await s.database.db
        .insert(pauseReasons)
        .values({ id: newId('pauseReason'), label: body.label, position: body.position, createdAt: now, updatedAt: now })
        .returning()
        .catch(conflict);
      return c.json(dto(row!), 201);
    },
  );
  r.openapi(
    createRoute({
      method: 'patch',
      path: '/api/pause-reasons/{id}',
      tags: ['users'],
      summary: 'Rename, reorder or retire a pause reason',
      ...secured(admins),
      request: { params: IdParam('pr'), body: jsonBody(UpdatePauseReasonSchema) },
      responses: { 200: jsonResponse(PauseReasonSchema, 'Saved'), 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409] },
    }),
    async (c) => {
      const s = c.get('services');
      const { id } = c.req.valid('param');
      const [row] = await s.database.db
        .update(pauseReasons)
        .set({ ...c.req.valid('json'), updatedAt: s.clock.now() })
        .where(eq(pauseReasons.id, id))
        .returning()
        .catch(conflict);
      if (!row) throw notFound('Pause reason', id);
      return c.json(dto(row), 200);
    },
  );
  return r;
}

