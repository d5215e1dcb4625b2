-- Dashboard logins: users get one of two roles, log in by email + password, and keep server-side sessions.

-- Roles: admin (manages keys and users) or viewer (reads reports). "member", the old default, becomes the
-- least privileged role, and so does any other value no code ever wrote.
UPDATE users SET role = 'viewer' WHERE role NOT IN ('admin', 'viewer');
ALTER TABLE users ALTER COLUMN role SET DEFAULT 'viewer';
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'viewer'));
ALTER TABLE users ADD COLUMN last_login_at timestamptz;

-- Login is by email + password, before the account is known, so an email names one user across all
-- accounts: unique globally, case-insensitively. This is the second documented exception (after
-- api_keys.key_digest) to "every primary/unique key starts with account_id": users is small and
-- read-mostly, a Citus reference table like api_keys. It replaces the per-account UNIQUE (account_id,
-- email), which it implies. (Fails if two accounts already share an email: nothing created users before.)
CREATE UNIQUE INDEX users_email_unique ON users (lower(email));
ALTER TABLE users DROP CONSTRAINT users_account_id_email_key;

-- A login session. The cookie carries (account_id, id, token) signed with SESSION_SECRET; only the
-- token's SHA-256 is stored, so a leaked table cannot be replayed. Deleting the user ends its sessions.
CREATE TABLE user_sessions (
  account_id    uuid NOT NULL,
  id            uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id       uuid NOT NULL,
  token_digest  bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (account_id, id),
  FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
);
CREATE INDEX user_sessions_user ON user_sessions (account_id, user_id);
