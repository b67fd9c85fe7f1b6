-- Operator states set by the system (ringing, on a call, wrap-up) beside those a user sets, and the
-- administrator's list of pause reasons.

ALTER TABLE users DROP CONSTRAINT users_status_check;
ALTER TABLE users ADD CONSTRAINT users_status_check
  CHECK (status IN ('available', 'paused', 'ringing', 'on_call', 'wrap_up', 'offline'));

CREATE TABLE pause_reasons (
  id         text PRIMARY KEY,
  label      text NOT NULL,
  active     boolean NOT NULL DEFAULT true,
  position   integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX pause_reasons_label_key ON pause_reasons (lower(label));
