-- A panel that reconnects is told about the call its user's phone is ringing with: the open ring attempts
-- of one person, found without reading every attempt.
CREATE INDEX acd_attempts_open_idx ON acd_attempts (user_id, started_at) WHERE ended_at IS NULL;
