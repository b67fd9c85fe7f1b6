-- Call capture and source attribution: tracking numbers (static and a dynamic pool), website visitor
-- sessions, call records with their legs and raw events, website requests and callback tasks.

-- A visitor session whose utm_source matches is credited to this source.
ALTER TABLE sources ADD COLUMN utm_source text;
CREATE UNIQUE INDEX sources_utm_source_key ON sources (lower(utm_source)) WHERE utm_source IS NOT NULL;

CREATE TABLE tracking_numbers (
  id               text PRIMARY KEY,
  number           text NOT NULL UNIQUE CHECK (number ~ '^\+[1-9][0-9]{6,14}$'),
  source_id        text NOT NULL REFERENCES sources (id),
  kind             text NOT NULL CHECK (kind IN ('static', 'pool')),
  active           boolean NOT NULL DEFAULT true,
  last_assigned_at timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tracking_numbers_pool_idx ON tracking_numbers (last_assigned_at NULLS FIRST) WHERE kind = 'pool' AND active;

-- A website visit holding a pool number from created_at until expires_at (extended by pings).
CREATE TABLE track_sessions (
  id            text PRIMARY KEY,
  visitor_id    text,
  utm_source    text,
  utm_medium    text,
  utm_campaign  text,
  utm_term      text,
  utm_content   text,
  referrer      text,
  landing_url   text,
  source_id     text REFERENCES sources (id),
  number_id     text REFERENCES tracking_numbers (id),
  shared        boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX track_sessions_number_idx ON track_sessions (number_id, expires_at);
CREATE INDEX track_sessions_visitor_idx ON track_sessions (visitor_id, expires_at) WHERE visitor_id IS NOT NULL;

CREATE TABLE calls (
  id                     text PRIMARY KEY,
  pbx                    text NOT NULL DEFAULT 'default',
  linkedid               text NOT NULL,
  direction              text NOT NULL CHECK (direction IN ('inbound', 'outbound', 'internal')),
  from_number            text,
  to_number              text,
  did                    text,
  endpoint               text,
  started_at             timestamptz NOT NULL,
  answered_at            timestamptz,
  ended_at               timestamptz,
  wait_seconds           integer,
  talk_seconds           integer,
  status                 text NOT NULL DEFAULT 'in_progress'
                         CHECK (status IN ('in_progress', 'answered', 'missed', 'abandoned', 'busy', 'failed')),
  hangup_cause           integer,
  hangup_cause_text      text,
  close_reason           text,
  source_id              text REFERENCES sources (id),
  attribution_method     text NOT NULL DEFAULT 'unknown'
                         CHECK (attribution_method IN ('static_number', 'dynamic_number', 'campaign', 'repeat_caller', 'unknown')),
  attribution_session_id text REFERENCES track_sessions (id),
  attribution_utm        jsonb,
  ambiguous              boolean NOT NULL DEFAULT false,
  repeat_caller          boolean NOT NULL DEFAULT false,
  target                 boolean NOT NULL DEFAULT false,
  contact_id             text REFERENCES contacts (id),
  operator_id            text REFERENCES users (id),
  campaign_id            text,
  recording_name         text,
  captured_by            text NOT NULL CHECK (captured_by IN ('ari', 'reconcile', 'cel', 'manual')),
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (pbx, linkedid)
);
CREATE INDEX calls_started_idx ON calls (started_at DESC, id DESC);
CREATE INDEX calls_open_idx ON calls (pbx) WHERE ended_at IS NULL;
CREATE INDEX calls_source_idx ON calls (source_id, started_at DESC);
CREATE INDEX calls_contact_idx ON calls (contact_id, started_at DESC);

CREATE TABLE call_legs (
  pbx         text NOT NULL DEFAULT 'default',
  channel_id  text NOT NULL,
  call_id     text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  name        text NOT NULL,
  caller      text,
  state       text,
  created_at  timestamptz NOT NULL,
  answered_at timestamptz,
  ended_at    timestamptz,
  cause       integer,
  cause_text  text,
  PRIMARY KEY (pbx, channel_id)
);
CREATE INDEX call_legs_call_idx ON call_legs (call_id);

-- Raw events kept for audit; the unique key makes a redelivered event a no-op.
CREATE TABLE call_events (
  id         bigserial PRIMARY KEY,
  call_id    text NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
  channel_id text NOT NULL,
  type       text NOT NULL,
  at         timestamptz NOT NULL,
  dedupe_key text NOT NULL UNIQUE,
  payload    jsonb NOT NULL
);
CREATE INDEX call_events_call_idx ON call_events (call_id, id);

-- Website forms ("call me back"), captured like calls.
CREATE TABLE web_requests (
  id                     text PRIMARY KEY,
  session_id             text REFERENCES track_sessions (id),
  name                   text NOT NULL,
  phone                  text NOT NULL,
  comment                text,
  contact_id             text NOT NULL REFERENCES contacts (id),
  source_id              text REFERENCES sources (id),
  attribution_method     text NOT NULL,
  attribution_utm        jsonb,
  created_at             timestamptz NOT NULL
);

CREATE TABLE callback_tasks (
  id          text PRIMARY KEY,
  reason      text NOT NULL CHECK (reason IN ('web_request', 'missed_call', 'abandoned_call')),
  phone       text NOT NULL,
  contact_id  text REFERENCES contacts (id),
  source_id   text REFERENCES sources (id),
  call_id     text REFERENCES calls (id),
  request_id  text REFERENCES web_requests (id),
  wait_seconds integer,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  created_at  timestamptz NOT NULL,
  closed_at   timestamptz
);
CREATE INDEX callback_tasks_open_idx ON callback_tasks (created_at) WHERE status = 'open';
