-- Booked meetings routed to active sales as offers, with every routing decision kept.

-- Per-hunter routing settings: a weight for the fair share and optional caps.
CREATE TABLE hunter_routing (
  user_id      text PRIMARY KEY REFERENCES users (id),
  weight       numeric(6, 2) NOT NULL DEFAULT 1 CHECK (weight > 0),
  daily_cap    integer CHECK (daily_cap >= 0),
  weekly_cap   integer CHECK (weekly_cap >= 0),
  -- Meetings counted as if assigned in the current period when a hunter returns from an absence at the
  -- team's level (no catch-up burst). `credit_period` is the period it applies to.
  credit         numeric(10, 2) NOT NULL DEFAULT 0,
  credit_period  text,
  -- Last absence end already accounted for in the credit.
  credited_until timestamptz,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE meetings (
  id               text PRIMARY KEY,
  contact_id       text NOT NULL REFERENCES contacts (id),
  booked_by        text NOT NULL REFERENCES users (id),
  source_id        text REFERENCES sources (id),
  call_id          text REFERENCES calls (id),
  scheduled_at     timestamptz NOT NULL,
  duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
  location         text,
  notes            text,
  status           text NOT NULL DEFAULT 'routing'
                   CHECK (status IN ('routing', 'offered', 'unassigned', 'assigned', 'held', 'no_show',
                                     'rescheduled', 'lost', 'won', 'cancelled')),
  hunter_id        text REFERENCES users (id),
  assigned_at      timestamptz,
  assigned_how     text CHECK (assigned_how IN ('sticky', 'pool', 'manual')),
  outcome_reason   text,
  outcome_at       timestamptz,
  rescheduled_from timestamptz,
  idempotency_key  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX meetings_idempotency_key ON meetings (booked_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX meetings_hunter_idx ON meetings (hunter_id, assigned_at);
CREATE INDEX meetings_assigned_idx ON meetings (assigned_at) WHERE assigned_at IS NOT NULL;
CREATE INDEX meetings_status_idx ON meetings (status, created_at);
CREATE INDEX meetings_contact_idx ON meetings (contact_id);
CREATE INDEX meetings_created_idx ON meetings (created_at DESC, id DESC);

CREATE TABLE meeting_offers (
  id             text PRIMARY KEY,
  meeting_id     text NOT NULL REFERENCES meetings (id),
  hunter_id      text NOT NULL REFERENCES users (id),
  how            text NOT NULL CHECK (how IN ('sticky', 'pool')),
  offered_at     timestamptz NOT NULL,
  expires_at     timestamptz NOT NULL,
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
  decline_reason text,
  responded_at   timestamptz
);
-- A meeting has at most one open offer at a time.
CREATE UNIQUE INDEX meeting_offers_one_open ON meeting_offers (meeting_id) WHERE status = 'open';
CREATE INDEX meeting_offers_due_idx ON meeting_offers (expires_at) WHERE status = 'open';
CREATE INDEX meeting_offers_hunter_idx ON meeting_offers (hunter_id, status);
CREATE INDEX meeting_offers_meeting_idx ON meeting_offers (meeting_id, offered_at);

-- The routing log: each decision with every candidate considered and why.
CREATE TABLE routing_decisions (
  id         bigserial PRIMARY KEY,
  meeting_id text NOT NULL REFERENCES meetings (id),
  at         timestamptz NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('offer', 'accepted', 'declined', 'expired', 'no_candidates',
                                           'manual', 'withdrawn', 'outcome')),
  hunter_id  text REFERENCES users (id),
  actor_id   text REFERENCES users (id),
  detail     jsonb NOT NULL
);
CREATE INDEX routing_decisions_meeting_idx ON routing_decisions (meeting_id, id);
