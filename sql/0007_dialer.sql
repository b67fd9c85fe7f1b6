-- Outbound campaigns: dial lists imported from CSV, the do-not-call list, atomic allocation of the next
-- entry to an operator, and the disposition each call ends with.

CREATE TABLE dnc_numbers (
  phone      text PRIMARY KEY CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  reason     text,
  added_by   text REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The administrator's list of reasons an operator records with "not interested".
CREATE TABLE refusal_reasons (
  id         text PRIMARY KEY,
  label      text NOT NULL,
  active     boolean NOT NULL DEFAULT true,
  position   integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX refusal_reasons_label_key ON refusal_reasons (lower(label));

CREATE TABLE campaigns (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  status        text NOT NULL DEFAULT 'paused' CHECK (status IN ('active', 'paused')),
  priority      integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN 0 AND 100),
  caller_id     text CHECK (caller_id ~ '^\+[1-9][0-9]{6,14}$'),
  source_id     text REFERENCES sources (id),
  -- Calling window in the contact's local time, on these ISO weekdays (1 = Monday).
  window_start  time NOT NULL DEFAULT '09:00',
  window_end    time NOT NULL DEFAULT '21:00',
  window_days   integer[] NOT NULL DEFAULT '{1,2,3,4,5}',
  max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 50),
  -- Minutes until the next try, per disposition (no_answer, busy, voicemail).
  retry_minutes jsonb NOT NULL DEFAULT '{"no_answer": 120, "busy": 15, "voicemail": 240}',
  created_by    text REFERENCES users (id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (window_end > window_start)
);
CREATE UNIQUE INDEX campaigns_name_key ON campaigns (lower(name));

-- Operators working a campaign.
CREATE TABLE campaign_members (
  campaign_id text NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  user_id     text NOT NULL REFERENCES users (id),
  PRIMARY KEY (campaign_id, user_id)
);
CREATE INDEX campaign_members_user_idx ON campaign_members (user_id);

CREATE TABLE dial_lists (
  id          text PRIMARY KEY,
  campaign_id text NOT NULL REFERENCES campaigns (id),
  name        text NOT NULL,
  -- Entries of a list that is still importing (or failed) are never handed out.
  status      text NOT NULL DEFAULT 'importing' CHECK (status IN ('importing', 'ready', 'failed')),
  created_by  text REFERENCES users (id),
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dial_lists_campaign_idx ON dial_lists (campaign_id);

CREATE TABLE import_jobs (
  id          text PRIMARY KEY,
  list_id     text NOT NULL REFERENCES dial_lists (id),
  campaign_id text NOT NULL REFERENCES campaigns (id),
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  total       integer NOT NULL DEFAULT 0,
  imported    integer NOT NULL DEFAULT 0,
  duplicates  integer NOT NULL DEFAULT 0,
  invalid     integer NOT NULL DEFAULT 0,
  dnc         integer NOT NULL DEFAULT 0,
  skipped     integer NOT NULL DEFAULT 0,
  error       text,
  options     jsonb NOT NULL,
  created_by  text REFERENCES users (id),
  started_at  timestamptz NOT NULL,
  finished_at timestamptz
);

-- Every row that was not imported, with its line in the file and why.
CREATE TABLE import_rejects (
  job_id text NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
  line   integer NOT NULL,
  kind   text NOT NULL CHECK (kind IN ('invalid', 'duplicate', 'dnc', 'skipped')),
  reason text NOT NULL,
  PRIMARY KEY (job_id, line)
);

-- Written a million at a time by imports: campaign_id and list_id carry no foreign keys (a per-row check
-- would triple the cost); campaigns and lists are never deleted, and only an import writes entries.
CREATE TABLE dial_entries (
  id              text PRIMARY KEY,
  campaign_id     text NOT NULL,
  list_id         text NOT NULL,
  contact_id      text NOT NULL REFERENCES contacts (id),
  phone           text NOT NULL,
  timezone        text NOT NULL,
  line            integer,
  fields          jsonb,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'locked', 'done')),
  next_at         timestamptz NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  locked_by       text REFERENCES users (id),
  locked_until    timestamptz,
  -- A personal callback comes back to this operator at next_at.
  callback_owner  text REFERENCES users (id),
  last_disposition text,
  outcome         text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, phone)
);
-- The next entry of a campaign: walked in due order until one passes the filters (LIMIT 1, SKIP LOCKED).
CREATE INDEX dial_entries_due_idx ON dial_entries (campaign_id, next_at, id) WHERE status = 'pending';
CREATE INDEX dial_entries_locked_idx ON dial_entries (locked_until) WHERE status = 'locked';
CREATE INDEX dial_entries_operator_idx ON dial_entries (locked_by) WHERE status = 'locked';
CREATE INDEX dial_entries_callback_idx ON dial_entries (callback_owner) WHERE callback_owner IS NOT NULL AND status = 'pending';

CREATE TABLE dispositions (
  id          text PRIMARY KEY,
  entry_id    text NOT NULL REFERENCES dial_entries (id),
  campaign_id text NOT NULL REFERENCES campaigns (id),
  contact_id  text NOT NULL REFERENCES contacts (id),
  operator_id text NOT NULL REFERENCES users (id),
  call_id     text REFERENCES calls (id),
  kind        text NOT NULL CHECK (kind IN ('no_answer', 'busy', 'voicemail', 'callback', 'not_interested',
                                             'wrong_number', 'do_not_call', 'meeting_booked')),
  reason      text,
  callback_at timestamptz,
  meeting_id  text REFERENCES meetings (id),
  note        text,
  created_at  timestamptz NOT NULL
);
CREATE INDEX dispositions_entry_idx ON dispositions (entry_id, created_at);
CREATE INDEX dispositions_campaign_idx ON dispositions (campaign_id, created_at);

-- Rows of an import being read, before they are checked and saved in one transaction.
CREATE UNLOGGED TABLE import_staging (
  job_id       text NOT NULL,
  line         integer NOT NULL,
  phone        text NOT NULL,
  extra_phones text[],
  name         text,
  company      text,
  email        text,
  timezone     text NOT NULL,
  fields       jsonb,
  contact_id   text NOT NULL,
  entry_id     text NOT NULL,
  existing     boolean NOT NULL DEFAULT false,
  verdict      text,
  reason       text,
  PRIMARY KEY (job_id, line)
);
CREATE INDEX import_staging_phone_idx ON import_staging (job_id, phone);
