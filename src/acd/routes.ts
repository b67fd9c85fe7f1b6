import { createRoute, z } from '@hono/zod-openapi';
import { secured } from '../auth/middleware.js';
import { createRouter, IdParam, jsonBody, jsonResponse, page, problems } from '../shared/http.js';
import { CallbackListQuery, CallbackSchema, cancelCallback, CancelCallbackSchema, claimNextCallback, listCallbacks } from '../callbacks/service.js';
import { callOut, CallOutSchema, listenToCall, myPhone, MyPhoneSchema, pbxOfCall } from './outbound.js';
import { forwardToHolder } from '../telephony/forward.js';
import { staffRoles } from '../auth/middleware.js';
import { queueNow } from './store.js';

/** Who takes and makes calls from the panel. */
const onThePhones = ['operator', 'hunter', 'account_manager', 'cc_admin'] as const;
const callbackRoles = ['admin', 'cc_admin', 'operator'] as const;

const QueueEntrySchema = z
  .object({
    callId: z.string(),
    position: z.number().int(),
    from: z.string().nullable(),
    did: z.string().nullable(),
    contact: z.object({ id: z.string(), name: z.string() }).nullable(),
    source: z.string().nullable(),
    ownerId: z.string().nullable().openapi({ description: 'The account manager or hunter the caller belongs to, rung first' }),
    waitingSince: z.string(),
    waitSeconds: z.number().int(),
    ringing: z.array(z.object({ userId: z.string(), name: z.string() })),
  })
  .openapi('QueueEntry');

const CallOutResultSchema = z
  .object({
    channelId: z.string(),
    to: z.string(),
    callbackId: z.string().nullable(),
    status: z.literal('ringing_your_phone'),
  })
  .openapi('CallOutResult');

export function acdRoutes() {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/acd/queue',
      tags: ['calls'],
      summary: 'Callers waiting now',
      description: 'In the order they are served, with their wait and whose phone is ringing for them.',
      ...secured(['admin', 'cc_admin', 'operator']),
      responses: { 200: jsonResponse(z.object({ items: z.array(QueueEntrySchema) }), 'The queue'), 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json({ items: await queueNow(c.get('services')) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/calls/originate',
      tags: ['calls'],
      summary: 'Click-to-call',
      description:
        'Rings your own phone (softphone or desk phone, by your extension); when you pick up, the PBX dials the number ' +
        'through the trunk with the company caller id. With `callbackId`, the call is for that callback task: it closes ' +
        'the task when the client answers, and is credited to the source the task came from.',
      ...secured(onThePhones),
      request: { body: jsonBody(CallOutSchema) },
      responses: {
        202: jsonResponse(CallOutResultSchema, 'Your phone is ringing'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        409: problems[409],
        503: problems[503],
      },
    }),
    async (c) => {
      const input = c.req.valid('json');
      return ((await forwardToHolder(c, undefined, input)) ?? c.json(await callOut(c.get('services'), c.get('user'), input), 202)) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/calls/{id}/listen',
      tags: ['calls'],
      summary: 'Listen to a call in progress',
      description: 'Rings your phone; when you pick up you hear both the caller and the operator, and nobody hears you.',
      ...secured(['admin', 'cc_admin']),
      request: { params: IdParam('call') },
      responses: {
        202: jsonResponse(z.object({ channelId: z.string(), callId: z.string(), status: z.literal('ringing_your_phone') }), 'Your phone is ringing'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        409: problems[409],
        503: problems[503],
      },
    }),
    async (c) => {
      const s = c.get('services');
      const { id } = c.req.valid('param');
      return ((await forwardToHolder(c, await pbxOfCall(s, id))) ?? c.json(await listenToCall(s, c.get('user'), id), 202)) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/callbacks',
      tags: ['calls'],
      summary: 'Callback tasks',
      description: 'Open tasks oldest first (served first in, first out) with their age against the SLA; closed ones newest first.',
      ...secured(callbackRoles),
      request: { query: CallbackListQuery },
      responses: { 200: jsonResponse(page(CallbackSchema), 'A page of tasks'), 400: problems[400], 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await listCallbacks(c.get('services'), c.req.valid('query')), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/callbacks/next',
      tags: ['calls'],
      summary: 'Take the next callback task',
      description: 'The oldest open task nobody holds, held for you for CALLBACK_CLAIM_MINUTES; your own unfinished one first.',
      ...secured(['operator', 'cc_admin']),
      responses: {
        200: jsonResponse(z.object({ task: CallbackSchema.nullable() }), 'The task, or null when none is waiting'),
        401: problems[401],
        403: problems[403],
      },
    }),
    async (c) => c.json({ task: await claimNextCallback(c.get('services'), c.get('user')) }, 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/callbacks/{id}/cancel',
      tags: ['calls'],
      summary: 'Close a callback task without a call',
      ...secured(callbackRoles),
      request: { params: IdParam('cb'), body: jsonBody(CancelCallbackSchema) },
      responses: {
        200: jsonResponse(CallbackSchema, 'The closed task'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        409: problems[409],
      },
    }),
    async (c) => c.json(await cancelCallback(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json').note), 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/me/phone',
      tags: ['calls'],
      summary: 'My phone',
      description: 'Your extension and device; for the browser softphone, the SIP registration your panel uses. Never cached.',
      ...secured(staffRoles),
      responses: { 200: jsonResponse(MyPhoneSchema, 'Your phone'), 401: problems[401] },
    }),
    async (c) => {
      c.header('cache-control', 'no-store');
      return c.json(await myPhone(c.get('services'), c.get('user')), 200);
    },
  );
  return r;
}
