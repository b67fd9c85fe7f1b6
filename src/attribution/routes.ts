import { createRoute, z } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import type { MiddlewareHandler } from 'hono';
import { secured, staffRoles } from '../auth/middleware.js';
import { clientAddress } from '../shared/client-address.js';
import { consumeRateLimit } from '../shared/rate-limit.js';
import { createRouter, IdParam, jsonBody, jsonResponse, page, PageQuery, problems, toPage, type AppEnv } from '../shared/http.js';
import {
  CreateTrackingNumberSchema,
  createTrackingNumber,
  listTrackingNumbers,
  TrackingNumberSchema,
  UpdateTrackingNumberSchema,
  updateTrackingNumber,
} from './numbers.js';
import { pingSession, StartSessionSchema, startSession, TrackSessionSchema } from './sessions.js';
import { captureWebRequest, WebRequestResultSchema, WebRequestSchema } from './requests.js';
import { trackScript } from './track-script.js';

const editors = ['admin', 'cc_admin'] as const;

/** Public endpoints: per-address rate limit shared by every instance. */
const publicLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  const s = c.get('services');
  await consumeRateLimit(s.database, s.clock, `track:${clientAddress(c)}`, s.config.tracking.rateLimitPerMinute, 60);
  await next();
};

export function attributionRoutes(corsOrigins: string[]) {
  const r = createRouter();

  r.use(
    '/api/track/*',
    cors({
      origin: corsOrigins.includes('*') ? '*' : corsOrigins,
      allowMethods: ['POST', 'OPTIONS'],
      allowHeaders: ['content-type'],
      maxAge: 600,
    }),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/tracking-numbers',
      tags: ['sources'],
      summary: 'Tracking numbers (static and the dynamic pool)',
      ...secured(staffRoles),
      request: {
        query: PageQuery.extend({
          kind: z.enum(['static', 'pool']).optional(),
          sourceId: z.string().max(40).optional(),
        }),
      },
      responses: { 200: jsonResponse(page(TrackingNumberSchema), 'A page of numbers'), 400: problems[400], 401: problems[401] },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(toPage(await listTrackingNumbers(c.get('services'), q), q.limit), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/tracking-numbers',
      tags: ['sources'],
      summary: 'Add a tracking number',
      description: 'A static number always credits its source; pool numbers are handed to website visitors (dynamic number insertion).',
      ...secured(editors),
      request: { body: jsonBody(CreateTrackingNumberSchema) },
      responses: { 201: jsonResponse(TrackingNumberSchema, 'Added'), 400: problems[400], 401: problems[401], 403: problems[403], 409: problems[409] },
    }),
    async (c) => c.json(await createTrackingNumber(c.get('services'), c.req.valid('json')), 201),
  );

  r.openapi(
    createRoute({
      method: 'patch',
      path: '/api/tracking-numbers/{id}',
      tags: ['sources'],
      summary: 'Change or deactivate a tracking number',
      ...secured(editors),
      request: { params: IdParam('tn'), body: jsonBody(UpdateTrackingNumberSchema) },
      responses: { 200: jsonResponse(TrackingNumberSchema, 'Updated'), 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => c.json(await updateTrackingNumber(c.get('services'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/track/sessions',
      tags: ['tracking (public)'],
      summary: 'Start a website visit and get the number to show',
      description: 'Public, CORS-enabled, rate-limited per address. Reserves a pool number for the visit; keep it with /ping.',
      middleware: publicLimit,
      request: { body: jsonBody(StartSessionSchema) },
      responses: { 201: jsonResponse(TrackSessionSchema, 'The visit and its number'), 400: problems[400], 429: problems[429] },
    }),
    async (c) => c.json(await startSession(c.get('services'), c.req.valid('json')), 201),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/track/sessions/{id}/ping',
      tags: ['tracking (public)'],
      summary: 'Keep a visit (and its number) alive',
      middleware: publicLimit,
      request: { params: IdParam('ts') },
      responses: {
        200: jsonResponse(TrackSessionSchema, 'Extended'),
        400: problems[400],
        410: problems[410],
        429: problems[429],
      },
    }),
    async (c) => c.json(await pingSession(c.get('services'), c.req.valid('param').id), 200),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/track/requests',
      tags: ['tracking (public)'],
      summary: 'A website form: "call me back"',
      description: 'Finds or creates the contact, keeps the visit\'s attribution, and queues a callback task.',
      middleware: publicLimit,
      request: { body: jsonBody(WebRequestSchema) },
      responses: { 201: jsonResponse(WebRequestResultSchema, 'Received'), 400: problems[400], 429: problems[429] },
    }),
    async (c) => c.json(await captureWebRequest(c.get('services'), c.req.valid('json')), 201),
  );

  r.get('/track.js', (c) =>
    c.body(trackScript, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600', 'access-control-allow-origin': '*' }),
  );

  return r;
}
