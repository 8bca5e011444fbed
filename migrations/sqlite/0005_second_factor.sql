-- Issue 14 (a second factor: TOTP with recovery codes). Auth.js's tables are unchanged: two new
-- tables, and one nullable column on `sessions` for the factors a database session was made with.

-- A user's authenticator app. `secret` is sealed under AUTH_SECRET (auth-core's
-- protocol/totp.rs), never stored in the clear. `enabled_at` (Unix milliseconds) stays NULL
-- until the user confirms a first code; `last_step` is the last 30-second step whose code was
-- accepted, so that no code is accepted twice.
CREATE TABLE IF NOT EXISTS user_totp
(
  "userId" INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,
  enabled_at BIGINT,
  last_step BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

-- Single-use recovery codes, kept as HMAC-SHA-256 under AUTH_SECRET; `used_at` (Unix
-- milliseconds) once used.
CREATE TABLE IF NOT EXISTS recovery_codes
(
  "userId" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY ("userId", code_hash)
);

-- The authentication methods (RFC 8176 `amr`, comma-separated) a database session was made
-- with, as JWT sessions carry them in their token.
ALTER TABLE sessions ADD COLUMN amr TEXT;
