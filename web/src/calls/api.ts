import { api } from '../api/client';
import type { Call, CallDetail, CallDirection, CallStatus, Page } from '../api/types';

export interface CallFilter {
  direction?: CallDirection | '';
  status?: CallStatus | '';
}

export const listCalls = (filter: CallFilter, cursor: string | null, limit = 25) =>
  api<Page<Call>>('/api/calls', { query: { direction: filter.direction, status: filter.status, limit, cursor } });

export const getCall = (id: string) => api<CallDetail>(`/api/calls/${encodeURIComponent(id)}`);

export const listenToCall = (id: string) =>
  api<{ channelId: string; callId: string; status: 'ringing_your_phone' }>(`/api/calls/${encodeURIComponent(id)}/listen`, { method: 'POST' });
