import { api } from '../api/client';
import type { ScriptVersion } from '../call-scripts/api';

export const dispositionKinds = ['no_answer', 'busy', 'voicemail', 'callback', 'not_interested', 'wrong_number', 'do_not_call', 'meeting_booked'] as const;
export type DispositionKind = (typeof dispositionKinds)[number];

export interface DialEntry {
  id: string;
  campaign: { id: string; name: string; callerId: string | null };
  contact: { id: string; name: string; company: string | null; email: string | null; status: string };
  phone: string;
  timezone: string;
  fields: Record<string, string> | null;
  attempts: number;
  lastDisposition: DispositionKind | null;
  personalCallback: boolean;
  lockedUntil: string | null;
  history: Array<{ kind: DispositionKind; reason: string | null; note: string | null; operatorId: string; at: string }>;
  /** The campaign script's latest published version (absent or null: none). */
  script?: ScriptVersion | null;
}

export interface DispositionBody {
  kind: DispositionKind;
  reason?: string;
  callbackAt?: string;
  note?: string;
  meeting?: { scheduledAt: string; durationMinutes?: number; location?: string };
}

export const nextEntry = () => api<{ entry: DialEntry | null; held: boolean }>('/api/dialer/next', { method: 'POST' });

export const dispose = (id: string, body: DispositionBody) =>
  api<{ id: string; entry: DialEntry; meetingId: string | null }>(`/api/dialer/entries/${encodeURIComponent(id)}/disposition`, { body });

export const releaseEntry = (id: string) => api<void>(`/api/dialer/entries/${encodeURIComponent(id)}/release`, { method: 'POST' });

export const listRefusalReasons = () => api<Array<{ id: string; label: string }>>('/api/refusal-reasons');
