import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import { secured, staffRoles } from '../auth/middleware.js';
import { createRouter, IdParam, jsonBody, jsonResponse, problems } from '../shared/http.js';
import { clientCategoryHistory, contacts } from '../db/schema.js';
import { AppError, notFound } from '../shared/errors.js';
import { CommissionQuery, CommissionRateSchema, commissionReport, dealRoles, listDeals, PaymentSchema, RecordDealSchema, recordDeal, recordPayment, setCommissionRate } from './deals.js';
import { recomputeClients } from './scoring.js';
import {
  CategoryHistorySchema,
  ClientListSchema,
  CommissionRateResultSchema,
  CommissionReportSchema,
  DealListSchema,
  PaidDealSchema,
  ReassignedSchema,
  RecordedDealSchema,
  ScoringSummarySchema,
  TaskDoneSchema,
  TaskSchema,
  WorkloadSchema,
} from './schemas.js';
import { ClientListQuery, completeTask, listClients, listTasks, reassignClient, ReassignSchema, TaskQuery, workload } from './workload.js';

const clientHeads = ['client_head', 'admin'] as const;
const std = { 400: problems[400], 401: problems[401], 403: problems[403] };

export function clientRoutes() {
  const r = createRouter();

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/deals',
      tags: ['clients'],
      summary: 'Record a sale; the first one hands the client to the client department',
      description:
        "The contact's first deal makes it a client (category C, first-deal credit limit and deferral), chooses an account manager " +
        '(present, fewest active clients against the target, then longest since a handoff), records the handoff and creates introduction tasks. ' +
        "Later deals record the bringing hunter's commission. Send `Idempotency-Key` to make retries safe.",
      ...secured(dealRoles),
      request: { body: jsonBody(RecordDealSchema), headers: z.object({ 'idempotency-key': z.string().min(1).max(100).optional() }) },
      responses: { 201: jsonResponse(RecordedDealSchema, 'Recorded'), 200: jsonResponse(RecordedDealSchema, 'Already recorded with this key'), ...std, 409: problems[409] },
    }),
    async (c) => {
      const res = await recordDeal(c.get('services'), c.get('user'), c.req.valid('json'), c.req.valid('header')['idempotency-key']);
      const body = { ...res.deal, handoff: res.handoff };
      return res.created ? c.json(body, 201) : c.json(body, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/contacts/{id}/deals',
      tags: ['clients'],
      summary: "A contact's deals with payments and its handoff",
      ...secured(dealRoles),
      request: { params: IdParam('cnt') },
      responses: { 200: jsonResponse(DealListSchema, 'Deals, newest first'), ...std, 404: problems[404] },
    }),
    async (c) => c.json(await listDeals(c.get('services'), c.get('user'), c.req.valid('param').id), 200),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/deals/{id}/payments',
      tags: ['clients'],
      summary: 'Record a payment against a deal',
      ...secured(['account_manager', 'client_head', 'sales_head', 'admin']),
      request: { params: IdParam('deal'), body: jsonBody(PaymentSchema) },
      responses: { 201: jsonResponse(PaidDealSchema, 'The deal with what is paid and overdue'), ...std, 404: problems[404] },
    }),
    async (c) => c.json(await recordPayment(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json')), 201),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/commissions',
      tags: ['clients'],
      summary: "Hunters' commission on their clients' later deals, per hunter, for a period",
      ...secured(['hunter', 'sales_head', 'client_head', 'admin']),
      request: { query: CommissionQuery },
      responses: { 200: jsonResponse(CommissionReportSchema, 'Per hunter'), ...std },
    }),
    async (c) => c.json(await commissionReport(c.get('services'), c.get('user'), c.req.valid('query')), 200),
  );

  r.openapi(
    createRoute({
      method: 'put',
      path: '/api/users/{id}/commission',
      tags: ['clients'],
      summary: "A hunter's own commission percentage (otherwise HUNTER_COMMISSION_PERCENT)",
      ...secured(['sales_head', 'admin']),
      request: { params: IdParam('usr'), body: jsonBody(CommissionRateSchema) },
      responses: { 200: jsonResponse(CommissionRateResultSchema, 'Saved'), ...std, 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await setCommissionRate(c.get('services'), c.req.valid('param').id, c.req.valid('json').percent), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/clients',
      tags: ['clients'],
      summary: 'Clients with category, risk group, importance, last contact, abandoned flag and open tasks',
      description: 'Account managers see their clients and those of absent colleagues they cover.',
      ...secured(['account_manager', 'client_head', 'admin']),
      request: { query: ClientListQuery },
      responses: { 200: jsonResponse(ClientListSchema, 'Clients'), ...std },
    }),
    async (c) => c.json(await listClients(c.get('services'), c.get('user'), c.req.valid('query')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/clients/workload',
      tags: ['clients'],
      summary: "Each account manager's clients, abandoned clients, cover and the overloaded signal",
      ...secured(clientHeads),
      responses: { 200: jsonResponse(WorkloadSchema, 'Per manager'), 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await workload(c.get('services')), 200),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/clients/recompute',
      tags: ['clients'],
      summary: 'Recompute categories, risk groups, importance and statuses now (also runs on a schedule)',
      ...secured(clientHeads),
      responses: { 200: jsonResponse(ScoringSummarySchema, 'Summary'), 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await recomputeClients(c.get('services')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/clients/{id}/categories',
      tags: ['clients'],
      summary: "History of a client's categories",
      ...secured(['account_manager', 'client_head', 'admin', 'sales_head']),
      request: { params: IdParam('cnt') },
      responses: { 200: jsonResponse(CategoryHistorySchema, 'Newest first'), ...std, 404: problems[404] },
    }),
    async (c) => {
      const s = c.get('services');
      const id = c.req.valid('param').id;
      const [ct] = await s.database.db.select({ am: contacts.accountManagerId }).from(contacts).where(eq(contacts.id, id));
      if (!ct) throw notFound('Client', id);
      if (c.get('user').role === 'account_manager' && ct.am !== c.get('user').id) throw new AppError('forbidden', 'Not your client');
      const rows = await s.database.db.select().from(clientCategoryHistory).where(eq(clientCategoryHistory.contactId, id)).orderBy(desc(clientCategoryHistory.computedAt)).limit(200);
      return c.json({ items: rows.map((h) => ({ ...h, computedAt: h.computedAt.toISOString(), periodStart: h.periodStart.toISOString() })) }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/clients/{id}/reassign',
      tags: ['clients'],
      summary: 'Give a client to another account manager (open tasks follow)',
      ...secured(clientHeads),
      request: { params: IdParam('cnt'), body: jsonBody(ReassignSchema) },
      responses: { 200: jsonResponse(ReassignedSchema, 'Reassigned'), ...std, 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await reassignClient(c.get('services'), c.get('user'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/tasks',
      tags: ['clients'],
      summary: 'My tasks, and those of absent colleagues I cover',
      ...secured(staffRoles),
      request: { query: TaskQuery },
      responses: { 200: jsonResponse(z.array(TaskSchema), 'Soonest due first'), ...std },
    }),
    async (c) => c.json(await listTasks(c.get('services'), c.get('user'), c.req.valid('query')), 200),
  );

  r.openapi(
    createRoute({
      method: 'post',
      path: '/api/tasks/{id}/done',
      tags: ['clients'],
      summary: 'Mark a task done',
      ...secured(staffRoles),
      request: { params: IdParam('task') },
      responses: { 200: jsonResponse(TaskDoneSchema, 'Done'), ...std, 404: problems[404], 409: problems[409] },
    }),
    async (c) => c.json(await completeTask(c.get('services'), c.get('user'), c.req.valid('param').id), 200),
  );

  return r;
}
