-- The table Asterisk's cel_pgsql writes Channel Event Logging rows into
-- (asterisk/etc/cel_pgsql.conf: table=cel).
--
-- Run with psql. Its name is `cel` unless the psql variable cel_table says
-- otherwise: each Asterisk server writes into a table of its own, e.g. the
-- second sandbox (SB_CEL_TABLE=cel_b):
--   psql DB -v cel_table=cel_b -f asterisk/cel-table.sql
--
-- cel_pgsql matches columns by NAME (these names are fixed by Asterisk) and
-- looks at their types: eventtype as text gets the event name (CHAN_START,
-- ANSWER, HANGUP, APP_START, BRIDGE_ENTER, LINKEDID_END, ...); amaflags as an
-- integer gets the number. Columns it does not know (id) get DEFAULT.
-- All text columns are `text`: a value longer than a varchar limit would make
-- the INSERT fail and the row would be lost.
--
-- eventtime: cel_pgsql sends text without a zone, 'YYYY-MM-DD HH:MM:SS.ffffff';
-- with usegmtime=yes (cel_pgsql.conf) that text is UTC, so it is stored in a
-- `timestamp without time zone` column and read as UTC
-- (eventtime AT TIME ZONE 'UTC' gives a timestamptz). A timestamptz column
-- would depend on the database session's TimeZone setting.
--
-- cel_pgsql reads the column list ONCE, when the module loads. Create the
-- table before Asterisk starts, or reload the module afterwards (unload +
-- load; `module reload` keeps the old list when cel_pgsql.conf is unchanged):
--   scripts/asterisk-sandbox.sh cel-reload
--   or ARI: DELETE then POST /ari/asterisk/modules/cel_pgsql.so

\if :{?cel_table}
\else
\set cel_table cel
\endif
\set cel_linkedid_idx :cel_table _linkedid_idx
\set cel_uniqueid_idx :cel_table _uniqueid_idx
\set cel_eventtime_idx :cel_table _eventtime_idx

CREATE TABLE IF NOT EXISTS :"cel_table" (
  id          bigserial PRIMARY KEY,
  eventtype   text      NOT NULL,
  eventtime   timestamp NOT NULL,
  cid_name    text      NOT NULL DEFAULT '',
  cid_num     text      NOT NULL DEFAULT '',
  cid_ani     text      NOT NULL DEFAULT '',
  cid_rdnis   text      NOT NULL DEFAULT '',
  cid_dnid    text      NOT NULL DEFAULT '',
  exten       text      NOT NULL DEFAULT '',
  context     text      NOT NULL DEFAULT '',
  channame    text      NOT NULL DEFAULT '',
  appname     text      NOT NULL DEFAULT '',
  appdata     text      NOT NULL DEFAULT '',
  amaflags    integer   NOT NULL DEFAULT 0,
  accountcode text      NOT NULL DEFAULT '',
  peeraccount text      NOT NULL DEFAULT '',
  uniqueid    text      NOT NULL DEFAULT '',
  linkedid    text      NOT NULL DEFAULT '',
  userfield   text      NOT NULL DEFAULT '',
  peer        text      NOT NULL DEFAULT '',
  extra       text      NOT NULL DEFAULT ''
);

CREATE INDEX IF NOT EXISTS :"cel_linkedid_idx" ON :"cel_table" (linkedid);
CREATE INDEX IF NOT EXISTS :"cel_uniqueid_idx" ON :"cel_table" (uniqueid);
CREATE INDEX IF NOT EXISTS :"cel_eventtime_idx" ON :"cel_table" (eventtime);
