-- Nullable details of database sessions, for the account page's list of devices. Auth.js's
-- columns are unchanged; rows written by Auth.js simply have NULLs here.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS created_at TIMESTAMPTZ;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS user_agent TEXT;
