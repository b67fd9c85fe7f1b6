-- Clients after the first sale: deals, the handoff to an account manager, commission, payments,
-- categories with history, tasks.

ALTER TABLE contacts
  ADD COLUMN category           text CHECK (category IN ('A', 'B', 'C')),
  ADD COLUMN risk_group         smallint CHECK (risk_group BETWEEN 0 AND 3),
  ADD COLUMN importance         text CHECK (importance IN ('key', 'middle', 'small')),
  ADD COLUMN credit_limit_minor bigint CHECK (credit_limit_minor >= 0),
  ADD COLUMN deferral_days      integer CHECK (deferral_days >= 0),
  ADD COLUMN client_since       timestamptz;

CREATE TABLE deals (
  id               text PRIMARY KEY,
  contact_id       text NOT NULL REFERENCES contacts (id),
  amount_minor     bigint NOT NULL CHECK (amount_minor > 0),
  currency         text NOT NULL,
  deal_date        timestamptz NOT NULL,
  due_at           timestamptz NOT NULL,
  items            jsonb,
  notes            text,
  is_first         boolean NOT NULL DEFAULT false,
  created_by       text NOT NULL REFERENCES users (id),
  -- The hunter who brought the client earns a share of its later deals.
  commission_hunter_id text REFERENCES users (id),
  commission_percent   numeric(5, 2),
  commission_minor     bigint,
  idempotency_key  text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
-- One first sale per contact, even under concurrent requests.
CREATE UNIQUE INDEX deals_one_first ON deals (contact_id) WHERE is_first;
CREATE UNIQUE INDEX deals_idempotency_key ON deals (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX deals_contact_idx ON deals (contact_id, deal_date);
CREATE INDEX deals_date_idx ON deals (deal_date);
CREATE INDEX deals_commission_idx ON deals (commission_hunter_id, deal_date) WHERE commission_hunter_id IS NOT NULL;

CREATE TABLE payments (
  id           text PRIMARY KEY,
  deal_id      text NOT NULL REFERENCES deals (id),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  paid_at      timestamptz NOT NULL,
  created_by   text NOT NULL REFERENCES users (id),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_deal_idx ON payments (deal_id, paid_at);

CREATE TABLE handoffs (
  id                    text PRIMARY KEY,
  contact_id            text NOT NULL UNIQUE REFERENCES contacts (id),
  deal_id               text NOT NULL REFERENCES deals (id),
  from_hunter_id        text REFERENCES users (id),
  to_account_manager_id text REFERENCES users (id),
  at                    timestamptz NOT NULL,
  reason                jsonb NOT NULL
);
CREATE INDEX handoffs_manager_idx ON handoffs (to_account_manager_id, at);

CREATE TABLE tasks (
  id          text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('introduction', 'debt_due', 'debt_overdue', 'assign_manager')),
  contact_id  text NOT NULL REFERENCES contacts (id),
  assignee_id text REFERENCES users (id),
  deal_id     text REFERENCES deals (id),
  title       text NOT NULL,
  due_at      timestamptz,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
  created_at  timestamptz NOT NULL,
  done_at     timestamptz
);
-- A reminder about one deal's debt is raised once per kind.
CREATE UNIQUE INDEX tasks_debt_once ON tasks (kind, deal_id) WHERE kind IN ('debt_due', 'debt_overdue');
CREATE INDEX tasks_assignee_idx ON tasks (assignee_id, status, due_at);
CREATE INDEX tasks_contact_idx ON tasks (contact_id);

CREATE TABLE commission_rates (
  user_id    text PRIMARY KEY REFERENCES users (id),
  percent    numeric(5, 2) NOT NULL CHECK (percent >= 0 AND percent <= 100),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every recomputation of a client's categories, so that changes can be followed.
CREATE TABLE client_category_history (
  id               bigserial PRIMARY KEY,
  contact_id       text NOT NULL REFERENCES contacts (id),
  computed_at      timestamptz NOT NULL,
  period_start     timestamptz NOT NULL,
  turnover_minor   bigint NOT NULL,
  category         text NOT NULL,
  risk_group       smallint NOT NULL,
  violations       integer NOT NULL,
  max_overdue_days integer NOT NULL,
  importance       text NOT NULL,
  status           text NOT NULL
);
CREATE INDEX client_category_history_contact_idx ON client_category_history (contact_id, computed_at);

-- Each account manager's load when categories are recomputed ("abandoned clients persist").
CREATE TABLE workload_history (
  user_id     text NOT NULL REFERENCES users (id),
  computed_at timestamptz NOT NULL,
  clients     integer NOT NULL,
  abandoned   integer NOT NULL,
  PRIMARY KEY (user_id, computed_at)
);
