import { z } from '@hono/zod-openapi';

const iso = z.string().openapi({ format: 'date-time' });

export const HandoffSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    dealId: z.string(),
    fromHunterId: z.string().nullable(),
    toAccountManagerId: z.string().nullable().openapi({ description: 'null when no account manager was present; the client head gets a task' }),
    at: iso,
    reason: z.unknown().openapi({ description: 'The rule and every candidate: eligible, reason, active clients, load, last handoff' }),
  })
  .openapi('Handoff');

export const DealSchema = z
  .object({
    id: z.string(),
    contactId: z.string(),
    amountMinor: z.number().int(),
    currency: z.string(),
    dealDate: iso,
    dueAt: iso,
    items: z.array(z.unknown()),
    notes: z.string().nullable(),
    isFirst: z.boolean(),
    commission: z.object({ hunterId: z.string(), percent: z.number().nullable(), amountMinor: z.number().nullable() }).nullable(),
    paidMinor: z.number(),
    createdBy: z.string(),
  })
  .openapi('Deal');

export const RecordedDealSchema = DealSchema.extend({ handoff: HandoffSchema.nullable() }).openapi('RecordedDeal');
export const DealListSchema = z.object({ items: z.array(DealSchema), handoff: HandoffSchema.nullable() }).openapi('DealList');
export const PaidDealSchema = DealSchema.extend({ overdueDays: z.number().int(), settledAt: iso.nullable() }).openapi('PaidDeal');

export const CommissionReportSchema = z
  .object({
    from: iso,
    to: iso,
    items: z.array(z.object({ hunterId: z.string(), name: z.string(), deals: z.number().int(), salesMinor: z.number(), commissionMinor: z.number(), currency: z.string() })),
  })
  .openapi('CommissionReport');

export const ClientRowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    company: z.string().nullable(),
    accountManagerId: z.string().nullable(),
    hunterId: z.string().nullable(),
    category: z.enum(['A', 'B', 'C']).nullable(),
    riskGroup: z.number().int().nullable(),
    importance: z.enum(['key', 'middle', 'small']).nullable(),
    clientSince: iso.nullable(),
    lastContactAt: iso.nullable(),
    daysSinceContact: z.number().int().nullable(),
    abandoned: z.boolean(),
    openTasks: z.number().int(),
    covering: z.boolean().openapi({ description: "An absent colleague's client this account manager covers" }),
  })
  .openapi('ClientRow');
export const ClientListSchema = z.object({ total: z.number().int(), items: z.array(ClientRowSchema) }).openapi('ClientList');

export const WorkloadSchema = z
  .object({
    computedAt: iso,
    abandonedAfterDays: z.number().int(),
    targetClients: z.number().int(),
    managers: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        clients: z.number().int(),
        abandoned: z.number().int(),
        loadVsTarget: z.number(),
        overloaded: z.boolean().openapi({ description: 'Abandoned clients persisted over the last recomputations, or more clients than the target' }),
        coveredBy: z.string().nullable(),
      }),
    ),
  })
  .openapi('Workload');

export const ScoringSummarySchema = z
  .object({ computedAt: iso, clients: z.number().int(), changed: z.number().int(), debtTasks: z.number().int(), skipped: z.string().optional() })
  .openapi('ScoringSummary');

export const CategoryHistorySchema = z
  .object({
    items: z.array(
      z.object({
        id: z.number(),
        contactId: z.string(),
        computedAt: iso,
        periodStart: iso,
        turnoverMinor: z.number(),
        category: z.string(),
        riskGroup: z.number().int(),
        violations: z.number().int(),
        maxOverdueDays: z.number().int(),
        importance: z.string(),
        status: z.string(),
      }),
    ),
  })
  .openapi('CategoryHistory');

export const ReassignedSchema = z
  .object({ contactId: z.string(), from: z.string().nullable(), to: z.string(), by: z.string(), reason: z.string() })
  .openapi('ClientReassigned');

export const TaskSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['introduction', 'debt_due', 'debt_overdue', 'assign_manager']),
    title: z.string(),
    contact: z.object({ id: z.string(), name: z.string() }),
    assigneeId: z.string().nullable(),
    covering: z.boolean(),
    dealId: z.string().nullable(),
    dueAt: iso.nullable(),
    status: z.enum(['open', 'done', 'cancelled']),
    createdAt: iso,
  })
  .openapi('Task');

export const CommissionRateResultSchema = z.object({ userId: z.string(), percent: z.number() }).openapi('CommissionRateSaved');
export const TaskDoneSchema = z.object({ id: z.string(), status: z.literal('done') });
