-- Tokens signed out before they expire (one session; "everywhere" bumps users.token_version instead).
-- Rows past expires_at are pruned: an expired token is refused anyway.
CREATE TABLE revoked_tokens (
  jti text PRIMARY KEY,
  user_id text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at);

-- Who changed what: every successful change made through a supervisors' route (users, scripts, numbers,
-- sources, campaigns, reassignment, …), with the request's input (secrets removed).
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id text NOT NULL,
  actor_role text NOT NULL,
  action text NOT NULL,
  entity_id text,
  status integer NOT NULL,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb,
  request_id text,
  ip text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_id, id DESC) WHERE entity_id IS NOT NULL;
