import { bigint, bigserial, boolean, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const roles = [
  'admin',
  'cc_admin',
  'operator',
  'sales_head',
  'hunter',
  'client_head',
  'account_manager',
] as const;
export type Role = (typeof roles)[number];

/** States a user sets in the panel. */
export const userStatuses = ['available', 'paused', 'offline'] as const;
/** Every state, including those the telephony sets (ringing, on a call, wrap-up after a call). */
export const allUserStatuses = ['available', 'paused', 'ringing', 'on_call', 'wrap_up', 'offline'] as const;
export type UserStatus = (typeof allUserStatuses)[number];

export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof weekdays)[number];
/** Local times "HH:MM" in the user's own time zone. */
export type WorkingHours = Partial<Record<Weekday, Array<[string, string]>>>;

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  role: text('role').$type<Role>().notNull(),
  passwordHash: text('password_hash').notNull(),
  active: boolean('active').notNull().default(true),
  locale: text('locale').$type<'ru' | 'en'>().notNull().default('ru'),
  timezone: text('timezone').notNull(),
  workingHours: jsonb('working_hours').$type<WorkingHours | null>(),
  status: text('status').$type<UserStatus>().notNull().default('offline'),
  statusReason: text('status_reason'),
  statusChangedAt: ts('status_changed_at').notNull().defaultNow(),
  extension: text('extension'),
  phoneDevice: text('phone_device').$type<PhoneDevice>().notNull().default('softphone'),
  tokenVersion: integer('token_version').notNull().default(0),
  lastLoginAt: ts('last_login_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const phoneDevices = ['softphone', 'desk'] as const;
export type PhoneDevice = (typeof phoneDevices)[number];

export const userStatusLog = pgTable('user_status_log', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  status: text('status').notNull(),
  reason: text('reason'),
  at: ts('at').notNull().defaultNow(),
});

export const absenceReasons = ['vacation', 'sick', 'training', 'other'] as const;
export const absences = pgTable('absences', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  startsAt: ts('starts_at').notNull(),
  endsAt: ts('ends_at').notNull(),
  reason: text('reason').$type<(typeof absenceReasons)[number]>().notNull(),
  note: text('note'),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

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
export const sources = pgTable('sources', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  channel: text('channel').$type<(typeof sourceChannels)[number]>().notNull(),
  monthlyCostMinor: bigint('monthly_cost_minor', { mode: 'number' }),
  currency: text('currency').notNull(),
  active: boolean('active').notNull().default(true),
  utmSource: text('utm_source'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const contactStatuses = ['new', 'active', 'potential', 'lost'] as const;
export type ContactStatus = (typeof contactStatuses)[number];
export const contacts = pgTable('contacts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  company: text('company'),
  email: text('email'),
  taxId: text('tax_id'),
  status: text('status').$type<ContactStatus>().notNull().default('new'),
  hunterId: text('hunter_id'),
  accountManagerId: text('account_manager_id'),
  firstSourceId: text('first_source_id'),
  firstTouchAt: ts('first_touch_at').notNull().defaultNow(),
  notes: text('notes'),
  createdBy: text('created_by'),
  category: text('category').$type<'A' | 'B' | 'C'>(),
  riskGroup: integer('risk_group'),
  importance: text('importance').$type<'key' | 'middle' | 'small'>(),
  creditLimitMinor: bigint('credit_limit_minor', { mode: 'number' }),
  deferralDays: integer('deferral_days'),
  clientSince: ts('client_since'),
  leadAt: ts('lead_at'),
  leadBy: text('lead_by'),
  leadCampaignId: text('lead_campaign_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const contactPhones = pgTable('contact_phones', {
  phone: text('phone').primaryKey(),
  contactId: text('contact_id').notNull(),
  position: integer('position').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const rateLimitHits = pgTable(
  'rate_limit_hits',
  {
    key: text('key').notNull(),
    windowStart: ts('window_start').notNull(),
    hits: integer('hits').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
);

export const trackingNumbers = pgTable('tracking_numbers', {
  id: text('id').primaryKey(),
  number: text('number').notNull(),
  sourceId: text('source_id').notNull(),
  kind: text('kind').$type<'static' | 'pool'>().notNull(),
  active: boolean('active').notNull().default(true),
  lastAssignedAt: ts('last_assigned_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const trackSessions = pgTable('track_sessions', {
  id: text('id').primaryKey(),
  visitorId: text('visitor_id'),
  utmSource: text('utm_source'),
  utmMedium: text('utm_medium'),
  utmCampaign: text('utm_campaign'),
  utmTerm: text('utm_term'),
  utmContent: text('utm_content'),
  referrer: text('referrer'),
  landingUrl: text('landing_url'),
  sourceId: text('source_id'),
  numberId: text('number_id'),
  shared: boolean('shared').notNull().default(false),
  createdAt: ts('created_at').notNull(),
  lastSeenAt: ts('last_seen_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
});

export const callDirections = ['inbound', 'outbound', 'internal'] as const;
export type CallDirection = (typeof callDirections)[number];
export const callStatuses = ['in_progress', 'answered', 'missed', 'abandoned', 'busy', 'failed'] as const;
export type CallStatus = (typeof callStatuses)[number];
export const attributionMethods = ['static_number', 'dynamic_number', 'campaign', 'repeat_caller', 'callback', 'unknown'] as const;
export type AttributionMethod = (typeof attributionMethods)[number];
export type Utm = { source?: string; medium?: string; campaign?: string; term?: string; content?: string };

export const calls = pgTable('calls', {
  id: text('id').primaryKey(),
  pbx: text('pbx').notNull().default('default'),
  linkedid: text('linkedid').notNull(),
  direction: text('direction').$type<CallDirection>().notNull(),
  fromNumber: text('from_number'),
  toNumber: text('to_number'),
  did: text('did'),
  endpoint: text('endpoint'),
  startedAt: ts('started_at').notNull(),
  answeredAt: ts('answered_at'),
  endedAt: ts('ended_at'),
  waitSeconds: integer('wait_seconds'),
  talkSeconds: integer('talk_seconds'),
  status: text('status').$type<CallStatus>().notNull().default('in_progress'),
  hangupCause: integer('hangup_cause'),
  hangupCauseText: text('hangup_cause_text'),
  closeReason: text('close_reason'),
  sourceId: text('source_id'),
  attributionMethod: text('attribution_method').$type<AttributionMethod>().notNull().default('unknown'),
  attributionSessionId: text('attribution_session_id'),
  attributionUtm: jsonb('attribution_utm').$type<Utm | null>(),
  ambiguous: boolean('ambiguous').notNull().default(false),
  repeatCaller: boolean('repeat_caller').notNull().default(false),
  target: boolean('target').notNull().default(false),
  contactId: text('contact_id'),
  operatorId: text('operator_id'),
  campaignId: text('campaign_id'),
  recordingName: text('recording_name'),
  queuedAt: ts('queued_at'),
  ownerId: text('owner_id'),
  acdOutcome: text('acd_outcome').$type<AcdOutcome>(),
  capturedBy: text('captured_by').$type<'ari' | 'reconcile' | 'cel' | 'manual'>().notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const acdOutcomes = ['answered', 'abandoned', 'timed_out', 'after_hours'] as const;
export type AcdOutcome = (typeof acdOutcomes)[number];

export const acdAttempts = pgTable('acd_attempts', {
  id: text('id').primaryKey(),
  callId: text('call_id').notNull(),
  userId: text('user_id').notNull(),
  how: text('how').$type<'owner' | 'queue'>().notNull(),
  channelId: text('channel_id'),
  startedAt: ts('started_at').notNull(),
  endedAt: ts('ended_at'),
  outcome: text('outcome').$type<'answered' | 'no_answer' | 'failed' | 'caller_gone'>(),
});

export const callLegs = pgTable(
  'call_legs',
  {
    pbx: text('pbx').notNull().default('default'),
    channelId: text('channel_id').notNull(),
    callId: text('call_id').notNull(),
    name: text('name').notNull(),
    caller: text('caller'),
    state: text('state'),
    createdAt: ts('created_at').notNull(),
    answeredAt: ts('answered_at'),
    endedAt: ts('ended_at'),
    cause: integer('cause'),
    causeText: text('cause_text'),
  },
  (t) => [primaryKey({ columns: [t.pbx, t.channelId] })],
);

export const callEvents = pgTable('call_events', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  callId: text('call_id').notNull(),
  channelId: text('channel_id').notNull(),
  type: text('type').notNull(),
  at: ts('at').notNull(),
  dedupeKey: text('dedupe_key').notNull(),
  payload: jsonb('payload').notNull(),
});

export const webRequests = pgTable('web_requests', {
  id: text('id').primaryKey(),
  sessionId: text('session_id'),
  name: text('name').notNull(),
  phone: text('phone').notNull(),
  comment: text('comment'),
  contactId: text('contact_id').notNull(),
  sourceId: text('source_id'),
  attributionMethod: text('attribution_method').$type<AttributionMethod>().notNull(),
  attributionUtm: jsonb('attribution_utm').$type<Utm | null>(),
  createdAt: ts('created_at').notNull(),
});

export const callbackTasks = pgTable('callback_tasks', {
  id: text('id').primaryKey(),
  reason: text('reason').$type<'web_request' | 'missed_call' | 'abandoned_call'>().notNull(),
  phone: text('phone').notNull(),
  contactId: text('contact_id'),
  sourceId: text('source_id'),
  callId: text('call_id'),
  requestId: text('request_id'),
  waitSeconds: integer('wait_seconds'),
  status: text('status').$type<'open' | 'done' | 'cancelled'>().notNull().default('open'),
  createdAt: ts('created_at').notNull(),
  closedAt: ts('closed_at'),
  claimedBy: text('claimed_by'),
  claimedUntil: ts('claimed_until'),
  attempts: integer('attempts').notNull().default(0),
  closedBy: text('closed_by'),
  closedByCallId: text('closed_by_call_id'),
  closeNote: text('close_note'),
});

export const meetingStatuses = ['routing', 'offered', 'unassigned', 'assigned', 'held', 'no_show', 'rescheduled', 'lost', 'won', 'cancelled'] as const;
export type MeetingStatus = (typeof meetingStatuses)[number];
export const offerStatuses = ['open', 'accepted', 'declined', 'expired', 'withdrawn'] as const;
export type OfferStatus = (typeof offerStatuses)[number];
export type AssignedHow = 'sticky' | 'pool' | 'manual';

export const hunterRouting = pgTable('hunter_routing', {
  userId: text('user_id').primaryKey(),
  weight: numeric('weight', { mode: 'number' }).notNull().default(1),
  dailyCap: integer('daily_cap'),
  weeklyCap: integer('weekly_cap'),
  credit: numeric('credit', { mode: 'number' }).notNull().default(0),
  creditPeriod: text('credit_period'),
  creditedUntil: ts('credited_until'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const meetings = pgTable('meetings', {
  id: text('id').primaryKey(),
  contactId: text('contact_id').notNull(),
  bookedBy: text('booked_by').notNull(),
  sourceId: text('source_id'),
  callId: text('call_id'),
  scheduledAt: ts('scheduled_at').notNull(),
  durationMinutes: integer('duration_minutes').notNull(),
  location: text('location'),
  notes: text('notes'),
  status: text('status').$type<MeetingStatus>().notNull().default('routing'),
  hunterId: text('hunter_id'),
  assignedAt: ts('assigned_at'),
  assignedHow: text('assigned_how').$type<AssignedHow>(),
  outcomeReason: text('outcome_reason'),
  outcomeAt: ts('outcome_at'),
  heldAt: ts('held_at'),
  rescheduledFrom: ts('rescheduled_from'),
  idempotencyKey: text('idempotency_key'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const meetingOffers = pgTable('meeting_offers', {
  id: text('id').primaryKey(),
  meetingId: text('meeting_id').notNull(),
  hunterId: text('hunter_id').notNull(),
  how: text('how').$type<'sticky' | 'pool'>().notNull(),
  offeredAt: ts('offered_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  status: text('status').$type<OfferStatus>().notNull().default('open'),
  declineReason: text('decline_reason'),
  respondedAt: ts('responded_at'),
});

export const routingDecisions = pgTable('routing_decisions', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  meetingId: text('meeting_id').notNull(),
  at: ts('at').notNull(),
  kind: text('kind').$type<'offer' | 'accepted' | 'declined' | 'expired' | 'no_candidates' | 'manual' | 'withdrawn' | 'outcome'>().notNull(),
  hunterId: text('hunter_id'),
  actorId: text('actor_id'),
  detail: jsonb('detail').notNull(),
});

export const deals = pgTable('deals', {
  id: text('id').primaryKey(),
  contactId: text('contact_id').notNull(),
  amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  dealDate: ts('deal_date').notNull(),
  dueAt: ts('due_at').notNull(),
  items: jsonb('items'),
  notes: text('notes'),
  isFirst: boolean('is_first').notNull().default(false),
  createdBy: text('created_by').notNull(),
  commissionHunterId: text('commission_hunter_id'),
  commissionPercent: numeric('commission_percent', { mode: 'number' }),
  commissionMinor: bigint('commission_minor', { mode: 'number' }),
  idempotencyKey: text('idempotency_key'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const payments = pgTable('payments', {
  id: text('id').primaryKey(),
  dealId: text('deal_id').notNull(),
  amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
  paidAt: ts('paid_at').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const handoffs = pgTable('handoffs', {
  id: text('id').primaryKey(),
  contactId: text('contact_id').notNull(),
  dealId: text('deal_id').notNull(),
  fromHunterId: text('from_hunter_id'),
  toAccountManagerId: text('to_account_manager_id'),
  at: ts('at').notNull(),
  reason: jsonb('reason').notNull(),
});

export type TaskKind = 'introduction' | 'debt_due' | 'debt_overdue' | 'assign_manager';
export const tasks = pgTable('tasks', {
  id: text('id').primaryKey(),
  kind: text('kind').$type<TaskKind>().notNull(),
  contactId: text('contact_id').notNull(),
  assigneeId: text('assignee_id'),
  dealId: text('deal_id'),
  title: text('title').notNull(),
  dueAt: ts('due_at'),
  status: text('status').$type<'open' | 'done' | 'cancelled'>().notNull().default('open'),
  createdAt: ts('created_at').notNull(),
  doneAt: ts('done_at'),
});

export const commissionRates = pgTable('commission_rates', {
  userId: text('user_id').primaryKey(),
  percent: numeric('percent', { mode: 'number' }).notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const clientCategoryHistory = pgTable('client_category_history', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  contactId: text('contact_id').notNull(),
  computedAt: ts('computed_at').notNull(),
  periodStart: ts('period_start').notNull(),
  turnoverMinor: bigint('turnover_minor', { mode: 'number' }).notNull(),
  category: text('category').notNull(),
  riskGroup: integer('risk_group').notNull(),
  violations: integer('violations').notNull(),
  maxOverdueDays: integer('max_overdue_days').notNull(),
  importance: text('importance').notNull(),
  status: text('status').notNull(),
});

export const workloadHistory = pgTable(
  'workload_history',
  {
    userId: text('user_id').notNull(),
    computedAt: ts('computed_at').notNull(),
    clients: integer('clients').notNull(),
    abandoned: integer('abandoned').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.computedAt] })],
);

/** An administrator-managed list of reasons (pause reasons, refusal reasons): one shape. */
const reasonTable = <N extends string>(name: N) =>
  pgTable(name, {
    id: text('id').primaryKey(),
    label: text('label').notNull(),
    active: boolean('active').notNull().default(true),
    position: integer('position').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  });
export type ReasonTable<N extends string = 'pause_reasons' | 'refusal_reasons'> = ReturnType<typeof reasonTable<N>>;

export const pauseReasons = reasonTable('pause_reasons');

export const dncNumbers = pgTable('dnc_numbers', {
  phone: text('phone').primaryKey(),
  reason: text('reason'),
  addedBy: text('added_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const refusalReasons = reasonTable('refusal_reasons');

export type RetryMinutes = { no_answer: number; busy: number; voicemail: number };

export const campaigns = pgTable('campaigns', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  status: text('status').$type<'active' | 'paused'>().notNull().default('paused'),
  priority: integer('priority').notNull().default(0),
  callerId: text('caller_id'),
  sourceId: text('source_id'),
  windowStart: text('window_start').notNull().default('09:00'),
  windowEnd: text('window_end').notNull().default('21:00'),
  windowDays: integer('window_days').array().notNull(),
  maxAttempts: integer('max_attempts').notNull().default(5),
  retryMinutes: jsonb('retry_minutes').$type<RetryMinutes>().notNull(),
  scriptId: text('script_id'),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const campaignMembers = pgTable(
  'campaign_members',
  {
    campaignId: text('campaign_id').notNull(),
    userId: text('user_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.userId] })],
);

export const dialLists = pgTable('dial_lists', {
  id: text('id').primaryKey(),
  campaignId: text('campaign_id').notNull(),
  name: text('name').notNull(),
  status: text('status').$type<'importing' | 'ready' | 'failed'>().notNull().default('importing'),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const importJobs = pgTable('import_jobs', {
  id: text('id').primaryKey(),
  listId: text('list_id').notNull(),
  campaignId: text('campaign_id').notNull(),
  status: text('status').$type<'running' | 'done' | 'failed'>().notNull().default('running'),
  total: integer('total').notNull().default(0),
  imported: integer('imported').notNull().default(0),
  duplicates: integer('duplicates').notNull().default(0),
  invalid: integer('invalid').notNull().default(0),
  dnc: integer('dnc').notNull().default(0),
  skipped: integer('skipped').notNull().default(0),
  error: text('error'),
  options: jsonb('options').notNull(),
  createdBy: text('created_by'),
  startedAt: ts('started_at').notNull(),
  finishedAt: ts('finished_at'),
});

export const rejectKinds = ['invalid', 'duplicate', 'dnc', 'skipped'] as const;
export type RejectKind = (typeof rejectKinds)[number];

export const importRejects = pgTable(
  'import_rejects',
  {
    jobId: text('job_id').notNull(),
    line: integer('line').notNull(),
    kind: text('kind').$type<RejectKind>().notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.line] })],
);

export const dispositionKinds = ['no_answer', 'busy', 'voicemail', 'callback', 'not_interested', 'wrong_number', 'do_not_call', 'meeting_booked'] as const;
export type DispositionKind = (typeof dispositionKinds)[number];

export const dialEntries = pgTable('dial_entries', {
  id: text('id').primaryKey(),
  campaignId: text('campaign_id').notNull(),
  listId: text('list_id').notNull(),
  contactId: text('contact_id').notNull(),
  phone: text('phone').notNull(),
  timezone: text('timezone').notNull(),
  line: integer('line'),
  fields: jsonb('fields').$type<Record<string, string> | null>(),
  status: text('status').$type<'pending' | 'locked' | 'done'>().notNull().default('pending'),
    nextAt: ts('next_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
  lockedBy: text('locked_by'),
  lockedUntil: ts('locked_until'),
  callbackOwner: text('callback_owner'),
  lastDisposition: text('last_disposition').$type<DispositionKind | null>(),
  outcome: text('outcome'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const dispositions = pgTable('dispositions', {
  id: text('id').primaryKey(),
  entryId: text('entry_id').notNull(),
  campaignId: text('campaign_id').notNull(),
  contactId: text('contact_id').notNull(),
  operatorId: text('operator_id').notNull(),
  callId: text('call_id'),
  kind: text('kind').$type<DispositionKind>().notNull(),
  reason: text('reason'),
  callbackAt: ts('callback_at'),
  meetingId: text('meeting_id'),
  note: text('note'),
  createdAt: ts('created_at').notNull(),
});

export const outcomeKinds = ['meeting_booked', 'callback', 'not_interested', 'wrong_number', 'do_not_call', 'completed'] as const;
export type OutcomeKind = (typeof outcomeKinds)[number];

export interface ScriptField {
  key: string;
  label: string;
  type: 'text' | 'number' | 'yes_no' | 'choice';
  choices: string[];
  required: boolean;
}
export interface ScriptStep {
  id: string;
  kind: 'say' | 'objection' | 'outcome';
  title: string;
  text: string;
  fields: ScriptField[];
  options: Array<{ id: string; label: string; next: string }>;
  outcome: { kind: OutcomeKind; reason?: string } | null;
}
export interface ScriptGraph {
  start: string;
  steps: ScriptStep[];
}

export const callScripts = pgTable('call_scripts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  description: text('description'),
  inbound: boolean('inbound').notNull().default(false),
  draft: jsonb('draft').$type<ScriptGraph>().notNull(),
  draftUpdatedAt: ts('draft_updated_at').notNull(),
  publishedVersion: integer('published_version'),
  createdBy: text('created_by'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const callScriptVersions = pgTable(
  'call_script_versions',
  {
    scriptId: text('script_id').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    graph: jsonb('graph').$type<ScriptGraph>().notNull(),
    publishedBy: text('published_by'),
    publishedAt: ts('published_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scriptId, t.version] })],
);

export const scriptRuns = pgTable('script_runs', {
  id: text('id').primaryKey(),
  scriptId: text('script_id').notNull(),
  version: integer('version').notNull(),
  callId: text('call_id'),
  entryId: text('entry_id'),
  contactId: text('contact_id'),
  operatorId: text('operator_id').notNull(),
  path: text('path').array().notNull(),
  choices: text('choices').array().notNull(),
  answers: jsonb('answers').$type<Record<string, string | number | boolean>>().notNull(),
  outcome: text('outcome').$type<OutcomeKind | null>(),
  createdAt: ts('created_at').notNull(),
});

/** Which instance holds each Asterisk server's ARI connection (the advisory lock decides; this row tells). */
export const pbxLeases = pgTable('pbx_leases', {
  pbx: text('pbx').primaryKey(),
  instanceId: text('instance_id').notNull(),
  instanceUrl: text('instance_url').notNull(),
  acquiredAt: ts('acquired_at').notNull(),
  renewedAt: ts('renewed_at').notNull(),
  ariState: text('ari_state').notNull(),
  detail: text('detail').notNull(),
});

/** Tokens signed out before they expire. */
export const revokedTokens = pgTable('revoked_tokens', {
  jti: text('jti').primaryKey(),
  userId: text('user_id').notNull(),
  expiresAt: ts('expires_at').notNull(),
});

/** Changes made through the supervisors' routes: who, when, what, with which input. */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  at: ts('at').notNull(),
  actorId: text('actor_id').notNull(),
  actorRole: text('actor_role').notNull(),
  action: text('action').notNull(),
  entityId: text('entity_id'),
  status: integer('status').notNull(),
  detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  requestId: text('request_id'),
  ip: text('ip'),
});
