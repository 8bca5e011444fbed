-- Issue 11 (identity is only what was proven; sessions end). Auth.js's columns are unchanged:
-- one nullable column on `users`, one new table, and indexes for the periodic purge.

-- The user's role, set by `leptos-auth roles grant` (server/src/cli.rs), never derived from an
-- address. NULL is the default role.
ALTER TABLE users ADD COLUMN role TEXT;

-- Sign-out-everywhere for JWT sessions: a token whose sign-in time (`auth_time`) is before
-- `valid_after` (Unix milliseconds) is refused when it is next checked.
CREATE TABLE IF NOT EXISTS session_revocations
(
  "userId" INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  valid_after BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS rate_limits_window_idx ON rate_limits (window_start);
CREATE INDEX IF NOT EXISTS verification_token_expires_idx ON verification_token (expires);
CREATE INDEX IF NOT EXISTS sessions_expires_idx ON sessions (expires);
