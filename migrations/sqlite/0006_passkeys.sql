-- Issue 14 (passkeys, Auth.js's WebAuthn provider). Auth.js's `authenticators` table with its
-- columns and names, so a database Auth.js wrote passkeys to keeps working here; each passkey
-- also has the `accounts` row Auth.js writes (type `webauthn`, provider `passkey`,
-- `providerAccountId` = the credential id).
--
-- `credentialID` and `credentialPublicKey` are base64url as Auth.js stores them (the public key
-- is the authenticator's COSE key). `counter` is the signature counter, checked and advanced by
-- one conditional UPDATE per sign-in. The last three columns are this starter's (Auth.js ignores
-- them): a name for the account page, and when the passkey was added and last used (Unix ms).
CREATE TABLE IF NOT EXISTS authenticators
(
  "credentialID" TEXT NOT NULL PRIMARY KEY,
  "userId" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  "providerAccountId" TEXT NOT NULL,
  "credentialPublicKey" TEXT NOT NULL,
  counter BIGINT NOT NULL,
  "credentialDeviceType" TEXT NOT NULL,
  "credentialBackedUp" BOOLEAN NOT NULL,
  transports TEXT,
  name TEXT,
  created_at BIGINT,
  last_used_at BIGINT
);
CREATE INDEX IF NOT EXISTS authenticators_user_idx ON authenticators ("userId");

-- The challenges of passkey ceremonies already answered: a challenge is single use (its sealed
-- cookie could be replayed until it expires). Rows older than their ceremony are purged.
CREATE TABLE IF NOT EXISTS webauthn_challenges
(
  challenge TEXT NOT NULL PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
