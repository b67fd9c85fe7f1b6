import { api } from '../api/client';
import type { Callback, Page, QueueEntry } from '../api/types';

export const callOut = (body: { to: string } | { callbackId: string }) =>
  api<{ channelId: string; to: string; callbackId: string | null; status: 'ringing_your_phone' }>('/api/calls/originate', { body });

export const listCallbacks = (cursor: string | null, limit = 20) => api<Page<Callback>>('/api/callbacks', { query: { status: 'open', limit, cursor } });

export const takeNextCallback = () => api<{ task: Callback | null }>('/api/callbacks/next', { method: 'POST' });

export const cancelCallback = (id: string, note: string) => api<Callback>(`/api/callbacks/${encodeURIComponent(id)}/cancel`, { body: { note } });

export const getQueue = () => api<{ items: QueueEntry[] }>('/api/acd/queue');
