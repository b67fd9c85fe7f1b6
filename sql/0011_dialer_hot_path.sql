-- Allocation and dispositions run hundreds of times a second, all of them on one campaign's rows. A
-- foreign key check locks the referenced row (FOR KEY SHARE): every operator's disposition locking the
-- same campaign row turns into shared multi-transaction locks, the hottest cost of the path. These
-- columns are copied from the entry being disposed of (its campaign and contact) or are the signed-in
-- operator; campaigns, contacts with entries, and users are never deleted (users are deactivated).
ALTER TABLE dispositions
  DROP CONSTRAINT dispositions_campaign_id_fkey,
  DROP CONSTRAINT dispositions_contact_id_fkey,
  DROP CONSTRAINT dispositions_operator_id_fkey;
ALTER TABLE dial_entries DROP CONSTRAINT dial_entries_locked_by_fkey;

-- Each allocation adds its entry to every index on locked entries: one index serves both the operator's
-- held entry and the sweep of locks run out (there are at most as many locked entries as operators).
DROP INDEX dial_entries_locked_idx;
DROP INDEX dial_entries_operator_idx;
CREATE INDEX dial_entries_holder_idx ON dial_entries (locked_by) INCLUDE (locked_until) WHERE status = 'locked';
