-- Inbound distribution inside the Stasis app: operators' phones, every ring attempt, callback tasks
-- that are claimed first-in-first-out and closed by the outbound call that reaches the client.

-- The operator's phone: an extension (e.g. 1001) and which of their devices the app rings.
ALTER TABLE users
  ADD COLUMN extension    text CHECK (extension ~ '^[0-9]{2,8}$'),
  ADD COLUMN phone_device text NOT NULL DEFAULT 'softphone' CHECK (phone_device IN ('softphone', 'desk'));
CREATE UNIQUE INDEX users_extension_key ON users (extension) WHERE extension IS NOT NULL;
-- Longest idle first: the available people on the phones, oldest state change first.
CREATE INDEX users_available_idx ON users (status_changed_at) WHERE status = 'available' AND extension IS NOT NULL;

-- Each time a waiting caller's call rang someone: whom, why them, and how it ended.
CREATE TABLE acd_attempts (
  id          text PRIMARY KEY,
  call_id     text NOT NULL REFERENCES calls (id),
  user_id     text NOT NULL REFERENCES users (id),
  how         text NOT NULL CHECK (how IN ('owner', 'queue')),
  channel_id  text,
  started_at  timestamptz NOT NULL,
  ended_at    timestamptz,
  outcome     text CHECK (outcome IN ('answered', 'no_answer', 'failed', 'caller_gone'))
);
CREATE INDEX acd_attempts_call_idx ON acd_attempts (call_id, started_at);

ALTER TABLE calls
  ADD COLUMN queued_at   timestamptz,
  ADD COLUMN owner_id    text,
  ADD COLUMN acd_outcome text CHECK (acd_outcome IN ('answered', 'abandoned', 'timed_out', 'after_hours'));
ALTER TABLE calls DROP CONSTRAINT calls_attribution_method_check;
ALTER TABLE calls ADD CONSTRAINT calls_attribution_method_check
  CHECK (attribution_method IN ('static_number', 'dynamic_number', 'campaign', 'repeat_caller', 'callback', 'unknown'));
CREATE INDEX calls_operator_idx ON calls (operator_id, started_at) WHERE operator_id IS NOT NULL;

-- Callback tasks are claimed by one operator at a time and closed by the call that reached the client.
ALTER TABLE callback_tasks
  ADD COLUMN claimed_by       text REFERENCES users (id),
  ADD COLUMN claimed_until    timestamptz,
  ADD COLUMN attempts         integer NOT NULL DEFAULT 0,
  ADD COLUMN closed_by        text REFERENCES users (id),
  ADD COLUMN closed_by_call_id text REFERENCES calls (id),
  ADD COLUMN close_note       text;
CREATE INDEX callback_tasks_open_phone_idx ON callback_tasks (phone) WHERE status = 'open';
