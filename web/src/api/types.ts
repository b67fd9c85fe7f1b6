/** Shapes of the service's JSON, as published in /api/openapi.json. */
export const roles = ['admin', 'cc_admin', 'operator', 'sales_head', 'hunter', 'client_head', 'account_manager'] as const;
export type Role = (typeof roles)[number];

export const userStatuses = ['available', 'paused', 'offline'] as const;
export type UserStatus = (typeof userStatuses)[number];

export const locales = ['ru', 'en'] as const;
export type Locale = (typeof locales)[number];

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  locale: Locale;
  timezone: string;
  workingHours: Record<string, Array<[string, string]>> | null;
  status: UserStatus;
  statusReason: string | null;
  statusChangedAt: string;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const absenceReasons = ['vacation', 'sick', 'training', 'other'] as const;
export type AbsenceReason = (typeof absenceReasons)[number];

export interface Absence {
  id: string;
  userId: string;
  from: string;
  to: string;
  reason: AbsenceReason;
  note: string | null;
  createdBy: string;
  createdAt: string;
}

export const contactStatuses = ['new', 'active', 'potential', 'lost'] as const;
export type ContactStatus = (typeof contactStatuses)[number];

export interface Ref {
  id: string;
  name: string;
}

export interface Contact {
  id: string;
  name: string;
  company: string | null;
  email: string | null;
  taxId: string | null;
  status: ContactStatus;
  phones: string[];
  hunter: Ref | null;
  accountManager: Ref | null;
  source: Ref | null;
  firstTouchAt: string;
  notes: string | null;
  createdAt: string;
  updatedAt: string;
}

export const sourceChannels = [
  'paid_search',
  'paid_social',
  'organic',
  'display',
  'email',
  'referral',
  'offline',
  'cold_list',
  'partner',
  'other',
] as const;
export type SourceChannel = (typeof sourceChannels)[number];

export interface Source {
  id: string;
  name: string;
  channel: SourceChannel;
  /** Minor currency units. */
  monthlyCost: number | null;
  currency: string;
  active: boolean;
  /** Website visits with this utm_source are credited to the source. */
  utmSource: string | null;
  createdAt: string;
}

export const trackingKinds = ['static', 'pool'] as const;
export type TrackingKind = (typeof trackingKinds)[number];

export interface TrackingNumber {
  id: string;
  /** E.164. */
  number: string;
  sourceId: string;
  kind: TrackingKind;
  active: boolean;
  lastAssignedAt: string | null;
  createdAt: string;
}

export const callDirections = ['inbound', 'outbound', 'internal'] as const;
export type CallDirection = (typeof callDirections)[number];
export const callStatuses = ['in_progress', 'answered', 'missed', 'abandoned', 'busy', 'failed'] as const;
export type CallStatus = (typeof callStatuses)[number];
export const attributionMethods = ['static_number', 'dynamic_number', 'campaign', 'repeat_caller', 'unknown'] as const;
export type AttributionMethod = (typeof attributionMethods)[number];

export interface Utm {
  source?: string;
  medium?: string;
  campaign?: string;
  term?: string;
  content?: string;
}

export interface Call {
  id: string;
  direction: CallDirection;
  from: string | null;
  to: string | null;
  did: string | null;
  endpoint: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  waitSeconds: number | null;
  talkSeconds: number | null;
  status: CallStatus;
  /** Q.850 cause code of the first channel's hangup. */
  hangupCause: number | null;
  source: Ref | null;
  attribution: { method: AttributionMethod; sessionId: string | null; utm: Utm | null; ambiguous: boolean };
  repeatCaller: boolean;
  /** Answered with talk time at or above the configured target. */
  target: boolean;
  operatorId: string | null;
  contactId: string | null;
  campaignId: string | null;
  /** `/api/calls/:id/recording` when the PBX stored a recording (WAV, Range supported), else null. */
  recordingUrl: string | null;
  capturedBy: CallCapturedBy;
  closeReason: string | null;
}

export const callCapturers = ['ari', 'reconcile', 'cel', 'manual'] as const;
export type CallCapturedBy = (typeof callCapturers)[number];

/** One channel of a call. */
export interface CallLeg {
  channelId: string;
  name: string;
  caller: string | null;
  createdAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  cause: number | null;
}

/** A raw PBX event as it was stored. */
export interface CallEvent {
  type: string;
  channelId: string;
  at: string;
  payload: unknown;
}

/** `GET /api/calls/:id`: the call with its legs and raw events (at most 500, oldest first). */
export interface CallDetail extends Call {
  legs: CallLeg[];
  events: CallEvent[];
}

export interface CallUpdated {
  id: string;
  status: CallStatus;
  direction: CallDirection;
}

export interface FieldError {
  path: string;
  message: string;
  code?: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId?: string;
  errors?: FieldError[];
  [k: string]: unknown;
}

export interface Presence {
  id: string;
  name: string;
  role: Role;
  status: UserStatus;
  reason: string | null;
  since: string;
  connected: boolean;
}

export interface PresenceConnection {
  userId: string;
  role: Role;
  connected: boolean;
}

export interface PresenceChanged {
  userId: string;
  name: string;
  role: Role;
  status: UserStatus;
  reason: string | null;
  since: string;
}
