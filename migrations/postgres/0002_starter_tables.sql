-- Tables this starter adds beside Auth.js's (none of Auth.js's columns change).

CREATE TABLE IF NOT EXISTS user_passwords
(
  "userId" INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS rate_limits
(
  key TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,
  count INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS flow_sessions
(
  id TEXT PRIMARY KEY,
  data BYTEA NOT NULL,
  expiry_date TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS flow_sessions_expiry_idx ON flow_sessions (expiry_date);
