/**
 * Recomputes every client's categories (turnover, payment risk, importance, status) with history, raises
 * debt reminders for account managers, and snapshots each manager's workload. Runs on a schedule and on
 * demand; safe to run from several instances at once (a transaction-level advisory lock makes the others
 * skip).
 */
import { eq, inArray, sql } from 'drizzle-orm';
import { clientCategoryHistory, contacts, tasks, workloadHistory } from '../db/schema.js';
import { rowsOf } from '../db/client.js';
import type { Services } from '../services.js';
import { newId } from '../shared/ids.js';
import { debtState, importanceByShare, riskGroup, turnoverCategory, workingDaysBetween } from './policy.js';
import { coveringManagers, workloadSql } from './workload.js';

const SCORING_LOCK = 727008;
const DAY = 86_400_000;

export interface ScoringSummary {
  computedAt: string;
  clients: number;
  changed: number;
  debtTasks: number;
  skipped?: 'another instance is recomputing';
}

export async function recomputeClients(s: Services): Promise<ScoringSummary> {
  const now = s.clock.now();
  const cfg = s.config.clients;
  const periodStart = new Date(now.getTime() - cfg.categoryPeriodDays * DAY);
  let summary: ScoringSummary = { computedAt: now.toISOString(), clients: 0, changed: 0, debtTasks: 0 };
  await s.database.db.transaction(async (tx) => {
    const [lock] = rowsOf<{ ok: boolean }>(await tx.execute(sql`SELECT pg_try_advisory_xact_lock(${SCORING_LOCK}) AS ok`));
    if (!lock?.ok) {
      summary = { ...summary, skipped: 'another instance is recomputing' };
      return;
    }
    const clients = await tx
      .select({ id: contacts.id, name: contacts.name, status: contacts.status, category: contacts.category, riskGroup: contacts.riskGroup, importance: contacts.importance, am: contacts.accountManagerId })
      .from(contacts)
      .where(inArray(contacts.status, ['active', 'lost']))
      // Held until the end: a deal recorded meanwhile waits, instead of being overwritten by stale figures.
      .orderBy(contacts.id)
      .for('update');
    if (!clients.length) return;
    const ids = clients.map((c) => c.id);
    const dealRows = rowsOf<{ id: string; contact_id: string; name: string; amount_minor: string | number; deal_ms: number; due_ms: number }>(
      await tx.execute(sql`SELECT d.id, d.contact_id, c.name, d.amount_minor, (extract(epoch FROM d.deal_date) * 1000)::float8 AS deal_ms, (extract(epoch FROM d.due_at) * 1000)::float8 AS due_ms
                           FROM deals d JOIN contacts c ON c.id = d.contact_id WHERE c.status IN ('active', 'lost')`),
    );
    const payRows = rowsOf<{ deal_id: string; amount_minor: string | number; paid_ms: number }>(
      await tx.execute(sql`SELECT p.deal_id, p.amount_minor, (extract(epoch FROM p.paid_at) * 1000)::float8 AS paid_ms
                           FROM payments p JOIN deals d ON d.id = p.deal_id JOIN contacts c ON c.id = d.contact_id WHERE c.status IN ('active', 'lost')`),
    );
    const paysBy = new Map<string, Array<{ amountMinor: number; paidAt: Date }>>();
    for (const p of payRows) paysBy.set(p.deal_id, [...(paysBy.get(p.deal_id) ?? []), { amountMinor: Number(p.amount_minor), paidAt: new Date(p.paid_ms) }]);

    const turnover = new Map<string, number>(ids.map((id) => [id, 0]));
    const lastDeal = new Map<string, number>();
    const risk = new Map<string, { violations: number; maxOverdue: number }>();
    const reminders: Array<{ kind: 'debt_due' | 'debt_overdue'; contactId: string; dealId: string; title: string; dueAt: Date }> = [];
    for (const d of dealRows) {
      const amount = Number(d.amount_minor);
      if (d.deal_ms >= periodStart.getTime() && d.deal_ms <= now.getTime()) turnover.set(d.contact_id, (turnover.get(d.contact_id) ?? 0) + amount);
      lastDeal.set(d.contact_id, Math.max(lastDeal.get(d.contact_id) ?? 0, d.deal_ms));
      const dueAt = new Date(d.due_ms);
      const state = debtState({ amountMinor: amount, dueAt, payments: paysBy.get(d.id) ?? [] }, now);
      const r = risk.get(d.contact_id) ?? { violations: 0, maxOverdue: 0 };
      if (state.violation) r.violations += 1;
      r.maxOverdue = Math.max(r.maxOverdue, state.overdueDays);
      risk.set(d.contact_id, r);
      if (!state.paidInFullAt) {
        if (now >= dueAt) reminders.push({ kind: 'debt_overdue', contactId: d.contact_id, dealId: d.id, title: `Overdue payment: ${d.name}`, dueAt });
        else if (workingDaysBetween(now, dueAt, s.config.companyTimeZone) <= 3) reminders.push({ kind: 'debt_due', contactId: d.contact_id, dealId: d.id, title: `Payment due soon: ${d.name}`, dueAt });
      }
    }
    const importance = importanceByShare(turnover);
    const history: Array<typeof clientCategoryHistory.$inferInsert> = [];
    let changed = 0;
    for (const c of clients) {
      const t = turnover.get(c.id) ?? 0;
      const r = risk.get(c.id) ?? { violations: 0, maxOverdue: 0 };
      const category = turnoverCategory(t, { aAboveMinor: cfg.categoryAAboveMinor, bFromMinor: cfg.categoryBFromMinor });
      const group = riskGroup(r.violations, r.maxOverdue);
      const imp = importance.get(c.id) ?? 'small';
      const last = lastDeal.get(c.id) ?? 0;
      const status = now.getTime() - last > cfg.lostAfterDays * DAY ? 'lost' : 'active';
      history.push({ contactId: c.id, computedAt: now, periodStart, turnoverMinor: t, category, riskGroup: group, violations: r.violations, maxOverdueDays: r.maxOverdue, importance: imp, status });
      if (c.category !== category || c.riskGroup !== group || c.importance !== imp || c.status !== status) {
        changed++;
        await tx.update(contacts).set({ category, riskGroup: group, importance: imp, status, updatedAt: now }).where(eq(contacts.id, c.id));
      }
    }
    for (let i = 0; i < history.length; i += 500) await tx.insert(clientCategoryHistory).values(history.slice(i, i + 500));

    // Debt reminders go to whoever looks after the client now (the cover while its manager is away).
    const managerOf = new Map(clients.map((c) => [c.id, c.am]));
    const cover = await coveringManagers(s, now, tx);
    let raised = 0;
    for (const r of reminders) {
      const am = managerOf.get(r.contactId) ?? null;
      const assignee = am ? (cover.get(am) ?? am) : null;
      const res = await tx
        .insert(tasks)
        .values({ id: newId('task'), kind: r.kind, contactId: r.contactId, assigneeId: assignee, dealId: r.dealId, title: r.title, dueAt: r.dueAt, createdAt: now })
        .onConflictDoNothing()
        .returning({ id: tasks.id });
      raised += res.length;
    }

    // Workload snapshot per account manager, to see abandoned clients persist.
    const loads = rowsOf<{ id: string; clients: number; abandoned: number }>(await tx.execute(workloadSql(s, now)));
    if (loads.length) await tx.insert(workloadHistory).values(loads.map((l) => ({ userId: l.id, computedAt: now, clients: l.clients, abandoned: l.abandoned }))).onConflictDoNothing();
    summary = { computedAt: now.toISOString(), clients: clients.length, changed, debtTasks: raised };
  });
  if (summary.debtTasks) s.realtime.toRoles(['account_manager', 'client_head'], 'tasks:changed', {});
  return summary;
}

/** Recomputes on a schedule (every CATEGORY_RECOMPUTE_HOURS). */
export function startClientScoring(s: Services) {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return;
    running = recomputeClients(s)
      .catch((err: Error) => s.logger.warn({ err: err.message }, 'client recomputation failed; will retry on schedule'))
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, s.config.clients.recomputeHours * 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

