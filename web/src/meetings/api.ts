import { api } from '../api/client';
import type { Distribution, Meeting, MeetingOutcome, MeetingStatus, Page, RoutingLog, User } from '../api/types';

export const listMeetings = (filter: { status?: MeetingStatus; hunterId?: string }, cursor: string | null, limit = 20) =>
  api<Page<Meeting>>('/api/meetings', { query: { status: filter.status, hunterId: filter.hunterId, limit, cursor } });

export const getMeeting = (id: string) => api<Meeting>(`/api/meetings/${encodeURIComponent(id)}`);

export const acceptOffer = (offerId: string) =>
  api<{ offerId: string; status: 'accepted' }>(`/api/meetings/offers/${encodeURIComponent(offerId)}/accept`, { method: 'POST' });

export const declineOffer = (offerId: string, reason: string) =>
  api<{ offerId: string; status: 'declined' }>(`/api/meetings/offers/${encodeURIComponent(offerId)}/decline`, { body: { reason } });

export interface OutcomeInput {
  outcome: MeetingOutcome;
  reason?: string;
  rescheduledTo?: string;
}

export const recordOutcome = (id: string, body: OutcomeInput) => api<Meeting>(`/api/meetings/${encodeURIComponent(id)}/outcome`, { body });

export const assignMeeting = (id: string, hunterId: string, reason: string) =>
  api<Meeting>(`/api/meetings/${encodeURIComponent(id)}/assign`, { body: { hunterId, reason } });

export const getRoutingLog = (id: string) => api<RoutingLog>(`/api/meetings/${encodeURIComponent(id)}/routing`);

export const getDistribution = (from: string, to: string) => api<Distribution>('/api/meetings/distribution', { query: { from, to } });

/** Active hunters, for the hand-assignment select (one page of up to 200 is plenty for a sales team). */
export const listActiveHunters = () => api<Page<User>>('/api/users', { query: { role: 'hunter', active: 'true', limit: 200 } });

/**
 * Which outcomes may follow which status; mirrors `allowedFrom` in the service (src/meetings/service.ts),
 * which stays the judge: a stale screen gets a 409 and the message shows.
 */
export const outcomeAllowedFrom: Record<MeetingOutcome, readonly MeetingStatus[]> = {
  held: ['assigned', 'rescheduled'],
  no_show: ['assigned', 'rescheduled'],
  rescheduled: ['assigned', 'rescheduled', 'no_show'],
  lost: ['assigned', 'rescheduled', 'held', 'no_show'],
  won: ['held'],
  cancelled: ['routing', 'offered', 'unassigned', 'assigned', 'rescheduled'],
};

/** Meetings still looking for a hunter: the sales head's queue. */
export const queueStatuses = ['unassigned', 'offered', 'routing'] as const satisfies readonly MeetingStatus[];
