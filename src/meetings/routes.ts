import { createRoute, z } from '@hono/zod-openapi';
import { secured } from '../auth/middleware.js';
import { createRouter, IdParam, jsonBody, jsonResponse, page, problems } from '../shared/http.js';
import { MeetingSchema } from './cards.js';
import { answerOffer, assignManually, openOffersOf } from './routing.js';
import {
  BookMeetingSchema,
  DeclineSchema,
  bookMeeting,
  bookerRoles,
  distribution,
  DistributionQuery,
  getHunterRouting,
  getMeeting,
  headRoles,
  HunterRoutingSchema,
  listMeetings,
  MeetingListQuery,
  OutcomeSchema,
  outcomeReport,
  recordOutcome,
  routingLog,
  setHunterRouting,
} from './service.js';

const readers = ['admin', 'sales_head', 'hunter', 'cc_admin', 'operator'] as const;
const MeetingId = IdParam('mtg');
const OfferId = IdParam('ofr');
const OfferSchema = z.object({ offerId: z.string(), how: z.enum(['sticky', 'pool']), expiresAt: z.string(), meeting: MeetingSchema }).openapi('MeetingOffer');
const ManualAssignSchema = z.object({ hunterId: z.string().min(1).max(40), reason: z.string().trim().min(1).max(300) }).strict().openapi('ManualAssign');
const RoutingLogSchema = z
  .object({
    meetingId: z.string(),
    decisions: z.array(z.object({ at: z.string(), kind: z.string(), hunterId: z.string().nullable(), actorId: z.string().nullable(), detail: z.unknown() })),
    offers: z.array(
      z.object({
        id: z.string(),
        hunterId: z.string(),
        how: z.string(),
        offeredAt: z.string(),
        expiresAt: z.string(),
        status: z.string(),
        declineReason: z.string().nullable(),
        respondedAt: z.string().nullable(),
      }),
    ),
  })
  .openapi('RoutingLog');
const DistributionSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    total: z.number().int(),
    hunters: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        active: z.boolean(),
        weight: z.number(),
        assigned: z.number().int(),
        share: z.number(),
        targetShare: z.number(),
        offers: z.object({ accepted: z.number().int(), declined: z.number().int(), expired: z.number().int() }),
        avgSecondsToAccept: z.number().nullable(),
      }),
    ),
  })
  .openapi('RoutingDistribution');
const OutcomeRow = z.object({ id: z.string().nullable(), name: z.string().nullable(), total: z.number().int(), byStatus: z.record(z.string(), z.number()), noShowRate: z.number(), cancelRate: z.number() });
const HunterRoutingDto = z.object({ userId: z.string(), weight: z.number(), dailyCap: z.number().nullable(), weeklyCap: z.number().nullable() });

export function meetingRoutes() {
  const r = createRouter();
  const std = { 400: problems[400], 401: problems[401], 403: problems[403] };

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/meetings',
      tags: ['meetings'],
      summary: 'Book a meeting; it is routed to a hunter at once',
      description:
        'Offered first to the hunter who already holds the prospect (or its company), else to the eligible hunter with the lowest assigned/weight. ' +
        'Send `Idempotency-Key` to make retries safe: the same key returns the first booking (200).',
      ...secured(bookerRoles),
      request: { body: jsonBody(BookMeetingSchema), headers: z.object({ 'idempotency-key': z.string().min(1).max(100).optional() }) },
      responses: { 201: jsonResponse(MeetingSchema, 'Booked and routed'), 200: jsonResponse(MeetingSchema, 'Already booked with this key'), ...std, 409: problems[409] },
    }),
    async (c) => {
      const { meeting, created } = await bookMeeting(c.get('services'), c.get('user'), c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      return created ? c.json(meeting, 201) : c.json(meeting, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/meetings',
      tags: ['meetings'],
      summary: 'Meetings, newest bookings first',
      description: 'Hunters see theirs, operators those they booked, heads and admins all.',
      ...secured(readers),
      request: { query: MeetingListQuery },
      responses: { 200: jsonResponse(page(MeetingSchema), 'A page of meetings'), ...std },
    }),
    async (c) => c.json(await listMeetings(c.get('services'), c.get('user'), c.req.valid('query')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/meetings/offers',
      tags: ['meetings'],
      summary: "The hunter's open offers",
      ...secured(['hunter']),
      responses: { 200: jsonResponse(z.array(OfferSchema), 'Open offers, soonest deadline first'), 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await openOffersOf(c.get('services'), c.get('user').id), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/meetings/distribution',
      tags: ['meetings'],
      summary: 'Assignments per hunter against their target share',
      ...secured(headRoles),
      request: { query: DistributionQuery },
      responses: { 200: jsonResponse(DistributionSchema, 'Per hunter'), ...std },
    }),
    async (c) => c.json(await distribution(c.get('services'), c.req.valid('query')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/meetings/outcomes',
      tags: ['meetings'],
      summary: 'Outcomes (no-shows, cancellations, …) per source and per booking operator',
      ...secured([...headRoles, 'cc_admin']),
      request: { query: DistributionQuery },
      responses: { 200: jsonResponse(z.object({ from: z.string(), to: z.string(), bySource: z.array(OutcomeRow), byOperator: z.array(OutcomeRow) }), 'Counts and rates'), ...std },
    }),
    async (c) => c.json(await outcomeReport(c.get('services'), c.req.valid('query')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/meetings/{id}',
      tags: ['meetings'],
      summary: 'One meeting',
      ...secured(readers),
      request: { params: MeetingId },
      responses: { 200: jsonResponse(MeetingSchema, 'The meeting'), ...std, 404: problems[404] },
    }),
    async (c) => c.json(await getMeeting(c.get('services'), c.get('user'), c.req.valid('param').id), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/meetings/{id}/routing',
      tags: ['meetings'],
      summary: 'Why the meeting went where it went',
      description: 'Each decision with every hunter considered (eligible or not and why, counts, weight, load), who was chosen, and each offer with its outcome.',
      ...secured([...headRoles, 'cc_admin']),
      request: { params: MeetingId },
      responses: { 200: jsonResponse(RoutingLogSchema, 'Decision log, oldest first'), ...std, 404: problems[404] },
    }),
    async (c) => c.json(await routingLog(c.get('services'), c.req.valid('param').id), 200),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/meetings/{id}/assign',
      tags: ['meetings'],
      summary: 'Assign or reassign by hand (withdraws an open offer)',
      ...secured(headRoles),
      request: { params: MeetingId, body: jsonBody(ManualAssignSchema) },
      responses: { 200: jsonResponse(MeetingSchema, 'Assigned'), ...std, 404: problems[404], 409: problems[409] },
    }),
    async (c) => {
      const s = c.get('services');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      await assignManually(s, c.get('user'), id, body.hunterId, body.reason);
      return c.json(await getMeeting(s, c.get('user'), id), 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/meetings/{id}/outcome',
      tags: ['meetings'],
      summary: 'Record held, no-show, rescheduled, lost, won or cancelled',
      ...secured(['hunter', ...headRoles]),
      request: { params: MeetingId, body: jsonBody(OutcomeSchema) },
      responses: { 200: jsonResponse(MeetingSchema, 'Updated'), ...std, 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await recordOutcome(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  for (const answer of ['accept', 'decline'] as const) {
    r.openapi(
      createRoute({
        method: 'post',
        path: `/api/meetings/offers/{id}/${answer}`,
        tags: ['meetings'],
        summary: answer === 'accept' ? 'Accept an offer (the meeting becomes yours)' : 'Decline an offer with a reason (it goes to the next hunter)',
        ...secured(['hunter']),
        request: { params: OfferId, ...(answer === 'decline' ? { body: jsonBody(DeclineSchema) } : {}) },
        responses: {
          200: jsonResponse(z.object({ offerId: z.string(), status: z.enum(['accepted', 'declined']) }), 'Answered'),
          ...std,
          404: problems[404],
          409: problems[409],
          410: problems[410],
        },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const reason = answer === 'decline' ? (c.req.valid('json' as never) as { reason: string }).reason : '';
        await answerOffer(c.get('services'), c.get('user'), id, answer === 'accept' ? { accept: true } : { accept: false, reason });
        return c.json({ offerId: id, status: answer === 'accept' ? ('accepted' as const) : ('declined' as const) }, 200);
      },
    );
  }

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/users/{id}/routing',
      tags: ['meetings'],
      summary: "A hunter's routing weight and caps",
      ...secured(headRoles),
      request: { params: IdParam('usr') },
      responses: { 200: jsonResponse(HunterRoutingDto, 'Settings'), ...std, 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await getHunterRouting(c.get('services'), c.req.valid('param').id), 200),
  );

  r.openapi(
    createRoute({
      method: 'put',
      path: '/api/users/{id}/routing',
      tags: ['meetings'],
      summary: "Set a hunter's routing weight and daily/weekly caps",
      ...secured(headRoles),
      request: { params: IdParam('usr'), body: jsonBody(HunterRoutingSchema) },
      responses: { 200: jsonResponse(HunterRoutingDto, 'Saved'), ...std, 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await setHunterRouting(c.get('services'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  return r;
}
