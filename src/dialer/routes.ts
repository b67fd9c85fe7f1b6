import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import { secured } from '../auth/middleware.js';
import { createRouter, IdParam, jsonBody, jsonResponse, page, problems } from '../shared/http.js';
import {
  addDnc,
  campaignAdmins,
  CampaignInput,
  CampaignListQuery,
  CampaignPatch,
  CampaignSchema,
  createCampaign,
  DncInput,
  DncListQuery,
  DncSchema,
  getCampaign,
  listCampaigns,
  listDnc,
  refusalReasonList,
  removeDnc,
  updateCampaign,
} from './campaigns.js';
import { getImport, ImportJobSchema, importList, ImportQuery, rejectsCsv } from './import.js';
import { NextSchema, nextEntry, releaseEntry } from './allocate.js';
import { EntrySchema, entryCard } from './cards.js';
import { DispositionInput, recordDisposition } from './dispositions.js';

const CampaignId = IdParam('cmp');
const EntryId = IdParam('de');
const campaignReaders = ['admin', 'cc_admin', 'operator'] as const;

/** The path of the CSV upload, which streams past the JSON body limit (it has its own). */
export const importPath = /^\/api\/campaigns\/[^/]+\/lists$/;

export function dialerRoutes() {
  const r = createRouter();
  r.route('/', refusalReasonList.routes());

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/campaigns',
      tags: ['dialer'],
      summary: 'Campaigns',
      description: 'Operators see the campaigns they work.',
      ...secured(campaignReaders),
      request: { query: CampaignListQuery },
      responses: { 200: jsonResponse(page(CampaignSchema), 'A page of campaigns'), 400: problems[400], 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await listCampaigns(c.get('services'), c.get('user'), c.req.valid('query')), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/campaigns',
      tags: ['dialer'],
      summary: 'Create a campaign',
      ...secured(campaignAdmins),
      request: { body: jsonBody(CampaignInput) },
      responses: { 201: jsonResponse(CampaignSchema, 'Created'), 400: problems[400], 401: problems[401], 403: problems[403], 409: problems[409] },
    }),
    async (c) => c.json(await createCampaign(c.get('services'), c.get('user'), c.req.valid('json')), 201),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/campaigns/{id}',
      tags: ['dialer'],
      summary: 'One campaign with its lists, operators and entry counts',
      ...secured(campaignReaders),
      request: { params: CampaignId },
      responses: { 200: jsonResponse(CampaignSchema, 'The campaign'), 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => c.json(await getCampaign(c.get('services'), c.get('user'), c.req.valid('param').id), 200),
  );
  r.openapi(
    createRoute({
      method: 'patch',
      path: '/api/campaigns/{id}',
      tags: ['dialer'],
      summary: 'Change, activate or pause a campaign',
      ...secured(campaignAdmins),
      request: { params: CampaignId, body: jsonBody(CampaignPatch) },
      responses: { 200: jsonResponse(CampaignSchema, 'Saved'), 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await updateCampaign(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json')), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/campaigns/{id}/lists',
      tags: ['dialer'],
      summary: 'Import a dial list from CSV',
      description:
        'The body is the CSV file itself (streamed; UTF-8 or Windows-1251, "," or ";" separated, quoted fields, a header row). ' +
        '`mapping` says which columns hold what. Phones are normalised to E.164; duplicates (in the file and the campaign), ' +
        'do-not-call numbers and contacts that are clients or owned by someone are set aside, each with its line and reason. ' +
        'Answers once the file is read; the rows are saved in the background (`import:progress` over socket.io, GET /api/imports/{id}).',
      ...secured(campaignAdmins),
      request: {
        params: CampaignId,
        query: ImportQuery,
        body: { required: true, content: { 'text/csv': { schema: { type: 'string', format: 'binary' } } } },
      },
      responses: {
        202: jsonResponse(ImportJobSchema, 'Read; saving'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        413: problems[413],
      },
    }),
    async (c) => {
      const job = await importList(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('query'), c.req.raw.body);
      return c.json(job, 202);
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/imports/{id}',
      tags: ['dialer'],
      summary: 'An import: status, counts and rejected rows',
      description: 'Rejected rows come 100 at a time with their line numbers (`rejectsCursor` for the next page); all of them as CSV at `rejectsUrl`.',
      ...secured(campaignAdmins),
      request: { params: IdParam('imp'), query: z.object({ cursor: z.coerce.number().int().min(0).optional() }) },
      responses: { 200: jsonResponse(ImportJobSchema, 'The import'), 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => c.json(await getImport(c.get('services'), c.req.valid('param').id, c.req.valid('query').cursor), 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/imports/{id}/rejects.csv',
      tags: ['dialer'],
      summary: 'Every rejected row of an import as CSV (line, kind, reason)',
      ...secured(campaignAdmins),
      request: { params: IdParam('imp') },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => {
      const s = c.get('services');
      const { id } = c.req.valid('param');
      const gen = rejectsCsv(s, id);
      const first = await gen.next(); // 404 before any byte is sent
      const body = Readable.toWeb(
        Readable.from(
          (async function* () {
            if (!first.done) yield first.value;
            yield* gen;
          })(),
        ),
      ) as ReadableStream;
      return new Response(body, {
        status: 200,
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="import-${id}-rejects.csv"` },
      }) as never;
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/dnc',
      tags: ['dialer'],
      summary: 'The do-not-call list',
      ...secured(campaignAdmins),
      request: { query: DncListQuery },
      responses: { 200: jsonResponse(page(DncSchema), 'A page of numbers'), 400: problems[400], 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await listDnc(c.get('services'), c.req.valid('query')), 200),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/dnc',
      tags: ['dialer'],
      summary: 'Add a number to the do-not-call list',
      description: 'Idempotent. The dialer stops offering the number at once.',
      ...secured(campaignAdmins),
      request: { body: jsonBody(DncInput) },
      responses: { 201: jsonResponse(DncSchema, 'Listed'), 400: problems[400], 401: problems[401], 403: problems[403] },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await addDnc(c.get('services'), c.get('user'), body.phone, body.reason ?? null), 201);
    },
  );
  r.openapi(
    createRoute({
      method: 'delete',
      path: '/api/dnc/{phone}',
      tags: ['dialer'],
      summary: 'Take a number off the do-not-call list',
      ...secured(campaignAdmins),
      request: { params: z.object({ phone: z.string().min(3).max(32).openapi({ param: { name: 'phone', in: 'path' }, example: '+74951234567' }) }) },
      responses: { 204: { description: 'Removed' }, 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => {
      await removeDnc(c.get('services'), c.req.valid('param').phone);
      return c.body(null, 204);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/dialer/next',
      tags: ['dialer'],
      summary: 'The next contact to call',
      description:
        'The next due entry of your active campaigns, held for you (DIALER_LOCK_MINUTES): your personal callbacks first, then by ' +
        'campaign priority and due time, within calling windows in the contact\'s time zone, never a do-not-call number, never ' +
        'an entry another operator holds. An entry you hold already comes back (`held: true`) until you record its disposition.',
      ...secured(['operator']),
      responses: { 200: jsonResponse(NextSchema, 'The entry, or null when nothing is due'), 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await nextEntry(c.get('services'), c.get('user')), 200),
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/dialer/entries/{id}',
      tags: ['dialer'],
      summary: 'One dial-list entry with its contact and past dispositions',
      ...secured(campaignReaders),
      request: { params: EntryId },
      responses: { 200: jsonResponse(EntrySchema, 'The entry'), 400: problems[400], 401: problems[401], 403: problems[403], 404: problems[404] },
    }),
    async (c) => {
      const entry = await entryCard(c.get('services'), c.req.valid('param').id);
      const user = c.get('user');
      if (user.role === 'operator') await getCampaign(c.get('services'), user, entry.campaign.id); // 403 unless theirs
      return c.json(entry, 200);
    },
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/dialer/entries/{id}/disposition',
      tags: ['dialer'],
      summary: 'Record how the call ended',
      description:
        'Required after every call of an entry. no_answer / busy / voicemail: tried again after the campaign\'s retry time, ' +
        'until its attempt limit; callback: back to you at `callbackAt`; not_interested (with a refusal reason), wrong_number, ' +
        'do_not_call (adds the number to the do-not-call list) and meeting_booked (books the meeting, routed to a hunter) finish the entry.',
      ...secured(['operator']),
      request: { params: EntryId, body: jsonBody(DispositionInput) },
      responses: {
        201: jsonResponse(z.object({ id: z.string(), entry: EntrySchema, meetingId: z.string().nullable() }), 'Recorded'),
        400: problems[400],
        401: problems[401],
        403: problems[403],
        404: problems[404],
        409: problems[409],
      },
    }),
    async (c) => c.json(await recordDisposition(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json')), 201),
  );
  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/dialer/entries/{id}/release',
      tags: ['dialer'],
      summary: 'Hand an entry back without calling',
      ...secured(['operator']),
      request: { params: EntryId },
      responses: { 204: { description: 'Released' }, 400: problems[400], 401: problems[401], 403: problems[403], 409: problems[409] },
    }),
    async (c) => {
      await releaseEntry(c.get('services'), c.get('user'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
  return r;
}
