import { api, ApiError, withQuery } from '../api/client';
import type { Page, Problem, User } from '../api/types';

/** The call-centre administrator's side of the dialer: campaigns, dial-list imports, do-not-call, refusal reasons. */

export const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
export const retryKinds = ['no_answer', 'busy', 'voicemail'] as const;
export type RetryKind = (typeof retryKinds)[number];
export type CampaignStatus = 'active' | 'paused';

export interface CampaignList {
  id: string;
  name: string;
  status: string;
  createdAt: string;
  /** The import that filled the list. */
  import: { id: string; total: number; imported: number; rejected: number; finishedAt: string | null } | null;
}

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  priority: number;
  callerId: string | null;
  source: { id: string; name: string } | null;
  window: { start: string; end: string; days: number[] };
  maxAttempts: number;
  retryMinutes: Record<RetryKind, number>;
  operators: Array<{ id: string; name: string }>;
  entries: { pending: number; locked: number; done: number };
  lists: CampaignList[];
  createdAt: string;
}

/**
 * What the form sends. Numbers the user left empty go as null so that the service names the field
 * in its answer rather than the form guessing a value.
 */
export interface CampaignBody {
  name: string;
  status: CampaignStatus;
  priority: number | null;
  callerId: string | null;
  sourceId: string | null;
  window: { start: string; end: string; days: number[] };
  maxAttempts: number | null;
  retryMinutes: Record<RetryKind, number | null>;
  operatorIds: string[];
}

export const CAMPAIGN_PAGE = 25;

export const listCampaigns = (cursor: string | null, status?: CampaignStatus | '') =>
  api<Page<Campaign>>('/api/campaigns', { query: { limit: CAMPAIGN_PAGE, cursor, status } });
export const getCampaign = (id: string) => api<Campaign>(`/api/campaigns/${encodeURIComponent(id)}`);
export const createCampaign = (body: CampaignBody) => api<Campaign>('/api/campaigns', { body });
export const updateCampaign = (id: string, patch: Partial<CampaignBody>) =>
  api<Campaign>(`/api/campaigns/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });

/** Every active operator (the service pages by 200 at most). */
export async function listOperators(): Promise<User[]> {
  const out: User[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: Page<User> = await api<Page<User>>('/api/users', { query: { role: 'operator', active: true, limit: 200, cursor } });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return out;
}

// ------------------------------------------------------------------ imports

export type ColumnRef = string | number;

export interface ImportMapping {
  name?: ColumnRef;
  company?: ColumnRef;
  phones: ColumnRef[];
  email?: ColumnRef;
  timezone?: ColumnRef;
  region?: ColumnRef;
  fields?: Record<string, ColumnRef>;
}

export type ImportPhase = 'reading' | 'saving' | 'finished';
export const rejectKinds = ['invalid', 'duplicate', 'dnc', 'skipped'] as const;

export interface ImportReject {
  line: number;
  kind: string;
  reason: string;
}

export interface ImportJob {
  id: string;
  listId: string;
  campaignId: string;
  status: 'running' | 'done' | 'failed';
  phase: ImportPhase;
  total: number;
  imported: number;
  duplicates: number;
  invalid: number;
  dnc: number;
  skipped: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  rejects: ImportReject[];
  rejectsCursor: string | null;
  rejectsUrl: string;
}

/** `import:progress` over socket.io. */
export interface ImportProgressEvent {
  jobId: string;
  listId: string;
  campaignId: string;
  phase: 'reading' | 'saving' | 'finished' | 'failed';
  total: number;
  invalid: number;
  /** While saving: statements done of all (one transaction). */
  stepsDone?: number;
  steps?: number;
}

export const getImport = (id: string, cursor?: string | null) =>
  api<ImportJob>(`/api/imports/${encodeURIComponent(id)}`, { query: { cursor } });

export interface Upload {
  done: Promise<ImportJob>;
  abort(): void;
}

/**
 * Sends the file as the raw request body (`text/csv`). XMLHttpRequest rather than fetch, for the upload
 * progress: the service reads the rows as the bytes arrive, so bytes sent is how far the reading got.
 */
export function uploadList(
  campaignId: string,
  params: { name: string; mapping: ImportMapping; encoding: string; delimiter: string },
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): Upload {
  const xhr = new XMLHttpRequest();
  const url = withQuery(`/api/campaigns/${encodeURIComponent(campaignId)}/lists`, {
    name: params.name,
    mapping: JSON.stringify(params.mapping),
    encoding: params.encoding,
    delimiter: params.delimiter,
  });
  const done = new Promise<ImportJob>((resolve, reject) => {
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => {
      const body = parseJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as ImportJob);
      const problem: Problem =
        body && typeof body === 'object' && 'status' in body
          ? (body as Problem)
          : { type: 'about:blank', title: xhr.statusText, status: xhr.status, detail: xhr.responseText.slice(0, 200) || xhr.statusText, code: 'http' };
      reject(new ApiError(problem));
    };
    const network = (detail: string) => () =>
      reject(new ApiError({ type: 'about:blank', title: 'Network error', status: 0, detail, code: 'network' }));
    xhr.onerror = network('The upload failed');
    xhr.onabort = network('The upload was cancelled');
    xhr.send(file);
  });
  return { done, abort: () => xhr.abort() };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------ do not call

export interface DncNumber {
  phone: string;
  reason: string | null;
  addedBy: string | null;
  createdAt: string;
}
/** The list is keyed by phone; `id` is the phone, for the shared paging hook. */
export type DncRow = DncNumber & { id: string };

export const DNC_PAGE = 50;
const asRow = (d: DncNumber): DncRow => ({ ...d, id: d.phone });

export const listDnc = async (q: string, cursor: string | null): Promise<Page<DncRow>> => {
  const page = await api<Page<DncNumber>>('/api/dnc', { query: { q, limit: DNC_PAGE, cursor } });
  return { items: page.items.map(asRow), nextCursor: page.nextCursor };
};
export const addDnc = async (phone: string, reason: string) => asRow(await api<DncNumber>('/api/dnc', { body: reason ? { phone, reason } : { phone } }));
export const removeDnc = (phone: string) => api<void>(`/api/dnc/${encodeURIComponent(phone)}`, { method: 'DELETE' });

// ------------------------------------------------------------------ refusal reasons

export interface RefusalReason {
  id: string;
  label: string;
  active: boolean;
  position: number;
}

export const listAllRefusalReasons = () => api<RefusalReason[]>('/api/refusal-reasons', { query: { all: 'true' } });
export const createRefusalReason = (body: { label: string; position: number }) => api<RefusalReason>('/api/refusal-reasons', { body });
export const updateRefusalReason = (id: string, patch: Partial<Omit<RefusalReason, 'id'>>) =>
  api<RefusalReason>(`/api/refusal-reasons/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
