import { z } from '@hono/zod-openapi';
import { PeriodQuery } from './period.js';
import { groupings, stages } from './funnel.js';
import { operatorStatuses } from './people.js';
import { allUserStatuses } from '../db/schema.js';

export const Format = z.enum(['json', 'csv']).optional().openapi({ description: '`csv` for the same rows as a CSV file (or send `Accept: text/csv`)' });
const Id = z.string().max(64).regex(/^[a-z]+_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id such as src_01J…');

export const FunnelQuery = PeriodQuery.extend({
  groupBy: z.enum(groupings).default('source'),
  format: Format,
});
export const TrendQuery = PeriodQuery.extend({
  groupBy: z.enum(groupings).optional(),
  key: z.union([Id, z.literal('')]).optional().openapi({ description: 'One group of `groupBy` (empty: events with no group)' }),
  format: Format,
});
export const PeopleQuery = PeriodQuery.extend({ format: Format });
export const RefusalsQuery = PeriodQuery.extend({ campaignId: Id.optional(), format: Format });
export const BranchesQuery = PeriodQuery.extend({
  scriptId: z.string().regex(/^scr_[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a scr_… id'),
  version: z.coerce.number().int().min(1).max(1_000_000).optional(),
  format: Format,
});

const PeriodSchema = z.object({ from: z.string(), to: z.string(), timeZone: z.string() });
const int = z.number().int();
const rate = z.number().nullable();
const money = z.number().int().nullable();

const Counts = {
  calls: int,
  uniqueCallers: int,
  targetCalls: int,
  newLeads: int,
  meetingsBooked: int,
  meetingsHeld: int,
  firstSales: int,
  revenueMinor: int,
};

const FunnelRow = z
  .object({
    key: z.string().nullable().openapi({ description: 'The source, campaign or user id; null for events with none' }),
    label: z.string(),
    ...Counts,
    costMinor: money.openapi({ description: "The source's monthly cost prorated to the period (groupBy=source)" }),
    costCurrency: z.string().nullable(),
    costPerLeadMinor: money,
    costPerMeetingMinor: money,
    costPerFirstSaleMinor: money,
    conversion: z.record(z.string(), rate).openapi({ description: 'For each pair of stages a_b (a before b): b / a, null when a is 0' }),
  })
  .openapi('FunnelRow');

export const FunnelSchema = z
  .object({
    period: PeriodSchema,
    groupBy: z.enum(groupings),
    currency: z.string(),
    stages: z.array(z.enum(stages)),
    rows: z.array(FunnelRow),
    total: FunnelRow,
  })
  .openapi('Funnel');

export const TrendSchema = z
  .object({
    period: PeriodSchema,
    groupBy: z.enum(groupings),
    key: z.string().nullable(),
    currency: z.string(),
    days: z.array(z.object({ date: z.string(), calls: int, targetCalls: int, newLeads: int, meetingsBooked: int, meetingsHeld: int, firstSales: int, revenueMinor: int })),
  })
  .openapi('FunnelTrend');

export const OperatorsSchema = z
  .object({
    period: PeriodSchema,
    rows: z.array(
      z.object({
        userId: z.string(),
        name: z.string(),
        callsHandled: int,
        callsMade: int,
        talkSeconds: int,
        avgHandleSeconds: int.nullable().openapi({ description: '(talk + wrap-up) / calls answered' }),
        statusSeconds: z.object(Object.fromEntries(operatorStatuses.map((st) => [st, int])) as Record<(typeof operatorStatuses)[number], typeof int>),
        loggedInSeconds: int,
        pauseSeconds: z.array(z.object({ reason: z.string(), seconds: int })),
        meetingsBooked: int,
        meetingsPerHour: rate,
      }),
    ),
  })
  .openapi('OperatorsReport');

export const HuntersSchema = z
  .object({
    period: PeriodSchema,
    currency: z.string(),
    rows: z.array(
      z.object({
        userId: z.string(),
        name: z.string(),
        offers: int,
        accepted: int,
        declined: int,
        expired: int,
        avgSecondsToAccept: int.nullable(),
        meetingsHeld: int,
        firstSales: int,
        conversion: rate.openapi({ description: 'First sales / meetings held' }),
        revenueMinor: int,
        commissionMinor: int,
      }),
    ),
  })
  .openapi('HuntersReport');

export const ManagersSchema = z
  .object({
    period: PeriodSchema,
    currency: z.string(),
    rows: z.array(z.object({ userId: z.string(), name: z.string(), clients: int, abandoned: int, payments: int, collectedMinor: int })),
  })
  .openapi('AccountManagersReport');

export const RefusalsSchema = z
  .object({
    period: PeriodSchema,
    campaignId: z.string().nullable(),
    total: int,
    rows: z.array(z.object({ reason: z.string(), count: int, share: z.number() })),
  })
  .openapi('RefusalsReport');

export const BranchesSchema = z
  .object({
    period: PeriodSchema,
    scriptId: z.string(),
    version: int,
    runs: int,
    meetings: int,
    rows: z.array(
      z.object({ stepId: z.string(), stepTitle: z.string(), optionId: z.string().nullable(), optionLabel: z.string().nullable(), passed: int, meetings: int, conversion: rate }),
    ),
  })
  .openapi('ScriptBranchesReport');

const Person = { id: z.string(), name: z.string(), status: z.enum(allUserStatuses), reason: z.string().nullable(), since: z.string(), connected: z.boolean() };
export const WallboardSchema = z
  .object({
    at: z.string(),
    timeZone: z.string(),
    serviceLevelSeconds: int,
    operators: z.array(z.object(Person)),
    queue: z.object({ waiting: int, longestWaitSeconds: int, oldestQueuedAt: z.string().nullable() }),
    today: z.object({
      inbound: int,
      answered: int,
      answeredWithinSl: int,
      serviceLevel: rate.openapi({ description: 'Callers answered within serviceLevelSeconds / callers who reached the queue and left it' }),
      abandoned: int,
      abandonedRate: rate,
      outbound: int,
      meetingsBooked: int,
    }),
    hunters: z.array(z.object({ ...Person, openOffers: int })),
    openOffers: int,
  })
  .openapi('Wallboard');
