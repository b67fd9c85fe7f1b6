-- Which instance holds each Asterisk server's ARI connection. Exclusivity comes from a session-level
-- advisory lock held by that instance; this row only says who it is and where other instances reach it
-- (to pass on click-to-call and listening, and for /health). A row not renewed for a while is stale.
CREATE TABLE pbx_leases (
  pbx text PRIMARY KEY,
  instance_id text NOT NULL,
  instance_url text NOT NULL,
  acquired_at timestamptz NOT NULL,
  renewed_at timestamptz NOT NULL,
  -- The holder's ARI connection as of its last renewal (connected, reconnecting, …) and why.
  ari_state text NOT NULL,
  detail text NOT NULL
);
