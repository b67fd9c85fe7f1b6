-- Call scripts: a graph of steps the administrator edits as a draft and publishes as immutable versions;
-- each run of a script on a call keeps the version, the path walked and the answers captured.

CREATE TABLE call_scripts (
  id                text PRIMARY KEY,
  name              text NOT NULL,
  description       text,
  -- The script operators see on inbound calls (at most one).
  inbound           boolean NOT NULL DEFAULT false,
  draft             jsonb NOT NULL,
  draft_updated_at  timestamptz NOT NULL,
  published_version integer,
  created_by        text REFERENCES users (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX call_scripts_name_key ON call_scripts (lower(name));
CREATE UNIQUE INDEX call_scripts_inbound_key ON call_scripts ((true)) WHERE inbound;

CREATE TABLE call_script_versions (
  script_id    text NOT NULL REFERENCES call_scripts (id),
  version      integer NOT NULL CHECK (version > 0),
  name         text NOT NULL,
  graph        jsonb NOT NULL,
  published_by text REFERENCES users (id),
  published_at timestamptz NOT NULL,
  PRIMARY KEY (script_id, version)
);

-- A published version is what operators walked: it never changes.
CREATE FUNCTION call_script_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'published script versions are immutable';
END;
$$;
CREATE TRIGGER call_script_versions_immutable BEFORE UPDATE OR DELETE ON call_script_versions
  FOR EACH ROW EXECUTE FUNCTION call_script_versions_immutable();

CREATE TABLE script_runs (
  id           text PRIMARY KEY,
  script_id    text NOT NULL,
  version      integer NOT NULL,
  call_id      text REFERENCES calls (id),
  entry_id     text REFERENCES dial_entries (id),
  contact_id   text REFERENCES contacts (id),
  operator_id  text NOT NULL REFERENCES users (id),
  -- Step ids in the order walked, and the answer options chosen ("step:option").
  path         text[] NOT NULL,
  choices      text[] NOT NULL,
  answers      jsonb NOT NULL DEFAULT '{}',
  outcome      text CHECK (outcome IN ('meeting_booked', 'callback', 'not_interested', 'wrong_number', 'do_not_call', 'completed')),
  created_at   timestamptz NOT NULL,
  FOREIGN KEY (script_id, version) REFERENCES call_script_versions (script_id, version)
);
CREATE INDEX script_runs_script_idx ON script_runs (script_id, version, created_at);
CREATE INDEX script_runs_call_idx ON script_runs (call_id) WHERE call_id IS NOT NULL;
CREATE INDEX script_runs_entry_idx ON script_runs (entry_id) WHERE entry_id IS NOT NULL;

ALTER TABLE campaigns ADD COLUMN script_id text REFERENCES call_scripts (id);
