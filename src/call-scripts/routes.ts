import { createRoute, z } from '@hono/zod-openapi';
import { secured } from '../auth/middleware.js';
import { createRouter, IdParam, jsonBody, jsonResponse, page, problems } from '../shared/http.js';
import { GraphSchema, RunInput, RunSchema, ScriptInput, ScriptListQuery, ScriptPatch, ScriptSchema, ScriptSummarySchema, StatsQuery, StatsSchema, VersionSchema } from './schemas.js';
import { createScript, getScript, getVersion, listScripts, publish, recordRun, saveDraft, scriptAdmins, scriptReaders, scriptStats, updateScript } from './service.js';

const ScriptId = IdParam('scr');
const common = { 400: problems[400], 401: problems[401], 403: problems[403] };
const VersionParams = ScriptId.extend({
  version: z.coerce.number().int().min(1).max(1_000_000).openapi({ param: { name: 'version', in: 'path' }, example: 1 }),
});

export function callScriptRoutes() {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/call-scripts',
      tags: ['call-scripts'],
      summary: 'Call scripts',
      ...secured(scriptReaders),
      request: { query: ScriptListQuery },
      responses: { 200: jsonResponse(page(ScriptSummarySchema), 'A page of scripts'), ...common },
    }),
    async (c) => c.json(await listScripts(c.get('services'), c.req.valid('query')), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/call-scripts',
      tags: ['call-scripts'],
      summary: 'Create a script (its first draft)',
      ...secured(scriptAdmins),
      request: { body: jsonBody(ScriptInput) },
      responses: { 201: jsonResponse(ScriptSchema, 'Created'), ...common, 409: problems[409] },
    }),
    async (c) => c.json(await createScript(c.get('services'), c.get('user'), c.req.valid('json')), 201),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/call-scripts/{id}',
      tags: ['call-scripts'],
      summary: 'A script: its draft, what keeps the draft from publishing, and its versions',
      ...secured(scriptAdmins),
      request: { params: ScriptId },
      responses: { 200: jsonResponse(ScriptSchema, 'The script'), ...common, 404: problems[404] },
    }),
    async (c) => c.json(await getScript(c.get('services'), c.req.valid('param').id), 200),
  );
  r.openapi(
    createRoute({
      method: 'patch',
      path: '/api/call-scripts/{id}',
      tags: ['call-scripts'],
      summary: 'Rename a script, or make it the inbound script',
      ...secured(scriptAdmins),
      request: { params: ScriptId, body: jsonBody(ScriptPatch) },
      responses: { 200: jsonResponse(ScriptSchema, 'Saved'), ...common, 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await updateScript(c.get('services'), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  r.openapi(
    createRoute({
      method: 'put',
      path: '/api/call-scripts/{id}/draft',
      tags: ['call-scripts'],
      summary: 'Save the draft',
      description: 'Saved as it is; `issues` in the answer lists what publishing would refuse.',
      ...secured(scriptAdmins),
      request: { params: ScriptId, body: jsonBody(z.object({ graph: GraphSchema }).strict()) },
      responses: { 200: jsonResponse(ScriptSchema, 'Saved'), ...common, 404: problems[404] },
    }),
    async (c) => c.json(await saveDraft(c.get('services'), c.req.valid('param').id, c.req.valid('json').graph), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/call-scripts/{id}/publish',
      tags: ['call-scripts'],
      summary: 'Publish the draft as the next immutable version',
      description: 'Refused with 400 when the draft has issues (each named by its step in `issues`), with 409 when it equals the published version.',
      ...secured(scriptAdmins),
      request: { params: ScriptId },
      responses: { 201: jsonResponse(VersionSchema, 'Published'), ...common, 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await publish(c.get('services'), c.get('user'), c.req.valid('param').id), 201),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/call-scripts/{id}/versions/{version}',
      tags: ['call-scripts'],
      summary: 'A published version',
      ...secured(scriptReaders),
      request: { params: VersionParams },
      responses: { 200: jsonResponse(VersionSchema, 'The version'), ...common, 404: problems[404] },
    }),
    async (c) => {
      const { id, version } = c.req.valid('param');
      return c.json(await getVersion(c.get('services'), id, version), 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/call-scripts/{id}/stats',
      tags: ['call-scripts'],
      summary: 'Per step and answer: runs that passed and how many ended in a meeting',
      ...secured(scriptAdmins),
      request: { params: ScriptId, query: StatsQuery },
      responses: { 200: jsonResponse(StatsSchema, 'The figures'), ...common, 404: problems[404] },
    }),
    async (c) => c.json(await scriptStats(c.get('services'), c.req.valid('param').id, c.req.valid('query')), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/script-runs',
      tags: ['call-scripts'],
      summary: 'Store a walk of a script on a call',
      description: 'The version, the steps walked with the answers chosen, and the fields captured, linked to the call, dial entry and contact.',
      ...secured(scriptReaders),
      request: { body: jsonBody(RunInput) },
      responses: { 201: jsonResponse(RunSchema, 'Stored'), ...common },
    }),
    async (c) => c.json(await recordRun(c.get('services'), c.get('user'), c.req.valid('json')), 201),
  );
  return r;
}
