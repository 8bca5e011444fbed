-- Nullable details of database sessions, for the account page's list of devices. Auth.js's
-- columns are unchanged; rows written by Auth.js simply have NULLs here.
ALTER TABLE sessions ADD COLUMN created_at TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
