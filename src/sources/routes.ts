import { createRoute, z } from '@hono/zod-openapi';
import { secured, staffRoles } from '../auth/middleware.js';
import { createRouter, IdParam, jsonBody, jsonResponse, page, PageQuery, problems, toPage } from '../shared/http.js';
import { CreateSourceSchema, createSource, listSources, SourceSchema, UpdateSourceSchema, updateSource } from './service.js';

const editors = ['admin', 'cc_admin'] as const;

export function sourceRoutes() {
  const r = createRouter();

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/sources',
      tags: ['sources'],
      summary: 'Marketing sources',
      ...secured(staffRoles),
      request: { query: PageQuery.extend({ active: z.enum(['true', 'false']).optional() }) },
      responses: { 200: jsonResponse(page(SourceSchema), 'A page of sources'), 400: problems[400], 401: problems[401] },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await listSources(c.get('services'), { ...q, active: q.active === undefined ? undefined : q.active === 'true' });
      return c.json(toPage(rows, q.limit), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/sources',
      tags: ['sources'],
      summary: 'Add a marketing source',
      ...secured(editors),
      request: { body: jsonBody(CreateSourceSchema) },
      responses: {
        201: jsonResponse(SourceSchema, 'Created'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        409: problems[409],
      },
    }),
    async (c) => c.json(await createSource(c.get('services'), c.req.valid('json')), 201),
  );

  r.openapi(
    createRoute({
      method: 'patch',
      path: '/api/sources/{id}',
      tags: ['sources'],
      summary: 'Change a marketing source',
      ...secured(editors),
      request: { params: IdParam('src'), body: jsonBody(UpdateSourceSchema) },
      responses: {
        200: jsonResponse(SourceSchema, 'Updated'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        409: problems[409],
      },
    }),
    async (c) => c.json(await updateSource(c.get('services'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  return r;
}
