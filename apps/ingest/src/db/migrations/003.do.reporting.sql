-- Reporting. Sessions are the unit of a report: channel, source, referrer domain and landing path are
-- decided when the session is written (from its first touch), and the UTM values are columns, so a report
-- groups plain columns and never re-parses URLs or JSON.

-- What a key may do: `ingest` sends events, `read` queries reports. Existing keys send events.
ALTER TABLE api_keys ADD COLUMN scope text NOT NULL DEFAULT 'ingest' CHECK (scope IN ('ingest', 'read'));

ALTER TABLE sessions
  ADD COLUMN source text,
  ADD COLUMN referrer_domain text,
  ADD COLUMN landing_path text,
  ADD COLUMN utm_source text GENERATED ALWAYS AS (initial_utm ->> 'utm_source') STORED,
  ADD COLUMN utm_medium text GENERATED ALWAYS AS (initial_utm ->> 'utm_medium') STORED,
  ADD COLUMN utm_campaign text GENERATED ALWAYS AS (initial_utm ->> 'utm_campaign') STORED,
  ADD COLUMN utm_content text GENERATED ALWAYS AS (initial_utm ->> 'utm_content') STORED,
  ADD COLUMN utm_term text GENERATED ALWAYS AS (initial_utm ->> 'utm_term') STORED;

-- First-touch attribution of a visitor: the channel and source of its first session ever.
ALTER TABLE visitors ADD COLUMN first_channel text, ADD COLUMN first_source text;

-- Data fixes that need the service's code (the channel rules live in TypeScript, not SQL): migrate()
-- runs each one named here after the SQL migrations, resumably, and deletes its row when done.
CREATE TABLE pending_backfills (name text PRIMARY KEY);
INSERT INTO pending_backfills (name) VALUES ('session_attribution');
