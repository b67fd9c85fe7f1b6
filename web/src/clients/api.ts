import { api } from '../api/client';
import type {
  ClientList,
  CommissionReport,
  Contact,
  NewDeal,
  Page,
  RecomputeSummary,
  RecordedDeal,
  Task,
  User,
  Workload,
} from '../api/types';

/** Records a sale; the same `idempotencyKey` on a retry returns the deal recorded the first time. */
export const recordDeal = (body: NewDeal, idempotencyKey: string) => api<RecordedDeal>('/api/deals', { body, headers: { 'Idempotency-Key': idempotencyKey } });

export const listClients = (query: { accountManagerId?: string; abandoned?: boolean; limit?: number; offset?: number } = {}) =>
  api<ClientList>('/api/clients', { query });

export const getWorkload = () => api<Workload>('/api/clients/workload');

export const recomputeClients = () => api<RecomputeSummary>('/api/clients/recompute', { method: 'POST' });

export const reassignClient = (id: string, accountManagerId: string, reason: string) =>
  api<{ contactId: string; from: string | null; to: string }>(`/api/clients/${encodeURIComponent(id)}/reassign`, { body: { accountManagerId, reason } });

export const listOpenTasks = () => api<Task[]>('/api/tasks', { query: { status: 'open', limit: 200 } });

export const completeTask = (id: string) => api<{ id: string; status: 'done' }>(`/api/tasks/${encodeURIComponent(id)}/done`, { method: 'POST' });

export const getCommissions = (from: string, to: string) => api<CommissionReport>('/api/reports/commissions', { query: { from, to } });

/** Every account manager (deactivated ones too, for their names); the reassign select offers the active ones. */
export const listAccountManagers = () => api<Page<User>>('/api/users', { query: { role: 'account_manager', limit: 200 } });

const PROSPECT_PAGE = 200;
const PROSPECT_PAGES = 5;

/**
 * The hunter's prospects a sale can be recorded for: contacts they hold that are not clients yet (the
 * service refuses a hunter's sale for an active client). Up to 1000, newest first.
 */
export async function listSellableProspects(hunterId: string): Promise<Contact[]> {
  const out: Contact[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < PROSPECT_PAGES; i++) {
    const page: Page<Contact> = await api<Page<Contact>>('/api/contacts', { query: { hunterId, limit: PROSPECT_PAGE, cursor } });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out.filter((c) => c.status !== 'active');
}

/** This month in the browser's time: from the 1st, 00:00 to the 1st of next month. */
export function thisMonth(now = new Date()) {
  const from = new Date(now.getFullYear(), now.getMonth(), 1);
  const to = new Date(now.getFullYear(), now.getMonth() + 1, 1);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** A random UUID v4; `crypto.randomUUID` exists only in secure contexts (https, localhost). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
