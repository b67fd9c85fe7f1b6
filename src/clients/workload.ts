/**
 * The client department's side: each manager's clients and abandoned clients, reassignment, cover for
 * absent managers, and tasks.
 */
import { and, asc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { contacts, tasks, users, workloadHistory } from '../db/schema.js';
import { rowsOf, type Db } from '../db/client.js';
import type { Services } from '../services.js';
import type { AuthUser } from '../auth/middleware.js';
import { AppError, notFound } from '../shared/errors.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
const DAY = 86_400_000;

/**
 * For each account manager absent now, the colleague covering them: the present manager with the fewest
 * clients. Ownership does not change; calls and tasks of their clients go to the cover until they return.
 */
export async function coveringManagers(s: Services, now: Date, tx?: Tx): Promise<Map<string, string>> {
  const q = sql`
    SELECT u.id,
      EXISTS (SELECT 1 FROM absences a WHERE a.user_id = u.id AND a.starts_at <= ${now.toISOString()}::timestamptz AND a.ends_at > ${now.toISOString()}::timestamptz) AS absent,
      (SELECT count(*) FROM contacts c WHERE c.account_manager_id = u.id AND c.status = 'active')::int AS clients
    FROM users u WHERE u.role = 'account_manager' AND u.active ORDER BY u.id`;
  const rows = tx ? rowsOf<{ id: string; absent: boolean; clients: number }>(await tx.execute(q)) : await s.database.query<{ id: string; absent: boolean; clients: number }>(q);
  const present = rows.filter((r) => !r.absent).sort((a, b) => a.clients - b.clients || (a.id < b.id ? -1 : 1));
  const out = new Map<string, string>();
  let i = 0;
  for (const r of rows.filter((x) => x.absent)) {
    if (!present.length) break;
    // Several absent managers are spread over the least loaded colleagues in turn.
    out.set(r.id, present[i % present.length]!.id);
    i++;
  }
  return out;
}

/** Clients and abandoned clients (no call, deal or finished task within the period) per account manager. */
export function workloadSql(s: Services, now: Date) {
  const since = new Date(now.getTime() - s.config.clients.abandonedAfterDays * DAY).toISOString();
  return sql`
    WITH last_touch AS (
      SELECT c.id, c.account_manager_id AS am, greatest(
        (SELECT max(k.started_at) FROM calls k WHERE k.contact_id = c.id AND k.status = 'answered'),
        (SELECT max(d.deal_date) FROM deals d WHERE d.contact_id = c.id),
        (SELECT max(t.done_at) FROM tasks t WHERE t.contact_id = c.id AND t.status = 'done'),
        c.client_since) AS at
      FROM contacts c WHERE c.status = 'active' AND c.account_manager_id IS NOT NULL
    )
    SELECT u.id, count(l.id)::int AS clients, count(l.id) FILTER (WHERE l.at IS NULL OR l.at < ${since}::timestamptz)::int AS abandoned
    FROM users u LEFT JOIN last_touch l ON l.am = u.id
    WHERE u.role = 'account_manager' AND u.active
    GROUP BY u.id`;
}

/** Who looks after a client now: its manager, or their cover while they are away. */
export async function effectiveManager(s: Services, contactId: string): Promise<string | null> {
  const [c] = await s.database.db.select({ am: contacts.accountManagerId }).from(contacts).where(eq(contacts.id, contactId));
  if (!c?.am) return null;
  return (await coveringManagers(s, s.clock.now())).get(c.am) ?? c.am;
}

/** Per account manager: clients, abandoned clients, and the "overloaded — hire" signal when abandoned clients persist. */
export async function workload(s: Services) {
  const now = s.clock.now();
  const rows = await s.database.query<{ id: string; clients: number; abandoned: number }>(workloadSql(s, now));
  const names = new Map((await s.database.db.select({ id: users.id, name: users.name }).from(users).where(eq(users.role, 'account_manager'))).map((u) => [u.id, u.name]));
  const history = await s.database.db.select().from(workloadHistory).where(inArray(workloadHistory.userId, rows.map((r) => r.id).concat(['']))).orderBy(asc(workloadHistory.computedAt));
  const cover = await coveringManagers(s, now);
  return {
    computedAt: now.toISOString(),
    abandonedAfterDays: s.config.clients.abandonedAfterDays,
    targetClients: s.config.clients.managerTargetClients,
    managers: rows
      .map((r) => {
        const past = history.filter((h) => h.userId === r.id).slice(-2);
        // Overloaded: abandoned clients now and at each of the last two recomputations, or over the target.
        const persistent = r.abandoned > 0 && past.length >= 2 && past.every((h) => h.abandoned > 0);
        return {
          id: r.id,
          name: names.get(r.id) ?? '',
          clients: r.clients,
          abandoned: r.abandoned,
          loadVsTarget: r.clients / s.config.clients.managerTargetClients,
          overloaded: persistent || r.clients > s.config.clients.managerTargetClients,
          coveredBy: cover.get(r.id) ?? null,
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export const ClientListQuery = z.object({
  accountManagerId: z.string().max(40).optional(),
  abandoned: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(100_000).default(0),
});

/** Clients with category, risk, importance, last contact and open tasks; account managers see theirs and the ones they cover. */
export async function listClients(s: Services, actor: AuthUser, q: z.infer<typeof ClientListQuery>) {
  const now = s.clock.now();
  let managers: string[] | null = null;
  if (actor.role === 'account_manager') {
    const cover = await coveringManagers(s, now);
    managers = [actor.id, ...[...cover].filter(([, by]) => by === actor.id).map(([absent]) => absent)];
  } else if (q.accountManagerId) managers = [q.accountManagerId];
  const since = new Date(now.getTime() - s.config.clients.abandonedAfterDays * DAY);
  const rows = await s.database.query<{
    id: string; name: string; company: string | null; account_manager_id: string | null; hunter_id: string | null; category: 'A' | 'B' | 'C' | null;
    risk_group: number | null; importance: 'key' | 'middle' | 'small' | null; client_since_ms: number | null; last_touch_ms: number | null; open_tasks: number;
  }>(sql`
    SELECT c.id, c.name, c.company, c.account_manager_id, c.hunter_id, c.category, c.risk_group, c.importance,
      (extract(epoch FROM c.client_since) * 1000)::float8 AS client_since_ms,
      (extract(epoch FROM greatest(
        (SELECT max(k.started_at) FROM calls k WHERE k.contact_id = c.id AND k.status = 'answered'),
        (SELECT max(d.deal_date) FROM deals d WHERE d.contact_id = c.id),
        (SELECT max(t.done_at) FROM tasks t WHERE t.contact_id = c.id AND t.status = 'done'),
        c.client_since)) * 1000)::float8 AS last_touch_ms,
      (SELECT count(*) FROM tasks t WHERE t.contact_id = c.id AND t.status = 'open'
         AND (t.assignee_id IS NULL OR t.assignee_id = c.account_manager_id))::int AS open_tasks
    FROM contacts c
    WHERE c.status = 'active' AND (${managers ? sql`c.account_manager_id IN (${sql.join(managers.map((m) => sql`${m}`), sql`, `)})` : sql`true`})
    ORDER BY c.name, c.id`);
  const items = rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      company: r.company,
      accountManagerId: r.account_manager_id,
      hunterId: r.hunter_id,
      category: r.category,
      riskGroup: r.risk_group,
      importance: r.importance,
      clientSince: r.client_since_ms === null ? null : new Date(r.client_since_ms).toISOString(),
      lastContactAt: r.last_touch_ms === null ? null : new Date(r.last_touch_ms).toISOString(),
      daysSinceContact: r.last_touch_ms === null ? null : Math.floor((now.getTime() - r.last_touch_ms) / DAY),
      abandoned: r.last_touch_ms === null || r.last_touch_ms < since.getTime(),
      openTasks: r.open_tasks,
      covering: actor.role === 'account_manager' && r.account_manager_id !== actor.id,
    }))
    .filter((c) => (q.abandoned === undefined ? true : String(c.abandoned) === q.abandoned));
  return { total: items.length, items: items.slice(q.offset, q.offset + q.limit) };
}

export const ReassignSchema = z.object({ accountManagerId: z.string().min(1).max(40), reason: z.string().trim().min(1).max(300) }).strict().openapi('ReassignClient');

export async function reassignClient(s: Services, actor: AuthUser, contactId: string, input: z.infer<typeof ReassignSchema>) {
  const [c] = await s.database.db.select().from(contacts).where(eq(contacts.id, contactId));
  if (!c) throw notFound('Client', contactId);
  if (c.status !== 'active' && c.status !== 'lost') throw new AppError('conflict', 'Only clients (after their first sale) have account managers');
  const [u] = await s.database.db.select({ role: users.role, active: users.active }).from(users).where(eq(users.id, input.accountManagerId));
  if (!u || u.role !== 'account_manager' || !u.active) {
    throw new AppError('validation_failed', 'Clients go to active account managers', { errors: [{ path: 'accountManagerId', message: 'not an active account manager' }] });
  }
  const now = s.clock.now();
  await s.database.db.transaction(async (tx) => {
    await tx.update(contacts).set({ accountManagerId: input.accountManagerId, updatedAt: now }).where(eq(contacts.id, contactId));
    // Open tasks follow the client.
    await tx
      .update(tasks)
      .set({ assigneeId: input.accountManagerId })
      .where(and(eq(tasks.contactId, contactId), eq(tasks.status, 'open'), c.accountManagerId ? eq(tasks.assigneeId, c.accountManagerId) : sql`false`));
  });
  const payload = { contactId, from: c.accountManagerId, to: input.accountManagerId, by: actor.id, reason: input.reason };
  s.realtime.toUser(input.accountManagerId, 'client:reassigned', payload);
  if (c.accountManagerId) s.realtime.toUser(c.accountManagerId, 'client:reassigned', payload);
  s.realtime.toRoles(['client_head', 'admin'], 'client:reassigned', payload);
  s.realtime.toUser(input.accountManagerId, 'tasks:changed', {});
  if (c.accountManagerId) s.realtime.toUser(c.accountManagerId, 'tasks:changed', {});
  return payload;
}

export const TaskQuery = z.object({ status: z.enum(['open', 'done', 'cancelled']).default('open'), limit: z.coerce.number().int().min(1).max(500).default(100) });

/** Tasks of the user, plus those of absent colleagues they cover; heads see unassigned ones too. */
export async function listTasks(s: Services, actor: AuthUser, q: z.infer<typeof TaskQuery>) {
  const cover = await coveringManagers(s, s.clock.now());
  const covered = [...cover].filter(([, by]) => by === actor.id).map(([absent]) => absent);
  const who: SQL[] = [eq(tasks.assigneeId, actor.id)];
  if (covered.length) who.push(inArray(tasks.assigneeId, covered));
  if (actor.role === 'client_head' || actor.role === 'admin') who.push(sql`${tasks.assigneeId} IS NULL`);
  const rows = await s.database.db
    .select({ t: tasks, contactName: contacts.name })
    .from(tasks)
    .innerJoin(contacts, eq(contacts.id, tasks.contactId))
    .where(and(eq(tasks.status, q.status), or(...who)))
    .orderBy(asc(tasks.dueAt))
    .limit(q.limit);
  return rows.map(({ t, contactName }) => ({
    id: t.id,
    kind: t.kind,
    title: t.title,
    contact: { id: t.contactId, name: contactName },
    assigneeId: t.assigneeId,
    covering: !!t.assigneeId && t.assigneeId !== actor.id,
    dealId: t.dealId,
    dueAt: t.dueAt?.toISOString() ?? null,
    status: t.status,
    createdAt: t.createdAt.toISOString(),
  }));
}

export async function completeTask(s: Services, actor: AuthUser, id: string) {
  const [t] = await s.database.db.select().from(tasks).where(eq(tasks.id, id));
  if (!t) throw notFound('Task', id);
  const cover = await coveringManagers(s, s.clock.now());
  const mine = t.assigneeId === actor.id || (t.assigneeId && cover.get(t.assigneeId) === actor.id) || ['client_head', 'admin'].includes(actor.role);
  if (!mine) throw new AppError('forbidden', 'Not your task');
  if (t.status !== 'open') throw new AppError('conflict', `The task is already ${t.status}`);
  await s.database.db.update(tasks).set({ status: 'done', doneAt: s.clock.now() }).where(eq(tasks.id, id));
  return { id, status: 'done' as const };
}
