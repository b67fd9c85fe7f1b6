-- Reports: when a contact became a lead and through whom, when a meeting was held, and indexes for
-- reading a period of events.

-- A contact is a lead from the moment it got in touch (a call, a website request) or was entered by
-- staff; a contact loaded from a dial list becomes one only when it shows interest (a meeting, a
-- callback). `lead_by` is the person who took it; `lead_campaign_id` the campaign that turned it.
ALTER TABLE contacts
  ADD COLUMN lead_at          timestamptz,
  ADD COLUMN lead_by          text REFERENCES users (id),
  ADD COLUMN lead_campaign_id text REFERENCES campaigns (id);

UPDATE contacts c SET lead_at = c.first_touch_at
 WHERE NOT EXISTS (SELECT 1 FROM dial_entries e WHERE e.contact_id = c.id)
    OR EXISTS (SELECT 1 FROM calls k WHERE k.contact_id = c.id AND k.direction = 'inbound')
    OR EXISTS (SELECT 1 FROM web_requests w WHERE w.contact_id = c.id);
UPDATE contacts c SET lead_at = f.at, lead_by = f.operator_id, lead_campaign_id = f.campaign_id
  FROM (SELECT DISTINCT ON (d.contact_id) d.contact_id, d.created_at AS at, d.operator_id, d.campaign_id
          FROM dispositions d WHERE d.kind IN ('meeting_booked', 'callback')
         ORDER BY d.contact_id, d.created_at) f
 WHERE c.id = f.contact_id AND c.lead_at IS NULL;
UPDATE contacts c SET lead_at = m.at, lead_by = m.booked_by
  FROM (SELECT DISTINCT ON (contact_id) contact_id, created_at AS at, booked_by FROM meetings ORDER BY contact_id, created_at) m
 WHERE c.id = m.contact_id AND c.lead_at IS NULL;
UPDATE contacts c SET lead_by = coalesce(c.created_by, (SELECT k.operator_id FROM calls k WHERE k.contact_id = c.id
                                                         AND k.operator_id IS NOT NULL ORDER BY k.started_at LIMIT 1))
 WHERE c.lead_at IS NOT NULL AND c.lead_by IS NULL;
CREATE INDEX contacts_lead_idx ON contacts (lead_at) WHERE lead_at IS NOT NULL;

-- `outcome_at` moves on with every later outcome (won, lost); the day it was held stays here.
ALTER TABLE meetings ADD COLUMN held_at timestamptz;
UPDATE meetings m SET held_at = d.at
  FROM (SELECT meeting_id, min(at) AS at FROM routing_decisions
         WHERE kind = 'outcome' AND detail->>'outcome' = 'held' GROUP BY meeting_id) d
 WHERE m.id = d.meeting_id;
CREATE INDEX meetings_held_idx ON meetings (held_at) WHERE held_at IS NOT NULL;

CREATE INDEX deals_first_date_idx ON deals (deal_date) WHERE is_first;
CREATE INDEX payments_paid_idx ON payments (paid_at);
CREATE INDEX meeting_offers_offered_idx ON meeting_offers (offered_at);
CREATE INDEX dispositions_created_idx ON dispositions (created_at) WHERE kind = 'not_interested';
-- Time in each state: a period of one person's state log read in order from the index alone.
DROP INDEX user_status_log_user_idx;
CREATE INDEX user_status_log_user_idx ON user_status_log (user_id, at) INCLUDE (status, reason);

-- Unique callers of a period: who called (their contact, or the number when unknown) as a 64-bit key,
-- and a covering index so that the funnel's pass over a period's calls never reads the table.
ALTER TABLE calls ADD COLUMN caller_key bigint GENERATED ALWAYS AS
  (hashtextextended(coalesce(contact_id, CASE WHEN direction = 'inbound' THEN from_number ELSE to_number END), 0)) STORED;
CREATE INDEX calls_report_idx ON calls (started_at) INCLUDE (direction, source_id, campaign_id, operator_id, target, caller_key, answered_at, talk_seconds);
