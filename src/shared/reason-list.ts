import { asc, eq } from 'drizzle-orm';
import { createRoute, z } from '@hono/zod-openapi';
import type { ReasonTable } from '../db/schema.js';
import type { Services } from '../services.js';
import { secured, staffRoles } from '../auth/middleware.js';
import { AppError, isUniqueViolation, notFound } from './errors.js';
import { newId, type IdKind } from './ids.js';
import { createRouter, IdParam, jsonBody, jsonResponse, problems } from './http.js';

export interface ReasonListSpec {
  table: ReasonTable;
  idKind: IdKind;
  /** The id prefix, e.g. "pr". */
  prefix: string;
  /** e.g. "/api/pause-reasons" */
  path: string;
  tag: string;
  /** "pause reason" — used in messages and summaries. */
  noun: string;
  /** OpenAPI component name, e.g. "PauseReason". */
  schemaName: string;
  /** What the list is for, shown in the docs. */
  purpose: string;
}

/**
 * A list of reasons the call-centre administrator keeps (labels, order, retired ones kept for history)
 * and the people on the phones choose from: the domain functions and the HTTP routes.
 */
export function reasonList(spec: ReasonListSpec) {
  // Every reason table has the same columns; only its name differs, which queries do not care about.
  const table = spec.table as unknown as ReasonTable<'pause_reasons'>;
  const Schema = z.object({ id: z.string(), label: z.string(), active: z.boolean(), position: z.number().int() }).openapi(spec.schemaName);
  const CreateSchema = z
    .object({ label: z.string().trim().min(1).max(60), position: z.number().int().min(0).max(1000).default(0) })
    .strict()
    .openapi(`Create${spec.schemaName}`);
  const UpdateSchema = z
    .object({ label: z.string().trim().min(1).max(60).optional(), active: z.boolean().optional(), position: z.number().int().min(0).max(1000).optional() })
    .strict()
    .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' })
    .openapi(`Update${spec.schemaName}`);
  const dto = (r: ReasonTable<'pause_reasons'>['$inferSelect']) => ({ id: r.id, label: r.label, active: r.active, position: r.position });
  const conflict = (err: unknown): never => {
    if (isUniqueViolation(err)) throw new AppError('conflict', `A ${spec.noun} with this label exists`, { errors: [{ path: 'label', message: 'already exists' }] });
    throw err;
  };

  async function list(s: Services, includeInactive = false) {
    const rows = await s.database.db.select().from(table).orderBy(asc(table.position), asc(table.label));
    return rows.filter((r) => includeInactive || r.active).map(dto);
  }

  /** Throws a field error on `path` unless `reason` is one of the active labels. */
  async function assertOne(s: Services, reason: string | null | undefined, path = 'reason') {
    const active = await list(s);
    if (!active.length) {
      throw new AppError('validation_failed', `No ${spec.noun}s are set up yet; the call-centre administrator adds them`, {
        errors: [{ path, message: `no ${spec.noun}s defined` }],
      });
    }
    if (!reason || !active.some((r) => r.label === reason)) {
      throw new AppError('validation_failed', `Choose one of: ${active.map((r) => r.label).join(', ')}`, {
        errors: [{ path, message: `not one of the ${spec.noun}s` }],
      });
    }
  }

  function routes() {
    const r = createRouter();
    const admins = ['cc_admin', 'admin'] as const;
    r.openapi(
      createRoute({
        method: 'get',
        path: spec.path,
        tags: [spec.tag],
        summary: spec.purpose,
        ...secured(staffRoles),
        request: { query: z.object({ all: z.enum(['true', 'false']).optional().openapi({ description: 'Include retired reasons (administrators)' }) }) },
        responses: { 200: jsonResponse(z.array(Schema), 'In display order'), 400: problems[400], 401: problems[401], 403: problems[403] },
      }),
      async (c) => {
        const all = c.req.valid('query').all === 'true' && (admins as readonly string[]).includes(c.get('user').role);
        return c.json(await list(c.get('services'), all), 200);
      },
    );
    r.openapi(
      createRoute({
        method: 'post',
        path: spec.path,
        tags: [spec.tag],
        summary: `Add a ${spec.noun}`,
        ...secured(admins),
        request: { body: jsonBody(CreateSchema) },
        responses: { 201: jsonResponse(Schema, 'Added'), 400: problems[400], 401: problems[401], 403: problems[403], 409: problems[409] },
      }),
      async (c) => {
        const s = c.get('services');
        const body = c.req.valid('json');
        const now = s.clock.now();
        const [row] = await s.database.db
          .insert(table)
          .values({ id: newId(spec.idKind), label: body.label, position: body.position, createdAt: now, updatedAt: now })
          .returning()
          .catch(conflict);
        return c.json(dto(row!), 201);
      },
    );
    r.openapi(
      createRoute({
        method: 'patch',
        path: `${spec.path}/{id}`,
        tags: [spec.tag],
        summary: `Rename, reorder or retire a ${spec.noun}`,
        ...secured(admins),
        request: { params: IdParam(spec.prefix), body: jsonBody(UpdateSchema) },
        responses: { 200: jsonResponse(Schema, 'Saved'), 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409] },
      }),
      async (c) => {
        const s = c.get('services');
        const { id } = c.req.valid('param');
        const [row] = await s.database.db
          .update(table)
          .set({ ...c.req.valid('json'), updatedAt: s.clock.now() })
          .where(eq(table.id, id))
          .returning()
          .catch(conflict);
        if (!row) throw notFound(spec.noun.charAt(0).toUpperCase() + spec.noun.slice(1), id);
        return c.json(dto(row), 200);
      },
    );
    return r;
  }

  return { list, assertOne, routes };
}
