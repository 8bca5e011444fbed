-- Tables this starter adds beside Auth.js's (none of Auth.js's columns change).

-- Argon2id password hashes for the credentials provider (PHC strings; never plain passwords).
CREATE TABLE IF NOT EXISTS user_passwords
(
  "userId" INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Fixed-window counters for rate limits, shared by every instance.
CREATE TABLE IF NOT EXISTS rate_limits
(
  key TEXT PRIMARY KEY,
  window_start BIGINT NOT NULL,
  count INTEGER NOT NULL
);

-- tower-sessions store: short-lived flow state (form echoes), never the auth session itself.
CREATE TABLE IF NOT EXISTS flow_sessions
(
  id TEXT PRIMARY KEY,
  data BLOB NOT NULL,
  expiry_date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flow_sessions_expiry_idx ON flow_sessions (expiry_date);
