import { api } from '../api/client';
import type { Page, Source, SourceChannel } from '../api/types';

export const listSources = (cursor: string | null, limit = 100) => api<Page<Source>>('/api/sources', { query: { limit, cursor } });

export interface NewSource {
  name: string;
  channel: SourceChannel;
  monthlyCost?: number;
  currency?: string;
  utmSource?: string;
}

// `active` is sent explicitly: older builds of the service required it on create.
export const createSource = (body: NewSource) => api<Source>('/api/sources', { body: { ...body, active: true } });
