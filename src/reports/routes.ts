import { createRoute, type z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { secured } from '../auth/middleware.js';
import { createRouter, jsonResponse, problems, type AppEnv } from '../shared/http.js';
import { funnelReport, funnelRoles, trendReport } from './funnel.js';
import { accountManagersReport, hunterHeads, huntersReport, managerHeads, operatorHeads, operatorsReport } from './people.js';
import { branchReaders, refusalReaders, refusalsReport, scriptBranchesReport } from './breakdowns.js';
import { wallboardRoles, wallboardSnapshot } from './wallboard.js';
import { toCsv } from './csv.js';
import { localDay } from './period.js';
import {
  BranchesQuery,
  BranchesSchema,
  FunnelQuery,
  FunnelSchema,
  HuntersSchema,
  ManagersSchema,
  OperatorsSchema,
  PeopleQuery,
  RefusalsQuery,
  RefusalsSchema,
  TrendQuery,
  TrendSchema,
  WallboardSchema,
} from './schemas.js';

const common = { 400: problems[400], 401: problems[401], 403: problems[403] };
const report = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema }, 'text/csv': { schema: { type: 'string' as const } } },
});

function wantsCsv(c: Context<AppEnv>, format: 'json' | 'csv' | undefined) {
  return format === 'csv' || (format === undefined && /\btext\/csv\b/.test(c.req.header('accept') ?? ''));
}


/** The report as JSON, or its rows as a CSV download named after the report and its period. */
function answer<R extends { period: { from: string; to: string; timeZone: string } }>(
  c: Context<AppEnv>,
  format: 'json' | 'csv' | undefined,
  name: string,
  result: R,
  rows: (r: R) => Record<string, unknown>[],
) {
  if (!wantsCsv(c, format)) return c.json(result, 200);
  const p = result.period;
  // The last day is the one the period's exclusive end closes.
  const file = `${name}-${localDay(new Date(p.from), p.timeZone)}-${localDay(new Date(Date.parse(p.to) - 1), p.timeZone)}.csv`;
  return c.body(toCsv(rows(result)), 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${file}"` });
}

export function reportRoutes() {
  const r = createRouter();
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/funnel',
      tags: ['reports'],
      summary: 'The funnel by source, campaign, operator or hunter',
      description:
        'Each stage counts the events of the period (days in the company time zone): calls started, unique callers, target calls, contacts that became ' +
        'leads, meetings booked, meetings held, first sales, and revenue of all deals. Calls count for their own source, campaign and operator; leads, ' +
        "meetings and sales for the contact's first source and the campaign that turned it; meetings for the operator who booked them and the hunter " +
        'who took them; sales for the operator who took the lead and the hunter who brought the client. Operators and hunters see only their own row.',
      ...secured(funnelRoles),
      request: { query: FunnelQuery },
      responses: { 200: report(FunnelSchema, 'The funnel'), ...common },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return answer(c, q.format, `funnel-by-${q.groupBy}`, await funnelReport(c.get('services'), c.get('user'), q), (f) => [...f.rows, f.total]) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/trend',
      tags: ['reports'],
      summary: 'Funnel stages per day',
      ...secured(funnelRoles),
      request: { query: TrendQuery },
      responses: { 200: report(TrendSchema, 'Every day of the period'), ...common },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return answer(c, q.format, 'trend', await trendReport(c.get('services'), c.get('user'), q), (t) => t.days) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/operators',
      tags: ['reports'],
      summary: 'Operators: calls, talk and handle time, time in each state and pause reason, meetings per hour',
      ...secured([...operatorHeads, 'operator']),
      request: { query: PeopleQuery },
      responses: { 200: report(OperatorsSchema, 'One row per operator'), ...common },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return answer(c, q.format, 'operators', await operatorsReport(c.get('services'), c.get('user'), q), (o) =>
        o.rows.map(({ pauseSeconds, ...row }) => ({ ...row, pauseSeconds: Object.fromEntries(pauseSeconds.map((p) => [p.reason || '-', p.seconds])) })),
      ) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/hunters',
      tags: ['reports'],
      summary: 'Hunters: offers answered, time to accept, meetings held, first sales, conversion, commission',
      ...secured([...hunterHeads, 'hunter']),
      request: { query: PeopleQuery },
      responses: { 200: report(HuntersSchema, 'One row per hunter'), ...common },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return answer(c, q.format, 'hunters', await huntersReport(c.get('services'), c.get('user'), q), (h) => h.rows) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/account-managers',
      tags: ['reports'],
      summary: 'Account managers: clients, abandoned clients in the period, payments collected',
      ...secured([...managerHeads, 'account_manager']),
      request: { query: PeopleQuery },
      responses: { 200: report(ManagersSchema, 'One row per account manager'), ...common },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return answer(c, q.format, 'account-managers', await accountManagersReport(c.get('services'), c.get('user'), q), (m) => m.rows) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/refusals',
      tags: ['reports'],
      summary: 'Refusal reasons of "not interested" dispositions',
      ...secured(refusalReaders),
      request: { query: RefusalsQuery },
      responses: { 200: report(RefusalsSchema, 'Reasons, most frequent first'), ...common },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return answer(c, q.format, 'refusals', await refusalsReport(c.get('services'), q), (f) => f.rows) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/script-branches',
      tags: ['reports'],
      summary: "A script's steps and answers: runs through each and how many ended in a meeting",
      ...secured(branchReaders),
      request: { query: BranchesQuery },
      responses: { 200: report(BranchesSchema, 'A row per step, then per answer of it'), ...common, 404: problems[404] },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return answer(c, q.format, 'script-branches', await scriptBranchesReport(c.get('services'), q), (b) => b.rows) as never;
    },
  );
  r.openapi(
    createRoute({
      method: 'get',
      path: '/api/reports/wallboard',
      tags: ['reports'],
      summary: 'The live wallboard now (also pushed as `wallboard:updated` over socket.io)',
      ...secured(wallboardRoles),
      responses: { 200: jsonResponse(WallboardSchema, 'The board'), 401: problems[401], 403: problems[403] },
    }),
    async (c) => c.json(await wallboardSnapshot(c.get('services')), 200),
  );
  return r;
}
