//! `authenticators` (Auth.js's table for the passkey provider) and `webauthn_challenges`.
//!
//! Each passkey is an `authenticators` row and the `accounts` row Auth.js writes beside it
//! (type `webauthn`, provider `passkey`, `providerAccountId` = the credential id), added and
//! removed together. Advancing the signature counter and spending a challenge are each one
//! conditional statement, so two parallel requests carrying the same assertion cannot both
//! pass.

use sqlx::FromRow;

use super::{
    accounts::{bind_account, AccountRow},
    error::AdapterError,
    model::{Account, NewUser, User},
    pool::{on_pool, Backend, Db},
    users::insert_user,
};

/// The provider id of passkeys in `accounts`.
pub const PASSKEY_PROVIDER: &str = "passkey";

/// A stored passkey.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct AuthenticatorRow {
    /// The credential id, base64url.
    #[sqlx(rename = "credentialID")]
    pub credential_id: String,
    /// Its owner.
    #[sqlx(rename = "userId")]
    pub user_id: i32,
    /// The credential's COSE public key, base64url.
    #[sqlx(rename = "credentialPublicKey")]
    pub public_key: String,
    /// The last signature counter seen.
    pub counter: i64,
    /// `singleDevice` or `multiDevice` (backup eligible), as Auth.js.
    #[sqlx(rename = "credentialDeviceType")]
    pub device_type: String,
    /// Whether the credential is backed up (synced).
    #[sqlx(rename = "credentialBackedUp")]
    pub backed_up: bool,
    /// How the browser may reach the authenticator (`internal,hybrid`), as Auth.js.
    pub transports: Option<String>,
    /// The name shown on the account page.
    pub name: Option<String>,
    /// When it was added (Unix ms; `None` for rows Auth.js wrote).
    pub created_at: Option<i64>,
    /// When it was last used to sign in (Unix ms).
    pub last_used_at: Option<i64>,
}

/// A passkey to store, once its registration verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuthenticator {
    /// The credential id, base64url.
    pub credential_id: String,
    /// The COSE public key, base64url.
    pub public_key: String,
    /// The signature counter at registration.
    pub counter: i64,
    /// `singleDevice` or `multiDevice`.
    pub device_type: String,
    /// Whether it is backed up.
    pub backed_up: bool,
    /// Transports, comma-separated.
    pub transports: Option<String>,
    /// A name for the account page.
    pub name: String,
}

impl NewAuthenticator {
    /// The `accounts` row Auth.js writes for this passkey.
    pub fn account(&self) -> Account {
        Account {
            provider: PASSKEY_PROVIDER.to_owned(),
            kind: "webauthn".to_owned(),
            provider_account_id: self.credential_id.clone(),
            ..Account::default()
        }
    }
}

const COLUMNS: &str = r#""credentialID", "userId", "credentialPublicKey", counter,
    "credentialDeviceType", "credentialBackedUp", transports, name, created_at, last_used_at"#;

const INSERT: &str = r#"INSERT INTO authenticators ("credentialID", "userId", "providerAccountId",
    "credentialPublicKey", counter, "credentialDeviceType", "credentialBackedUp", transports,
    name, created_at) VALUES ($1, $2, $1, $3, $4, $5, $6, $7, $8, $9)"#;

/// Inserts the passkey and its account on `$tx` for `$user_id`.
macro_rules! insert_authenticator {
    ($tx:expr, $user_id:expr, $new:expr, $now_ms:expr) => {{
        let account = $new.account();
        let sql = super::accounts::insert_account_sql();
        bind_account!(&sql, $user_id, account)
            .fetch_one(&mut *$tx)
            .await
            .map_err(AdapterError::from_insert)?;
        sqlx::query(INSERT)
            .bind(&$new.credential_id)
            .bind($user_id)
            .bind(&$new.public_key)
            .bind($new.counter)
            .bind(&$new.device_type)
            .bind($new.backed_up)
            .bind(&$new.transports)
            .bind(&$new.name)
            .bind($now_ms)
            .execute(&mut *$tx)
            .await
            .map_err(AdapterError::from_insert)?;
    }};
}

impl Db {
    /// The passkey with this credential id.
    ///
    /// # Errors
    /// A database error.
    pub async fn authenticator(
        &self,
        credential_id: &str,
    ) -> Result<Option<AuthenticatorRow>, AdapterError> {
        let sql = format!(r#"SELECT {COLUMNS} FROM authenticators WHERE "credentialID" = $1"#);
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, AuthenticatorRow>(&sql)
                .bind(credential_id)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// A user's passkeys, oldest first.
    ///
    /// # Errors
    /// A database error.
    pub async fn authenticators_of(
        &self,
        user_id: i32,
    ) -> Result<Vec<AuthenticatorRow>, AdapterError> {
        let sql = format!(
            r#"SELECT {COLUMNS} FROM authenticators WHERE "userId" = $1
               ORDER BY created_at, "credentialID""#
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, AuthenticatorRow>(&sql)
                .bind(user_id)
                .fetch_all(pool)
                .await
        })?)
    }

    /// Adds a passkey (and its account) to a user. One transaction.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] if the credential is registered already.
    pub async fn add_authenticator(
        &self,
        user_id: i32,
        new: &NewAuthenticator,
        now_ms: i64,
    ) -> Result<(), AdapterError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            insert_authenticator!(tx, user_id, new, now_ms);
            tx.commit().await?;
            Ok(())
        })
    }

    /// Creates a user whose first way to sign in is this passkey: user, account and passkey
    /// in one transaction.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] if the email or the credential is taken.
    pub async fn create_user_with_authenticator(
        &self,
        user: &NewUser,
        new: &NewAuthenticator,
        now_ms: i64,
    ) -> Result<User, AdapterError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let row = insert_user!(&mut *tx, user)?;
            insert_authenticator!(tx, row.id, new, now_ms);
            tx.commit().await?;
            Ok(row)
        })
    }

    /// Records a signature counter seen in a verified assertion: only if it moved forward (or
    /// both are zero, for authenticators without a counter). `false` when another request got
    /// there first with this or a later counter: a replay or a cloned authenticator.
    ///
    /// # Errors
    /// A database error.
    pub async fn advance_counter(
        &self,
        credential_id: &str,
        counter: i64,
        backed_up: bool,
        now_ms: i64,
    ) -> Result<bool, AdapterError> {
        let sql = r#"UPDATE authenticators SET counter = $2, "credentialBackedUp" = $3,
              last_used_at = $4
            WHERE "credentialID" = $1 AND (counter < $2 OR (counter = 0 AND $2 = 0))"#;
        let done = on_pool!(self, |pool| sqlx::query(sql)
            .bind(credential_id)
            .bind(counter)
            .bind(backed_up)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Spends a ceremony's challenge: `true` the first time, `false` ever after (until the
    /// row is purged, once the ceremony could no longer be answered anyway).
    ///
    /// # Errors
    /// A database error.
    pub async fn spend_webauthn_challenge(
        &self,
        challenge: &str,
        expires_at_ms: i64,
    ) -> Result<bool, AdapterError> {
        let sql = "INSERT INTO webauthn_challenges (challenge, expires_at) VALUES ($1, $2)
            ON CONFLICT (challenge) DO NOTHING";
        let done = on_pool!(self, |pool| sqlx::query(sql)
            .bind(challenge)
            .bind(expires_at_ms)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Removes one of the user's passkeys (and its account), unless it is their last way to
    /// sign in (no other account and no password), as unlinking. One transaction.
    ///
    /// # Errors
    /// [`AdapterError::LastSignInMethod`] when refused; database errors.
    pub async fn remove_authenticator(
        &self,
        user_id: i32,
        credential_id: &str,
    ) -> Result<bool, AdapterError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if self.backend() == Backend::Postgres {
                // Serialize concurrent removals of one user's ways in.
                sqlx::query("SELECT id FROM users WHERE id = $1 FOR UPDATE")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let others: i64 = sqlx::query_scalar(
                r#"SELECT COUNT(*) FROM accounts WHERE "userId" = $1
                   AND NOT (provider = $2 AND "providerAccountId" = $3)"#,
            )
            .bind(user_id)
            .bind(PASSKEY_PROVIDER)
            .bind(credential_id)
            .fetch_one(&mut *tx)
            .await?;
            let passwords: i64 =
                sqlx::query_scalar(r#"SELECT COUNT(*) FROM user_passwords WHERE "userId" = $1"#)
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if others + passwords == 0 {
                return Err(AdapterError::LastSignInMethod);
            }
            let removed = sqlx::query(
                r#"DELETE FROM authenticators WHERE "userId" = $1 AND "credentialID" = $2"#,
            )
            .bind(user_id)
            .bind(credential_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(
                r#"DELETE FROM accounts WHERE "userId" = $1 AND provider = $2
                   AND "providerAccountId" = $3"#,
            )
            .bind(user_id)
            .bind(PASSKEY_PROVIDER)
            .bind(credential_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(removed == 1)
        })
    }
}
