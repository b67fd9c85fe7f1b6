-- Report rollups: the funnel's call stage read from a row per day and group instead of every call of the
-- period, with the marks that make unique callers countable from it exactly (src/reports/rollups.ts).
--
-- A call's marks, per grouping (everything, source, campaign, operator): when the same caller's previous
-- call in the same group started (prev_*), and whether it is that caller's last call there (last_*).
-- The callers a group had in [F, T) are then its calls in [F, T) whose previous call is older than F, or,
-- counted from the other end, the callers whose last call is at or after F less those whose first call
-- from F on is at or after T. Internal calls have no marks; a call with no known caller (no contact, no
-- number) counts as a call but as nobody's: its previous call is 'infinity' and it is never the last.
CREATE TABLE report_call_marks (
  call_id       text PRIMARY KEY,
  caller_key    bigint,
  started_at    timestamptz NOT NULL,
  day           date NOT NULL,
  source_id     text,
  campaign_id   text,
  operator_id   text,
  target        boolean NOT NULL,
  -- For the operators' report: an inbound call answered, an outbound call, one answered, its talk time.
  handled       boolean NOT NULL,
  made          boolean NOT NULL,
  connected     boolean NOT NULL,
  talk          integer NOT NULL,
  prev_any      timestamptz,
  prev_source   timestamptz,
  prev_campaign timestamptz,
  prev_operator timestamptz,
  last_any      boolean NOT NULL,
  last_source   boolean NOT NULL,
  last_campaign boolean NOT NULL,
  last_operator boolean NOT NULL
);
CREATE INDEX report_call_marks_caller_idx ON report_call_marks (caller_key);
CREATE INDEX report_call_marks_started_idx ON report_call_marks (started_at)
  INCLUDE (source_id, campaign_id, operator_id, target, prev_any, prev_source, prev_campaign, prev_operator,
           last_any, last_source, last_campaign, last_operator);

-- Per local day (in `report_rollup_state.time_zone`) and group: calls, target calls, the callers whose
-- last call in that group was that day, and the operators' report's counts and talk seconds.
-- dim: 0 everything (key NULL), 1 source, 2 campaign, 3 operator.
CREATE TABLE report_call_days (
  dim       smallint NOT NULL CHECK (dim BETWEEN 0 AND 3),
  day       date NOT NULL,
  key       text,
  calls     integer NOT NULL,
  target    integer NOT NULL,
  lasts     integer NOT NULL,
  handled   integer NOT NULL,
  made      integer NOT NULL,
  connected integer NOT NULL,
  talk      bigint NOT NULL,
  CONSTRAINT report_call_days_key UNIQUE NULLS NOT DISTINCT (dim, day, key)
);

-- Callers whose calls changed since the marks were computed: written by the trigger below, consumed by
-- the refresh (NULL: the calls with no known caller). Append-only, so writing a call never waits on
-- another transaction here.
CREATE TABLE report_dirty_callers (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  caller_key bigint
);

-- One row: the time zone the days are in, and a version every refresh moves on (its row lock serialises
-- refreshes across instances).
CREATE TABLE report_rollup_state (
  id         boolean PRIMARY KEY DEFAULT true CHECK (id),
  time_zone  text,
  version    bigint NOT NULL DEFAULT 0,
  built_at   timestamptz,
  updated_at timestamptz
);
INSERT INTO report_rollup_state (id) VALUES (true);

CREATE FUNCTION report_calls_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO report_dirty_callers (caller_key) VALUES (OLD.caller_key);
  END IF;
  IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.caller_key IS DISTINCT FROM OLD.caller_key) THEN
    INSERT INTO report_dirty_callers (caller_key) VALUES (NEW.caller_key);
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER calls_report_rows AFTER INSERT OR DELETE ON calls
  FOR EACH ROW EXECUTE FUNCTION report_calls_changed();
CREATE TRIGGER calls_report_fields AFTER UPDATE ON calls
  FOR EACH ROW WHEN (OLD.caller_key IS DISTINCT FROM NEW.caller_key OR OLD.started_at IS DISTINCT FROM NEW.started_at
                     OR OLD.direction IS DISTINCT FROM NEW.direction OR OLD.source_id IS DISTINCT FROM NEW.source_id
                     OR OLD.campaign_id IS DISTINCT FROM NEW.campaign_id OR OLD.operator_id IS DISTINCT FROM NEW.operator_id
                     OR OLD.target IS DISTINCT FROM NEW.target OR OLD.answered_at IS DISTINCT FROM NEW.answered_at
                     OR OLD.talk_seconds IS DISTINCT FROM NEW.talk_seconds)
  EXECUTE FUNCTION report_calls_changed();

-- The refresh reads a caller's calls.
CREATE INDEX calls_caller_key_idx ON calls (caller_key);

-- The funnel's other stages per local day and group: new leads, meetings booked and held, first sales and
-- revenue (in `report_rollup_state.currency`). grouping: 1 source, 2 campaign, 3 operator, 4 hunter; every
-- event is in exactly one row of each grouping, so one grouping's rows also give the day's totals.
CREATE TABLE report_stage_days (
  grouping    smallint NOT NULL CHECK (grouping BETWEEN 1 AND 4),
  day         date NOT NULL,
  key         text,
  leads       integer NOT NULL,
  booked      integer NOT NULL,
  held        integer NOT NULL,
  first_sales integer NOT NULL,
  revenue     bigint NOT NULL,
  CONSTRAINT report_stage_days_key UNIQUE NULLS NOT DISTINCT (grouping, day, key)
);
ALTER TABLE report_rollup_state ADD COLUMN currency text;

-- Instants whose local day's stage rows must be counted again: a lead, meeting or deal of that day, or
-- what it is attributed to, changed. Append-only, like report_dirty_callers.
CREATE TABLE report_dirty_days (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL
);

-- The days of a contact's lead, meetings and deals (its attribution decides their groups).
CREATE FUNCTION report_contact_days(contact text) RETURNS void LANGUAGE sql AS $$
  INSERT INTO report_dirty_days (at)
  SELECT at FROM (
    SELECT lead_at AS at FROM contacts WHERE id = contact
    UNION ALL SELECT created_at FROM meetings WHERE contact_id = contact
    UNION ALL SELECT held_at FROM meetings WHERE contact_id = contact
    UNION ALL SELECT deal_date FROM deals WHERE contact_id = contact
  ) d WHERE at IS NOT NULL
$$;

CREATE FUNCTION report_contacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.lead_at IS NOT NULL THEN
    INSERT INTO report_dirty_days (at) VALUES (OLD.lead_at);
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.lead_at IS NOT NULL THEN INSERT INTO report_dirty_days (at) VALUES (NEW.lead_at); END IF;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM report_contact_days(NEW.id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER contacts_report_rows AFTER INSERT OR DELETE ON contacts
  FOR EACH ROW EXECUTE FUNCTION report_contacts_changed();
CREATE TRIGGER contacts_report_fields AFTER UPDATE ON contacts
  FOR EACH ROW WHEN (OLD.lead_at IS DISTINCT FROM NEW.lead_at OR OLD.first_source_id IS DISTINCT FROM NEW.first_source_id
                     OR OLD.lead_campaign_id IS DISTINCT FROM NEW.lead_campaign_id OR OLD.lead_by IS DISTINCT FROM NEW.lead_by
                     OR OLD.hunter_id IS DISTINCT FROM NEW.hunter_id)
  EXECUTE FUNCTION report_contacts_changed();

CREATE FUNCTION report_meetings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO report_dirty_days (at) SELECT a FROM (VALUES (OLD.created_at), (OLD.held_at)) v(a) WHERE a IS NOT NULL;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO report_dirty_days (at) SELECT a FROM (VALUES (NEW.created_at), (NEW.held_at)) v(a) WHERE a IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER meetings_report_rows AFTER INSERT OR DELETE ON meetings
  FOR EACH ROW EXECUTE FUNCTION report_meetings_changed();
CREATE TRIGGER meetings_report_fields AFTER UPDATE ON meetings
  FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.held_at IS DISTINCT FROM NEW.held_at
                     OR OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.source_id IS DISTINCT FROM NEW.source_id
                     OR OLD.call_id IS DISTINCT FROM NEW.call_id OR OLD.booked_by IS DISTINCT FROM NEW.booked_by
                     OR OLD.hunter_id IS DISTINCT FROM NEW.hunter_id)
  EXECUTE FUNCTION report_meetings_changed();

CREATE FUNCTION report_deals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN INSERT INTO report_dirty_days (at) VALUES (OLD.deal_date); END IF;
  IF TG_OP <> 'DELETE' THEN INSERT INTO report_dirty_days (at) VALUES (NEW.deal_date); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER deals_report_rows AFTER INSERT OR DELETE ON deals
  FOR EACH ROW EXECUTE FUNCTION report_deals_changed();
CREATE TRIGGER deals_report_fields AFTER UPDATE ON deals
  FOR EACH ROW WHEN (OLD.deal_date IS DISTINCT FROM NEW.deal_date OR OLD.is_first IS DISTINCT FROM NEW.is_first
                     OR OLD.amount_minor IS DISTINCT FROM NEW.amount_minor OR OLD.currency IS DISTINCT FROM NEW.currency
                     OR OLD.contact_id IS DISTINCT FROM NEW.contact_id OR OLD.commission_hunter_id IS DISTINCT FROM NEW.commission_hunter_id)
  EXECUTE FUNCTION report_deals_changed();

-- A first sale with no commission hunter counts for the hunter who handed the client over.
CREATE FUNCTION report_handoffs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO report_dirty_days (at) SELECT deal_date FROM deals WHERE contact_id = OLD.contact_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO report_dirty_days (at) SELECT deal_date FROM deals WHERE contact_id = NEW.contact_id;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER handoffs_report_rows AFTER INSERT OR DELETE ON handoffs
  FOR EACH ROW EXECUTE FUNCTION report_handoffs_changed();
CREATE TRIGGER handoffs_report_fields AFTER UPDATE ON handoffs
  FOR EACH ROW WHEN (OLD.from_hunter_id IS DISTINCT FROM NEW.from_hunter_id OR OLD.contact_id IS DISTINCT FROM NEW.contact_id)
  EXECUTE FUNCTION report_handoffs_changed();

-- A meeting with no lead campaign counts for the campaign of the call it was booked on.
CREATE INDEX meetings_call_idx ON meetings (call_id) WHERE call_id IS NOT NULL;
CREATE FUNCTION report_call_campaign_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_dirty_days (at)
  SELECT a FROM meetings m CROSS JOIN LATERAL (VALUES (m.created_at), (m.held_at)) v(a)
   WHERE m.call_id = NEW.id AND a IS NOT NULL;
  RETURN NULL;
END $$;
CREATE TRIGGER calls_report_campaign AFTER UPDATE ON calls
  FOR EACH ROW WHEN (OLD.campaign_id IS DISTINCT FROM NEW.campaign_id)
  EXECUTE FUNCTION report_call_campaign_changed();

-- Time in each state per local day, person, state and reason: the state log's intervals (each state
-- lasts until the person's next one), cut at local midnights. A person's last state is still going on
-- and is not here; the report adds it.
CREATE TABLE report_state_days (
  user_id text NOT NULL,
  day     date NOT NULL,
  status  text NOT NULL,
  reason  text,
  seconds double precision NOT NULL,
  CONSTRAINT report_state_days_key UNIQUE NULLS NOT DISTINCT (user_id, day, status, reason)
);

-- People whose state log changed from an instant on.
CREATE TABLE report_dirty_states (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id text NOT NULL,
  at      timestamptz NOT NULL
);
CREATE FUNCTION report_states_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN INSERT INTO report_dirty_states (user_id, at) VALUES (OLD.user_id, OLD.at); END IF;
  IF TG_OP <> 'DELETE' THEN INSERT INTO report_dirty_states (user_id, at) VALUES (NEW.user_id, NEW.at); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER user_status_log_report AFTER INSERT OR UPDATE OR DELETE ON user_status_log
  FOR EACH ROW EXECUTE FUNCTION report_states_changed();
