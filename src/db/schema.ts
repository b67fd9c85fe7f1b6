import { bigint, boolean, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

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

export const userStatuses = ['available', 'paused', 'offline'] as const;
export type UserStatus = (typeof userStatuses)[number];

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
  tokenVersion: integer('token_version').notNull().default(0),
  lastLoginAt: ts('last_login_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

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
