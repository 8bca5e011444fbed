-- Auth.js SQL adapter schema (same tables and columns as @auth/pg-adapter), for SQLite.
-- `IF NOT EXISTS` everywhere so an existing NextAuth database can be pointed at this app.
-- Timestamps are ISO-8601 text in SQLite, TIMESTAMPTZ in PostgreSQL.

CREATE TABLE IF NOT EXISTS users
(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT,
  email TEXT UNIQUE,
  "emailVerified" TEXT,
  image TEXT
);

CREATE TABLE IF NOT EXISTS accounts
(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  "userId" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  provider TEXT NOT NULL,
  "providerAccountId" TEXT NOT NULL,
  refresh_token TEXT,
  access_token TEXT,
  expires_at BIGINT,
  id_token TEXT,
  scope TEXT,
  session_state TEXT,
  token_type TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS accounts_provider_account_key ON accounts (provider, "providerAccountId");
CREATE INDEX IF NOT EXISTS accounts_user_idx ON accounts ("userId");

CREATE TABLE IF NOT EXISTS sessions
(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  "userId" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires TEXT NOT NULL,
  "sessionToken" TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS sessions_token_key ON sessions ("sessionToken");
CREATE INDEX IF NOT EXISTS sessions_user_idx ON sessions ("userId");

CREATE TABLE IF NOT EXISTS verification_token
(
  identifier TEXT NOT NULL,
  expires TEXT NOT NULL,
  token TEXT NOT NULL,
  PRIMARY KEY (identifier, token)
);
