import { createRoute } from '@hono/zod-openapi';
import { secured } from '../auth/middleware.js';
import { createRouter, jsonResponse, page, problems } from '../shared/http.js';
import { AuditEntrySchema, AuditQuery, listAudit } from './service.js';

export function auditRoutes() {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/audit',
      tags: ['audit'],
      summary: 'Who changed what',
      description:
        'Every successful change made through a route only supervisors may call (users, scripts, tracking numbers, sources, ' +
        'campaigns, reassignments, lists), newest first, with the input it was given (passwords and secrets removed).',
      ...secured(['admin']),
      request: { query: AuditQuery },
      responses: { 200: jsonResponse(page(AuditEntrySchema), 'A page of entries'), 400: problems[400], 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await listAudit(c.get('services'), c.req.valid('query')), 200),
  );
  return r;
}
