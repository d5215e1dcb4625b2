-- Touch rollups (docs/architecture.md, "Reports"): one row per account, data set, local day and distinct
-- first touch — the combination of a session's channel, source, UTM values, referrer domain and landing
-- page — so a breakdown filtered by another dimension (the campaigns of one channel) or a query of two
-- dimensions reads a few hundred rows a day instead of every session. Values are stored as reports group
-- them ('(none)' when missing). `touch` is an md5 of the nine values, the row's key within its day.
-- A touch row has few visitors (3–4 a row in bench:reports), so it keeps their visitor_key values rather
-- than a sketch: a report hashes the keys of all its rows into one sketch per group, which is far cheaper
-- than merging thousands of small sketches (each merge unpacks a full register set).
-- first_channel / first_source are not part of it (they belong to the visitor, not the session): queries
-- on them with a second dimension read sessions.
CREATE TABLE report_touch_rollups (
  account_id       uuid NOT NULL,
  is_test          boolean NOT NULL,
  day              date NOT NULL,
  touch            uuid NOT NULL,
  channel          text NOT NULL,
  source           text NOT NULL,
  utm_source       text NOT NULL,
  utm_medium       text NOT NULL,
  utm_campaign     text NOT NULL,
  utm_content      text NOT NULL,
  utm_term         text NOT NULL,
  referrer_domain  text NOT NULL,
  landing_page     text NOT NULL,
  sessions         integer NOT NULL,
  page_views       bigint NOT NULL,
  bounces          integer NOT NULL,
  viewed           integer NOT NULL,
  visitor_keys     bigint[] NOT NULL,
  PRIMARY KEY (account_id, is_test, day, touch)
);

CREATE TABLE report_touch_event_rollups (
  account_id       uuid NOT NULL,
  is_test          boolean NOT NULL,
  event_type       text NOT NULL,
  day              date NOT NULL,
  touch            uuid NOT NULL,
  channel          text NOT NULL,
  source           text NOT NULL,
  utm_source       text NOT NULL,
  utm_medium       text NOT NULL,
  utm_campaign     text NOT NULL,
  utm_content      text NOT NULL,
  utm_term         text NOT NULL,
  referrer_domain  text NOT NULL,
  landing_page     text NOT NULL,
  sessions         integer NOT NULL,
  events           bigint NOT NULL,
  PRIMARY KEY (account_id, is_test, event_type, day, touch)
);

-- The same with the visitor's first_channel / first_source as two more columns: several times the rows
-- (every first touch of the visitors of a touch), read only by the queries that name them with another
-- dimension or filter (the first-touch view of a filtered dashboard).
CREATE TABLE report_visitor_touch_rollups (LIKE report_touch_rollups INCLUDING ALL);
ALTER TABLE report_visitor_touch_rollups
  ADD COLUMN first_channel text NOT NULL,
  ADD COLUMN first_source text NOT NULL;
CREATE TABLE report_visitor_touch_event_rollups (LIKE report_touch_event_rollups INCLUDING ALL);
ALTER TABLE report_visitor_touch_event_rollups
  ADD COLUMN first_channel text NOT NULL,
  ADD COLUMN first_source text NOT NULL;

-- Existing rollups have no touch rows: build every account again (reports read sessions meanwhile).
DELETE FROM report_rollup_state;
