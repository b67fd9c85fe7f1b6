/**
 * Deals. A contact's first deal makes it a client and hands it to the client department in the same
 * transaction (once, even under concurrent requests); later deals earn the hunter who brought the
 * client their commission.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { commissionRates, contacts, deals, handoffs, payments, tasks, users } from '../db/schema.js';
import type { Services } from '../services.js';
import { rowsOf } from '../db/client.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, fieldError, isUniqueViolation, notFound } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import { chooseManager, debtState } from './policy.js';

const HANDOFF_LOCK = 727007;
const DAY = 86_400_000;

export const RecordDealSchema = z
  .object({
    contactId: z.string().min(1).max(40),
    amountMinor: z.number().int().positive().max(1e13).openapi({ description: 'Amount in minor units (kopecks, cents)' }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217, e.g. RUB').optional(),
    dealDate: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Defaults to now' }),
    items: z.array(z.object({ name: z.string().trim().min(1).max(200), quantity: z.number().positive().max(1e6), priceMinor: z.number().int().min(0) }).strict()).max(200).optional(),
    notes: z.string().trim().max(2000).optional(),
  })
  .strict()
  .openapi('RecordDeal');

export const PaymentSchema = z
  .object({
    amountMinor: z.number().int().positive().max(1e13),
    paidAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi('RecordPayment');

export const dealRoles = ['hunter', 'account_manager', 'admin', 'sales_head', 'client_head'] as const;

export function toDealDto(d: typeof deals.$inferSelect, paid = 0) {
  return {
    id: d.id,
    contactId: d.contactId,
    amountMinor: d.amountMinor,
    currency: d.currency,
    dealDate: d.dealDate.toISOString(),
    dueAt: d.dueAt.toISOString(),
    items: (d.items as unknown[] | null) ?? [],
    notes: d.notes,
    isFirst: d.isFirst,
    commission: d.commissionHunterId ? { hunterId: d.commissionHunterId, percent: d.commissionPercent, amountMinor: d.commissionMinor } : null,
    paidMinor: paid,
    createdBy: d.createdBy,
  };
}

/** Hunters record sales for prospects they hold, account managers for their clients; heads and admins for any. */
function mayRecord(actor: AuthUser, c: typeof contacts.$inferSelect) {
  // A hunter sells to prospects only; once a client (active or lost) it belongs to the client department.
  if (actor.role === 'hunter') return c.hunterId === actor.id && (c.status === 'new' || c.status === 'potential');
  if (actor.role === 'account_manager') return c.accountManagerId === actor.id;
  return actor.role === 'admin' || actor.role === 'sales_head' || actor.role === 'client_head';
}

/** Records a deal; the contact's first makes it a client and hands it over. A repeated key returns the first. */
export async function recordDeal(s: Services, actor: AuthUser, input: z.infer<typeof RecordDealSchema>, idempotencyKey?: string) {
  if (idempotencyKey) {
    const [prior] = await s.database.db.select().from(deals).where(and(eq(deals.createdBy, actor.id), eq(deals.idempotencyKey, idempotencyKey)));
    if (prior) return { deal: toDealDto(prior), created: false, handoff: await handoffOf(s, prior.contactId) };
  }
  const now = s.clock.now();
  const dealDate = input.dealDate ? new Date(input.dealDate) : now;
  if (dealDate.getTime() > now.getTime() + DAY) throw fieldError('dealDate', 'cannot be in the future');
  let announcement: { contactId: string; managerId: string | null; hunterId: string | null } | null = null;
  const dealId = newId('deal');
  try {
    await s.database.db.transaction(async (tx) => {
      const [c] = await tx.select().from(contacts).where(eq(contacts.id, input.contactId)).for('update');
      if (!c) throw fieldError('contactId', `no contact ${input.contactId}`);
      if (!mayRecord(actor, c)) {
        throw new AppError('forbidden', actor.role === 'hunter' && (c.status === 'active' || c.status === 'lost') ? 'This client was handed to the client department; its account manager records sales' : 'Only the hunter holding the prospect or the client\'s account manager records its sales');
      }
      const [{ n }] = (await tx.select({ n: sql<number>`count(*)::int` }).from(deals).where(eq(deals.contactId, c.id))) as [{ n: number }];
      const first = n === 0;
      const base = {
        id: dealId,
        contactId: c.id,
        amountMinor: input.amountMinor,
        currency: input.currency ?? s.config.currency,
        dealDate,
        items: input.items ?? null,
        notes: input.notes || null,
        createdBy: actor.id,
        idempotencyKey: idempotencyKey ?? null,
        createdAt: now,
      };
      if (first) {
        const deferral = s.config.clients.firstDealDeferralDays;
        await tx.insert(deals).values({ ...base, isFirst: true, dueAt: new Date(dealDate.getTime() + deferral * DAY) });
        announcement = await handOver(tx, s, c, dealId, now);
        return;
      }
      // Later deals: the hunter who brought the client earns their share.
      const [h] = await tx.select({ from: handoffs.fromHunterId }).from(handoffs).where(eq(handoffs.contactId, c.id));
      const hunterId = h?.from ?? null;
      let percent: number | null = null;
      if (hunterId) {
        const [rate] = await tx.select({ percent: commissionRates.percent }).from(commissionRates).where(eq(commissionRates.userId, hunterId));
        percent = rate ? Number(rate.percent) : s.config.clients.commissionPercent;
      }
      await tx.insert(deals).values({
        ...base,
        dueAt: new Date(dealDate.getTime() + (c.deferralDays ?? s.config.clients.deferralDays) * DAY),
        commissionHunterId: hunterId,
        commissionPercent: percent,
        commissionMinor: hunterId && percent !== null ? Math.round((input.amountMinor * percent) / 100) : null,
      });
      await tx.update(contacts).set({ status: 'active', updatedAt: now }).where(eq(contacts.id, c.id));
    });
  } catch (err) {
    // A retry raced the first request with the same key: answer with the deal that won.
    if (idempotencyKey && isUniqueViolation(err, 'deals_idempotency_key')) return recordDeal(s, actor, input, idempotencyKey);
    // Two "first sales" at once: the unique index lets one through; this one becomes a later deal.
    if (isUniqueViolation(err, 'deals_one_first')) return recordDeal(s, actor, input, idempotencyKey);
    throw err;
  }
  const [d] = await s.database.db.select().from(deals).where(eq(deals.id, dealId));
  if (announcement) announceHandoff(s, announcement);
  return { deal: toDealDto(d!), created: true, handoff: await handoffOf(s, d!.contactId) };
}

type Tx = Parameters<Parameters<Services['database']['db']['transaction']>[0]>[0];

/** First sale: client status, category C, first-deal terms, an account manager, introduction tasks. */
async function handOver(tx: Tx, s: Services, c: typeof contacts.$inferSelect, dealId: string, now: Date) {
  // Handoffs one at a time, so that concurrent first sales spread over the managers.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${HANDOFF_LOCK})`);
  const managers = rowsOf<{ id: string; name: string; active_clients: number; absent: boolean; last_handoff_ms: number | null }>(
    await tx.execute(sql`
    SELECT u.id, u.name,
      (SELECT count(*) FROM contacts c WHERE c.account_manager_id = u.id AND c.status = 'active')::int AS active_clients,
      EXISTS (SELECT 1 FROM absences a WHERE a.user_id = u.id AND a.starts_at <= ${now.toISOString()}::timestamptz AND a.ends_at > ${now.toISOString()}::timestamptz) AS absent,
      (SELECT (extract(epoch FROM max(h.at)) * 1000)::float8 FROM handoffs h WHERE h.to_account_manager_id = u.id) AS last_handoff_ms
    FROM users u WHERE u.role = 'account_manager' AND u.active ORDER BY u.id`),
  );
  const pick = chooseManager(
    managers.map((m) => ({ id: m.id, name: m.name, activeClients: m.active_clients, absent: m.absent, lastHandoffAt: m.last_handoff_ms === null ? null : new Date(m.last_handoff_ms) })),
    s.config.clients.managerTargetClients,
  );
  const managerId = pick.chosen?.id ?? null;
  await tx
    .update(contacts)
    .set({
      status: 'active',
      category: 'C',
      creditLimitMinor: s.config.clients.firstDealCreditLimitMinor,
      deferralDays: s.config.clients.firstDealDeferralDays,
      clientSince: now,
      accountManagerId: managerId,
      updatedAt: now,
    })
    .where(eq(contacts.id, c.id));
  await tx.insert(handoffs).values({
    id: newId('handoff'),
    contactId: c.id,
    dealId,
    fromHunterId: c.hunterId,
    toAccountManagerId: managerId,
    at: now,
    reason: { rule: 'fewest active clients against the target, then longest since a handoff', target: s.config.clients.managerTargetClients, candidates: pick.candidates },
  });
  const due = new Date(now.getTime() + 2 * DAY);
  if (managerId) {
    const title = `Introduction: ${c.name}`;
    const people = [managerId, ...(c.hunterId ? [c.hunterId] : [])];
    await tx.insert(tasks).values(people.map((assigneeId) => ({ id: newId('task'), kind: 'introduction' as const, contactId: c.id, assigneeId, dealId, title, dueAt: due, createdAt: now })));
  } else {
    await tx.insert(tasks).values({ id: newId('task'), kind: 'assign_manager', contactId: c.id, assigneeId: null, dealId, title: `Assign an account manager: ${c.name}`, dueAt: now, createdAt: now });
  }
  return { contactId: c.id, managerId, hunterId: c.hunterId };
}

function announceHandoff(s: Services, a: { contactId: string; managerId: string | null; hunterId: string | null }) {
  const payload = { contactId: a.contactId, accountManagerId: a.managerId, hunterId: a.hunterId };
  for (const id of [a.managerId, a.hunterId]) {
    if (!id) continue;
    s.realtime.toUser(id, 'client:handed-over', payload);
    s.realtime.toUser(id, 'tasks:changed', {});
  }
  s.realtime.toRoles(['client_head'], 'client:handed-over', payload);
}

export async function handoffOf(s: Services, contactId: string) {
  const [h] = await s.database.db.select().from(handoffs).where(eq(handoffs.contactId, contactId));
  if (!h) return null;
  return { id: h.id, contactId: h.contactId, dealId: h.dealId, fromHunterId: h.fromHunterId, toAccountManagerId: h.toAccountManagerId, at: h.at.toISOString(), reason: h.reason };
}

/** Payments against a deal, by the client's account manager or the heads. */
export async function recordPayment(s: Services, actor: AuthUser, dealId: string, input: z.infer<typeof PaymentSchema>) {
  const [d] = await s.database.db.select().from(deals).where(eq(deals.id, dealId));
  if (!d) throw notFound('Deal', dealId);
  const [c] = await s.database.db.select({ am: contacts.accountManagerId }).from(contacts).where(eq(contacts.id, d.contactId));
  const allowed = ['admin', 'client_head', 'sales_head'].includes(actor.role) || (actor.role === 'account_manager' && c?.am === actor.id);
  if (!allowed) throw new AppError('forbidden', "Payments are recorded by the client's account manager or the heads");
  const now = s.clock.now();
  const paidAt = input.paidAt ? new Date(input.paidAt) : now;
  if (paidAt.getTime() > now.getTime() + DAY) throw fieldError('paidAt', 'cannot be in the future');
  if (paidAt < d.dealDate) throw fieldError('paidAt', 'is before the deal');
  const state = await s.database.db.transaction(async (tx) => {
    await tx.insert(payments).values({ id: newId('payment'), dealId, amountMinor: input.amountMinor, paidAt, createdBy: actor.id, createdAt: now });
    const all = await tx.select().from(payments).where(eq(payments.dealId, dealId));
    const st = debtState({ amountMinor: d.amountMinor, dueAt: d.dueAt, payments: all }, now);
    if (st.paidInFullAt) {
      // Settled: reminders about it are done.
      await tx.update(tasks).set({ status: 'done', doneAt: now }).where(and(eq(tasks.dealId, dealId), eq(tasks.status, 'open'), sql`${tasks.kind} IN ('debt_due', 'debt_overdue')`));
    }
    return st;
  });
  return { ...toDealDto(d, state.paidMinor), overdueDays: state.overdueDays, settledAt: state.paidInFullAt?.toISOString() ?? null };
}

export async function listDeals(s: Services, actor: AuthUser, contactId: string) {
  const [c] = await s.database.db.select().from(contacts).where(eq(contacts.id, contactId));
  if (!c) throw notFound('Contact', contactId);
  if (actor.role === 'hunter' && c.hunterId !== actor.id) throw new AppError('forbidden', 'Hunters see the deals of their own prospects and clients');
  if (actor.role === 'account_manager' && c.accountManagerId !== actor.id) throw new AppError('forbidden', 'Account managers see the deals of their own clients');
  const rows = await s.database.db.select().from(deals).where(eq(deals.contactId, contactId)).orderBy(desc(deals.dealDate)).limit(500);
  const paid = await s.database.query<{ deal_id: string; paid: number }>(
    sql`SELECT p.deal_id, sum(p.amount_minor)::float8 AS paid FROM payments p JOIN deals d ON d.id = p.deal_id WHERE d.contact_id = ${contactId} GROUP BY p.deal_id`,
  );
  const paidBy = new Map(paid.map((p) => [p.deal_id, Number(p.paid)]));
  return { items: rows.map((d) => toDealDto(d, paidBy.get(d.id) ?? 0)), handoff: await handoffOf(s, contactId) };
}

export const CommissionQuery = z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }), hunterId: z.string().max(40).optional() });

/** Commission per hunter for deals dated in the period. Hunters see their own line only. */
export async function commissionReport(s: Services, actor: AuthUser, q: z.infer<typeof CommissionQuery>) {
  const from = new Date(q.from);
  const to = new Date(q.to);
  if (to <= from) throw fieldError('query.to', 'must be after from');
  const only = actor.role === 'hunter' ? actor.id : (q.hunterId ?? null);
  const rows = await s.database.query<{ hunter_id: string; name: string; deals: number; sales: number; commission: number; currency: string }>(sql`
    SELECT d.commission_hunter_id AS hunter_id, u.name, count(*)::int AS deals, sum(d.amount_minor)::float8 AS sales,
           sum(d.commission_minor)::float8 AS commission, d.currency
    FROM deals d JOIN users u ON u.id = d.commission_hunter_id
    WHERE d.commission_hunter_id IS NOT NULL AND d.deal_date >= ${from.toISOString()}::timestamptz AND d.deal_date < ${to.toISOString()}::timestamptz
      AND (${only}::text IS NULL OR d.commission_hunter_id = ${only})
    GROUP BY 1, 2, d.currency ORDER BY u.name`);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    items: rows.map((r) => ({ hunterId: r.hunter_id, name: r.name, deals: r.deals, salesMinor: Number(r.sales), commissionMinor: Number(r.commission), currency: r.currency })),
  };
}

export const CommissionRateSchema = z.object({ percent: z.number().min(0).max(100) }).strict().openapi('CommissionRate');

export async function setCommissionRate(s: Services, userId: string, percent: number) {
  const [u] = await s.database.db.select({ role: users.role }).from(users).where(eq(users.id, userId));
  if (!u) throw notFound('User', userId);
  if (u.role !== 'hunter') throw new AppError('conflict', 'Commission rates are set for hunters');
  await s.database.db
    .insert(commissionRates)
    .values({ userId, percent, updatedAt: s.clock.now() })
    .onConflictDoUpdate({ target: commissionRates.userId, set: { percent, updatedAt: s.clock.now() } });
  return { userId, percent };
}
