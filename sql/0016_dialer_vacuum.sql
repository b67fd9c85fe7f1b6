-- Allocation takes due entries from the head of the due index, and every allocation and disposition
-- leaves a dead entry there until the table is vacuumed: with the default thresholds (a fifth of the
-- table) a big list is scanned past tens of thousands of them. Vacuum the dial entries after a few
-- thousand changes instead, without the cost-based pauses. (On a server with autovacuum off these only
-- take effect once it is on.)
ALTER TABLE dial_entries SET (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000,
  autovacuum_analyze_scale_factor = 0.05,
  autovacuum_vacuum_cost_delay = 0
);
