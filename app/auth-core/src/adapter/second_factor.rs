//! `user_totp` and `recovery_codes`: a user's second factor.
//!
//! The secret arrives sealed and the recovery codes hashed (`protocol::totp`): nothing here
//! can mint a code. Accepting a code and using a recovery code are each one conditional
//! statement, so two parallel requests with the same code cannot both succeed.

use super::{
    error::AdapterError,
    pool::{on_pool, Db},
};

/// A user's authenticator app, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpRow {
    /// The sealed secret.
    pub sealed_secret: String,
    /// When the user confirmed it (Unix milliseconds); `None` while setup is unfinished.
    pub enabled_at: Option<i64>,
    /// The last step whose code was accepted.
    pub last_step: i64,
}

impl std::fmt::Debug for TotpRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRow")
            .field("sealed_secret", &"[redacted]")
            .field("enabled_at", &self.enabled_at)
            .field("last_step", &self.last_step)
            .finish()
    }
}

impl TotpRow {
    /// Whether the second factor is on.
    pub fn enabled(&self) -> bool {
        self.enabled_at.is_some()
    }
}

impl Db {
    /// The user's authenticator app, enabled or not.
    ///
    /// # Errors
    /// A database error.
    pub async fn totp_of(&self, user_id: i32) -> Result<Option<TotpRow>, AdapterError> {
        let sql = r#"SELECT secret, enabled_at, last_step FROM user_totp WHERE "userId" = $1"#;
        let row: Option<(String, Option<i64>, i64)> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(sealed_secret, enabled_at, last_step)| TotpRow {
            sealed_secret,
            enabled_at,
            last_step,
        }))
    }

    /// Starts a setup: stores a new sealed secret, not enabled yet. Refused (`false`) when the
    /// second factor is already on: turning it off first needs a code.
    ///
    /// # Errors
    /// A database error.
    pub async fn begin_totp(
        &self,
        user_id: i32,
        sealed_secret: &str,
        now_ms: i64,
    ) -> Result<bool, AdapterError> {
        let sql = r#"INSERT INTO user_totp ("userId", secret, enabled_at, last_step, created_at)
            VALUES ($1, $2, NULL, 0, $3)
            ON CONFLICT ("userId") DO UPDATE SET secret = excluded.secret, last_step = 0,
              created_at = excluded.created_at
            WHERE user_totp.enabled_at IS NULL"#;
        let done = on_pool!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(sealed_secret)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Finishes a setup whose first code was accepted at `step`: the factor is on, and the
    /// recovery codes (hashes) replace any earlier ones. One transaction.
    ///
    /// # Errors
    /// A database error; nothing is written then.
    pub async fn enable_totp(
        &self,
        user_id: i32,
        step: i64,
        recovery_hashes: &[String],
        now_ms: i64,
    ) -> Result<bool, AdapterError> {
        let enable = r#"UPDATE user_totp SET enabled_at = $2, last_step = $3
            WHERE "userId" = $1 AND enabled_at IS NULL AND last_step < $3"#;
        let forget = r#"DELETE FROM recovery_codes WHERE "userId" = $1"#;
        let add = r#"INSERT INTO recovery_codes ("userId", code_hash) VALUES ($1, $2)"#;
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let enabled = sqlx::query(enable)
                .bind(user_id)
                .bind(now_ms)
                .bind(step)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if enabled != 1 {
                return Ok(false);
            }
            sqlx::query(forget).bind(user_id).execute(&mut *tx).await?;
            for hash in recovery_hashes {
                sqlx::query(add)
                    .bind(user_id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Accepts the code of `step` for the user's enabled factor if no code of this step or a
    /// later one was accepted before: `false` for a replay.
    ///
    /// # Errors
    /// A database error.
    pub async fn accept_totp_step(&self, user_id: i32, step: i64) -> Result<bool, AdapterError> {
        let sql = r#"UPDATE user_totp SET last_step = $2
            WHERE "userId" = $1 AND enabled_at IS NOT NULL AND last_step < $2"#;
        let done = on_pool!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(step)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Uses a recovery code (by its hash): `false` if the user has no such unused code.
    ///
    /// # Errors
    /// A database error.
    pub async fn use_recovery_code(
        &self,
        user_id: i32,
        code_hash: &str,
        now_ms: i64,
    ) -> Result<bool, AdapterError> {
        let sql = r#"UPDATE recovery_codes SET used_at = $3
            WHERE "userId" = $1 AND code_hash = $2 AND used_at IS NULL"#;
        let done = on_pool!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(code_hash)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// How many unused recovery codes the user has left.
    ///
    /// # Errors
    /// A database error.
    pub async fn recovery_codes_left(&self, user_id: i32) -> Result<u32, AdapterError> {
        let sql = r#"SELECT COUNT(*) FROM recovery_codes WHERE "userId" = $1 AND used_at IS NULL"#;
        let count: i64 = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(user_id)
            .fetch_one(pool)
            .await)?;
        Ok(u32::try_from(count).unwrap_or(0))
    }

    /// Turns the second factor off and forgets its recovery codes (the user did, with a code,
    /// or an administrator reset it). Whether there was one.
    ///
    /// # Errors
    /// A database error; nothing is deleted then.
    pub async fn remove_totp(&self, user_id: i32) -> Result<bool, AdapterError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let removed = sqlx::query(r#"DELETE FROM user_totp WHERE "userId" = $1"#)
                .bind(user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query(r#"DELETE FROM recovery_codes WHERE "userId" = $1"#)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(removed == 1)
        })
    }
}
