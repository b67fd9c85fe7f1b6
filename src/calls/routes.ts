import { createRoute } from '@hono/zod-openapi';
import { secured } from '../auth/middleware.js';
import { createRouter, IdParam, jsonResponse, page, problems } from '../shared/http.js';
import { streamRecording } from '../telephony/recordings.js';
import { CallDetailSchema, CallListQuery, CallSchema, getCall, listCalls, recordingOf } from './service.js';

const readers = ['admin', 'cc_admin', 'sales_head', 'client_head', 'operator'] as const;

export function callRoutes() {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/calls',
      tags: ['calls'],
      summary: 'Call log',
      description: 'Newest first, cursor-paged. Operators see only the calls they handled.',
      ...secured(readers),
      request: { query: CallListQuery },
      responses: { 200: jsonResponse(page(CallSchema), 'A page of calls'), 400: problems[400], 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await listCalls(c.get('services'), c.get('user'), c.req.valid('query')), 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/calls/{id}',
      tags: ['calls'],
      summary: 'One call with its legs, raw events and attribution',
      ...secured(readers),
      request: { params: IdParam('call') },
      responses: { 200: jsonResponse(CallDetailSchema, 'The call'), 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => c.json(await getCall(c.get('services'), c.get('user'), c.req.valid('param').id), 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/calls/{id}/recording',
      tags: ['calls'],
      summary: "The call's recording, streamed from the PBX",
      description: 'Audio as the PBX stored it (WAV). Honours `Range: bytes=…` so players can seek (206).',
      ...secured(readers),
      request: { params: IdParam('call') },
      responses: {
        200: { description: 'The recording', content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } },
        206: { description: 'Part of the recording', content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } } },
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        416: { description: 'The range is outside the recording' },
        503: problems[503],
      },
    }),
    async (c) => {
      const s = c.get('services');
      const { name, pbx } = await recordingOf(s, c.get('user'), c.req.valid('param').id);
      return streamRecording(s, pbx, name, c.req.header('range')) as never;
    },
  );
  return r;
}
