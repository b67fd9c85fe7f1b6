/** Shapes of the service's JSON, as published in /api/openapi.json. */
import type { ScriptVersion } from '../call-scripts/api';

export const roles = ['admin', 'cc_admin', 'operator', 'sales_head', 'hunter', 'client_head', 'account_manager'] as const;
export type Role = (typeof roles)[number];

/** States a user picks in the panel. */
export const userStatuses = ['available', 'paused', 'offline'] as const;
/** Every state: telephony also sets ringing, on a call and wrap-up. */
export type UserStatus = (typeof userStatuses)[number] | 'ringing' | 'on_call' | 'wrap_up';

export interface PauseReason {
  id: string;
  label: string;
  active: boolean;
  position: number;
}

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
  extension: string | null;
  phoneDevice: PhoneDevice;
  status: UserStatus;
  statusReason: string | null;
  statusChangedAt: string;
  lastLoginAt: string | null;
  createdAt: string;
}

export type PhoneDevice = 'softphone' | 'desk';

export interface MyPhone {
  extension: string | null;
  device: PhoneDevice;
  softphone: { wsUrl: string; uri: string; authorizationUser: string; password: string; displayName: string } | null;
  reason: 'no_extension' | 'desk_phone' | 'not_configured' | null;
}

/** `call:incoming`: who is calling the operator whose phone is ringing. */
export interface ScreenPop {
  callId: string;
  from: string | null;
  did: string | null;
  how: 'owner' | 'queue';
  owner: { id: string; name: string; kind: 'account_manager' | 'hunter' } | null;
  contact: { id: string; name: string; company: string | null; status: string; category: string | null } | null;
  source: { id: string; name: string; channel: string } | null;
  utm: Record<string, string> | null;
  history: Array<{ id: string; startedAt: string; direction: CallDirection; status: CallStatus; talkSeconds: number | null }>;
  /** The inbound call script's latest published version. */
  script: ScriptVersion | null;
  ringSeconds: number;
}

/** `call:state`: sent when the panel's socket connects — the call ringing for this user or the one they are on. */
export interface CallState {
  status: string;
  since: string;
  call: 'ringing' | 'on_call' | null;
  pop: ScreenPop | null;
}

export interface Callback {
  id: string;
  reason: 'web_request' | 'missed_call' | 'abandoned_call';
  phone: string;
  contact: { id: string; name: string; company: string | null } | null;
  source: { id: string; name: string } | null;
  callId: string | null;
  waitSeconds: number | null;
  createdAt: string;
  ageSeconds: number;
  late: boolean;
  status: 'open' | 'done' | 'cancelled';
  claimedBy: { id: string; name: string } | null;
  claimedUntil: string | null;
  attempts: number;
  closedAt: string | null;
  closedByCallId: string | null;
  closeNote: string | null;
}

export interface QueueEntry {
  callId: string;
  position: number;
  from: string | null;
  did: string | null;
  contact: { id: string; name: string } | null;
  source: string | null;
  ownerId: string | null;
  waitingSince: string;
  waitSeconds: number;
  ringing: Array<{ userId: string; name: string }>;
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
export const attributionMethods = ['static_number', 'dynamic_number', 'campaign', 'repeat_caller', 'callback', 'unknown'] as const;
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
  /** When the caller joined the operators' queue (inbound calls the app distributed). */
  queuedAt: string | null;
  /** The account manager or hunter the caller belonged to, rung first. */
  ownerId: string | null;
  acdOutcome: 'answered' | 'abandoned' | 'timed_out' | 'after_hours' | null;
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
/** One ring of a person's phone for a waiting caller. */
export interface CallAttempt {
  userId: string;
  name: string;
  how: 'owner' | 'queue';
  startedAt: string;
  endedAt: string | null;
  outcome: 'answered' | 'no_answer' | 'failed' | 'caller_gone' | null;
}

export interface CallDetail extends Call {
  legs: CallLeg[];
  events: CallEvent[];
  attempts: CallAttempt[];
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

export const meetingStatuses = ['routing', 'offered', 'unassigned', 'assigned', 'held', 'no_show', 'rescheduled', 'lost', 'won', 'cancelled'] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];
export const meetingOutcomes = ['held', 'no_show', 'rescheduled', 'lost', 'won', 'cancelled'] as const;
export type MeetingOutcome = (typeof meetingOutcomes)[number];
export const offerStatuses = ['open', 'accepted', 'declined', 'expired', 'withdrawn'] as const;
export type OfferStatus = (typeof offerStatuses)[number];
export type OfferHow = 'sticky' | 'pool';
export type AssignedHow = OfferHow | 'manual';

/** A booked meeting as the service shows it (`Meeting` in the OpenAPI document). */
export interface Meeting {
  id: string;
  status: MeetingStatus;
  scheduledAt: string;
  durationMinutes: number;
  location: string | null;
  notes: string | null;
  contact: { id: string; name: string; company: string | null; phone: string | null };
  source: Ref | null;
  callId: string | null;
  bookedBy: Ref;
  hunter: Ref | null;
  assignedAt: string | null;
  assignedHow: AssignedHow | null;
  outcomeReason: string | null;
  outcomeAt: string | null;
  rescheduledFrom: string | null;
  createdAt: string;
}

/** `meeting:offered`, and each item of `GET /api/meetings/offers`. */
export interface MeetingOffer {
  offerId: string;
  how: OfferHow;
  expiresAt: string;
  meeting: Meeting;
}

/** `meeting:offer-closed`: the offer is no longer open (answered, expired, or withdrawn by a head). */
export interface MeetingOfferClosed {
  offerId: string;
  meetingId: string;
  status: Exclude<OfferStatus, 'open'>;
}

export const ineligibilityReasons = [
  'absent',
  'outside_working_hours',
  'daily_cap_reached',
  'weekly_cap_reached',
  'not_connected',
  'paused',
  'declined_before',
  'expired_before',
] as const;
export type Ineligibility = (typeof ineligibilityReasons)[number];

/** One hunter as the router judged them for one decision. */
export interface RoutingCandidate {
  id: string;
  name: string;
  eligible: boolean;
  reasons: Ineligibility[];
  weight: number;
  /** Assigned in the fairness period. */
  assigned: number;
  openOffers: number;
  credit: number;
  /** (assigned + open offers + credit) / weight: lower goes first. */
  load: number;
  lastAssignedAt: string | null;
}

export const routingDecisionKinds = ['offer', 'accepted', 'declined', 'expired', 'no_candidates', 'manual', 'withdrawn', 'outcome'] as const;
export type RoutingDecisionKind = (typeof routingDecisionKinds)[number];

export interface RoutingDecision {
  at: string;
  kind: RoutingDecisionKind | string;
  hunterId: string | null;
  actorId: string | null;
  /** Shape depends on `kind`; read it with the guards in `meetings/routingDetail.ts`. */
  detail: unknown;
}

export interface RoutingOffer {
  id: string;
  hunterId: string;
  how: OfferHow | string;
  offeredAt: string;
  expiresAt: string;
  status: OfferStatus | string;
  declineReason: string | null;
  respondedAt: string | null;
}

/** `GET /api/meetings/:id/routing`, oldest first. */
export interface RoutingLog {
  meetingId: string;
  decisions: RoutingDecision[];
  offers: RoutingOffer[];
}

export interface DistributionRow {
  id: string;
  name: string;
  active: boolean;
  weight: number;
  assigned: number;
  /** 0…1 */
  share: number;
  /** 0…1 */
  targetShare: number;
  offers: { accepted: number; declined: number; expired: number };
  avgSecondsToAccept: number | null;
}

/** `GET /api/meetings/distribution`. */
export interface Distribution {
  from: string;
  to: string;
  total: number;
  hunters: DistributionRow[];
}

/** One line of a deal (what was sold). */
export interface DealItem {
  name: string;
  quantity: number;
  priceMinor: number;
}

/** The first sale's handoff of a prospect to an account manager. */
export interface Handoff {
  id: string;
  contactId: string;
  dealId: string;
  fromHunterId: string | null;
  /** Null when no account manager was present: the client head gets an `assign_manager` task. */
  toAccountManagerId: string | null;
  at: string;
  reason: unknown;
}

export interface Deal {
  id: string;
  contactId: string;
  /** Minor currency units (kopecks). */
  amountMinor: number;
  currency: string;
  dealDate: string;
  dueAt: string;
  items: DealItem[];
  notes: string | null;
  isFirst: boolean;
  commission: { hunterId: string; percent: number | null; amountMinor: number | null } | null;
  paidMinor: number;
  createdBy: string;
}

/** `POST /api/deals`: the deal and the contact's handoff (made by this deal when `isFirst`). */
export interface RecordedDeal extends Deal {
  handoff: Handoff | null;
}

export interface NewDeal {
  contactId: string;
  amountMinor: number;
  currency?: string;
  dealDate?: string;
  items?: DealItem[];
  notes?: string;
}

export const clientCategories = ['A', 'B', 'C'] as const;
export type ClientCategory = (typeof clientCategories)[number];
export const clientImportances = ['key', 'middle', 'small'] as const;
export type ClientImportance = (typeof clientImportances)[number];

/** One client of `GET /api/clients`. */
export interface ClientRow {
  id: string;
  name: string;
  company: string | null;
  accountManagerId: string | null;
  hunterId: string | null;
  category: ClientCategory | null;
  /** Payment risk 0 (none) … 3 (worst). */
  riskGroup: number | null;
  importance: ClientImportance | null;
  clientSince: string | null;
  lastContactAt: string | null;
  daysSinceContact: number | null;
  abandoned: boolean;
  openTasks: number;
  /** An absent colleague's client that this account manager covers. */
  covering: boolean;
}

export interface ClientList {
  total: number;
  items: ClientRow[];
}

export interface WorkloadRow {
  id: string;
  name: string;
  clients: number;
  abandoned: number;
  /** clients / target (1 = at the target). */
  loadVsTarget: number;
  overloaded: boolean;
  /** The colleague covering this manager while they are absent. */
  coveredBy: string | null;
}

/** `GET /api/clients/workload`. */
export interface Workload {
  computedAt: string;
  abandonedAfterDays: number;
  targetClients: number;
  managers: WorkloadRow[];
}

/** `POST /api/clients/recompute`. */
export interface RecomputeSummary {
  computedAt: string;
  clients: number;
  changed: number;
  debtTasks: number;
  skipped?: string;
}

export const taskKinds = ['introduction', 'debt_due', 'debt_overdue', 'assign_manager'] as const;
export type TaskKind = (typeof taskKinds)[number];

export interface Task {
  id: string;
  kind: TaskKind;
  /** The service's English title; the panel shows a translated one by kind. */
  title: string;
  contact: Ref;
  assigneeId: string | null;
  covering: boolean;
  dealId: string | null;
  dueAt: string | null;
  status: 'open' | 'done' | 'cancelled';
  createdAt: string;
}

export interface CommissionLine {
  hunterId: string;
  name: string;
  deals: number;
  salesMinor: number;
  commissionMinor: number;
  currency: string;
}

/** `GET /api/reports/commissions`. */
export interface CommissionReport {
  from: string;
  to: string;
  items: CommissionLine[];
}

/** `client:handed-over`: a prospect's first sale made it a client of `accountManagerId`. */
export interface ClientHandedOver {
  contactId: string;
  accountManagerId: string | null;
  hunterId: string | null;
}

/** `client:reassigned`: the client head gave a client to another account manager. */
export interface ClientReassigned {
  contactId: string;
  from: string | null;
  to: string;
  by: string;
  reason: string;
}
