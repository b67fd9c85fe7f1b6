-- Foundation: users and roles, working hours and absences, presence log, contacts with
-- normalized phones, marketing sources, rate-limit counters and service settings.

CREATE TABLE settings (
  key        text PRIMARY KEY,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id                text PRIMARY KEY,
  email             text NOT NULL,
  name              text NOT NULL,
  role              text NOT NULL CHECK (role IN ('admin', 'cc_admin', 'operator', 'sales_head',
                                                  'hunter', 'client_head', 'account_manager')),
  password_hash     text NOT NULL,
  active            boolean NOT NULL DEFAULT true,
  locale            text NOT NULL DEFAULT 'ru' CHECK (locale IN ('ru', 'en')),
  timezone          text NOT NULL,
  working_hours     jsonb,
  status            text NOT NULL DEFAULT 'offline' CHECK (status IN ('available', 'paused', 'offline')),
  status_reason     text,
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  token_version     integer NOT NULL DEFAULT 0,
  last_login_at     timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_role_idx ON users (role) WHERE active;

CREATE TABLE user_status_log (
  id         text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id),
  status     text NOT NULL,
  reason     text,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_status_log_user_idx ON user_status_log (user_id, at);

CREATE TABLE absences (
  id         text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id),
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  reason     text NOT NULL CHECK (reason IN ('vacation', 'sick', 'training', 'other')),
  note       text,
  created_by text NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);
CREATE INDEX absences_user_idx ON absences (user_id, starts_at);

CREATE TABLE sources (
  id                 text PRIMARY KEY,
  name               text NOT NULL,
  channel            text NOT NULL CHECK (channel IN ('paid_search', 'paid_social', 'organic', 'display',
                                                      'email', 'referral', 'offline', 'cold_list',
                                                      'partner', 'other')),
  monthly_cost_minor bigint CHECK (monthly_cost_minor >= 0),
  currency           text NOT NULL,
  active             boolean NOT NULL DEFAULT true,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sources_name_key ON sources (lower(name));

CREATE TABLE contacts (
  id                 text PRIMARY KEY,
  name               text NOT NULL,
  company            text,
  email              text,
  tax_id             text,
  status             text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'active', 'potential', 'lost')),
  hunter_id          text REFERENCES users (id),
  account_manager_id text REFERENCES users (id),
  first_source_id    text REFERENCES sources (id),
  first_touch_at     timestamptz NOT NULL DEFAULT now(),
  notes              text,
  created_by         text REFERENCES users (id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contacts_email_idx ON contacts (lower(email)) WHERE email IS NOT NULL;
CREATE INDEX contacts_tax_id_idx ON contacts (tax_id) WHERE tax_id IS NOT NULL;
CREATE INDEX contacts_hunter_idx ON contacts (hunter_id) WHERE hunter_id IS NOT NULL;
CREATE INDEX contacts_account_manager_idx ON contacts (account_manager_id) WHERE account_manager_id IS NOT NULL;

-- A number belongs to at most one contact: the phone itself is the key.
CREATE TABLE contact_phones (
  phone      text PRIMARY KEY CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  contact_id text NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  position   integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contact_phones_contact_idx ON contact_phones (contact_id);

-- Fixed-window counters shared by every instance (login attempts, public endpoints).
CREATE TABLE rate_limit_hits (
  key          text NOT NULL,
  window_start timestamptz NOT NULL,
  hits         integer NOT NULL,
  PRIMARY KEY (key, window_start)
);
