-- mbuzz initial schema. Every tenant table carries account_id and every primary/unique key starts with it,
-- so the tables can be distributed by account_id (Citus) without change.

CREATE TABLE accounts (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  slug        text NOT NULL UNIQUE,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  account_id       uuid NOT NULL REFERENCES accounts (id),
  id               uuid NOT NULL DEFAULT gen_random_uuid(),
  email            text NOT NULL,
  password_digest  text NOT NULL,
  role             text NOT NULL DEFAULT 'member',
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, id),
  UNIQUE (account_id, email)
);

-- key_digest is unique on its own: a request carries only the key, so authentication must find the row
-- before it knows the account. api_keys is small and read-mostly (a Citus reference table, not a
-- distributed one), so a global unique index is fine there.
CREATE TABLE api_keys (
  account_id    uuid NOT NULL REFERENCES accounts (id),
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  key_digest    bytea NOT NULL UNIQUE,
  key_prefix    text NOT NULL,
  environment   text NOT NULL CHECK (environment IN ('test', 'live')),
  description   text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz,
  PRIMARY KEY (account_id, id)
);
CREATE INDEX api_keys_key_prefix ON api_keys (key_prefix);

-- The high-volume tables have no foreign key to accounts: rows are only written through an API key of an
-- existing account, accounts are suspended rather than deleted, and a per-row FK check costs write speed.
CREATE TABLE visitors (
  account_id     uuid NOT NULL,
  visitor_id     text NOT NULL,
  first_seen_at  timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  traits         jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_test        boolean NOT NULL,
  PRIMARY KEY (account_id, visitor_id)
);

CREATE TABLE sessions (
  account_id        uuid NOT NULL,
  session_id        text NOT NULL,
  visitor_id        text NOT NULL,
  started_at        timestamptz NOT NULL,
  last_activity_at  timestamptz NOT NULL,
  page_view_count   integer NOT NULL DEFAULT 0,
  initial_utm       jsonb NOT NULL DEFAULT '{}'::jsonb,
  initial_referrer  text,
  landing_url       text,
  click_ids         jsonb NOT NULL DEFAULT '{}'::jsonb,
  channel           text,
  is_test           boolean NOT NULL,
  PRIMARY KEY (account_id, session_id)
);
CREATE INDEX sessions_account_started_at ON sessions (account_id, started_at);
CREATE INDEX sessions_account_visitor_last_activity ON sessions (account_id, visitor_id, last_activity_at);

CREATE TABLE events (
  account_id   uuid NOT NULL,
  event_id     uuid NOT NULL,
  visitor_id   text NOT NULL,
  session_id   text,
  event_type   text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  properties   jsonb NOT NULL DEFAULT '{}'::jsonb,
  is_test      boolean NOT NULL,
  PRIMARY KEY (account_id, event_id)
);
CREATE INDEX events_account_occurred_at ON events (account_id, occurred_at);
CREATE INDEX events_account_type_occurred_at ON events (account_id, event_type, occurred_at);
CREATE INDEX events_account_session ON events (account_id, session_id);
