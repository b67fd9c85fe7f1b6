import { api } from '../api/client';
import type { Page, TrackingKind, TrackingNumber } from '../api/types';

export const listTrackingNumbers = (cursor: string | null, limit = 50) =>
  api<Page<TrackingNumber>>('/api/tracking-numbers', { query: { limit, cursor } });

export interface NewTrackingNumber {
  number: string;
  sourceId: string;
  kind: TrackingKind;
}

export const createTrackingNumber = (body: NewTrackingNumber) => api<TrackingNumber>('/api/tracking-numbers', { body });

export const updateTrackingNumber = (id: string, patch: { sourceId?: string; active?: boolean }) =>
  api<TrackingNumber>(`/api/tracking-numbers/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
