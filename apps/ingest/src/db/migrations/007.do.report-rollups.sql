-- Report rollups (docs/architecture.md, "Reports"): one row per account, data set (test/live), local day
-- of the account's time zone, dimension and value, so a 30-day report reads ~30 rows per value instead of
-- every session. Sessions, page views, bounces and conversions add up across days; distinct visitors do
-- not, so each row keeps a HyperLogLog sketch of its visitors (the `hll` extension: Debian/Ubuntu
-- package postgresql-NN-hll, bundled with Citus, offered by the large clouds), merged at query time.
--
-- Without the extension (the embedded PGlite database, or a server where it is not installed) the tables
-- stay empty and every report reads sessions directly, exactly as before: rollups only make reports fast.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS hll;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'hll extension not available (%): reports read sessions directly', SQLERRM;
END $$;

-- dimension '' with value '' is every session of the day; otherwise a report dimension (channel, source,
-- utm_*, referrer_domain, landing_page, first_channel, first_source) and its value, '(none)' when missing.
-- `visitors` is an hll sketch stored as bytea (hll_send; read back with ::hll), so the table exists with
-- or without the extension.
CREATE TABLE report_rollups (
  account_id  uuid NOT NULL,
  is_test     boolean NOT NULL,
  dimension   text NOT NULL,
  day         date NOT NULL,
  value       text NOT NULL,
  sessions    integer NOT NULL,
  page_views  bigint NOT NULL,
  bounces     integer NOT NULL,
  viewed      integer NOT NULL,
  visitors    bytea NOT NULL,
  PRIMARY KEY (account_id, is_test, dimension, day, value)
);

-- Events of a type other than page_view in the day's sessions: `sessions` with at least one (conversions)
-- and the events themselves.
CREATE TABLE report_event_rollups (
  account_id  uuid NOT NULL,
  is_test     boolean NOT NULL,
  event_type  text NOT NULL,
  dimension   text NOT NULL,
  day         date NOT NULL,
  value       text NOT NULL,
  sessions    integer NOT NULL,
  events      bigint NOT NULL,
  PRIMARY KEY (account_id, is_test, event_type, dimension, day, value)
);

-- Per account: the time zone its rollups were built in and the last local day built (every day up to it
-- has its rows; later days are read from sessions). A time zone change rebuilds the account.
CREATE TABLE report_rollup_state (
  account_id      uuid PRIMARY KEY,
  timezone        text NOT NULL,
  rolled_through  date NOT NULL
);

-- UTC hours whose sessions changed (a session started in that hour got a new event, or moved out of it,
-- or its visitor's first touch changed). Written by the ingest statement, one row per account and hour
-- (ON CONFLICT DO NOTHING: the current hour's row is written once). A report reads a day that holds a
-- marked hour from sessions, so rollups are never stale; the refresher rebuilds the day and drops its
-- marks. No test flag: both data sets of a marked day are rebuilt.
CREATE TABLE report_dirty_hours (
  account_id  uuid NOT NULL,
  hour        timestamptz NOT NULL,
  PRIMARY KEY (account_id, hour)
);
