//! `rate_limits`: fixed-window counters shared by every instance through the database.

use super::{
    error::AdapterError,
    pool::{on_pool, Db},
};

impl Db {
    /// Adds one to the counter `key` in the window that started at `window_start` (Unix seconds),
    /// resetting it when an older window is stored, and returns the new count. One statement,
    /// so concurrent hits from several instances are counted exactly.
    ///
    /// # Errors
    /// A database error.
    pub async fn hit_rate_limit(&self, key: &str, window_start: i64) -> Result<u32, AdapterError> {
        let sql = "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
            ON CONFLICT (key) DO UPDATE SET
              count = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
              window_start = excluded.window_start
            RETURNING count";
        let count: i32 = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(key)
            .bind(window_start)
            .fetch_one(pool)
            .await)?;
        Ok(u32::try_from(count).unwrap_or(0))
    }

    /// The current count of `key` in the window starting at `window_start`.
    ///
    /// # Errors
    /// A database error.
    pub async fn rate_limit_count(
        &self,
        key: &str,
        window_start: i64,
    ) -> Result<u32, AdapterError> {
        let sql = "SELECT count FROM rate_limits WHERE key = $1 AND window_start = $2";
        let count: Option<i32> = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(key)
            .bind(window_start)
            .fetch_optional(pool)
            .await)?;
        Ok(count.map_or(0, |c| u32::try_from(c).unwrap_or(0)))
    }

    /// Forgets the counter `key` (after a successful sign-in, for example).
    ///
    /// # Errors
    /// A database error.
    pub async fn reset_rate_limit(&self, key: &str) -> Result<(), AdapterError> {
        on_pool!(self, |pool| sqlx::query(
            "DELETE FROM rate_limits WHERE key = $1"
        )
        .bind(key)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Takes one back from the counter `key` of the window `window_start` (an attempt that
    /// turned out not to count, such as a successful sign-in); never below zero.
    ///
    /// # Errors
    /// A database error.
    pub async fn release_rate_limit(
        &self,
        key: &str,
        window_start: i64,
    ) -> Result<(), AdapterError> {
        on_pool!(self, |pool| {
            sqlx::query(
            "UPDATE rate_limits SET count = count - 1 WHERE key = $1 AND window_start = $2 AND count > 0"
        )
        .bind(key)
        .bind(window_start)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Deletes what has expired: rate-limit windows that started before `windows_before`
    /// (Unix seconds), used-up sign-in links, ended database sessions and flow sessions.
    ///
    /// # Errors
    /// A database error (what was deleted before it stays deleted).
    pub async fn purge_expired(
        &self,
        now: time::OffsetDateTime,
        windows_before: i64,
    ) -> Result<Purged, AdapterError> {
        let run = |sql: &'static str| async move {
            Ok::<u64, AdapterError>(on_pool!(self, |pool| sqlx::query(sql)
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?)
        };
        let rate_limits = on_pool!(self, |pool| sqlx::query(
            "DELETE FROM rate_limits WHERE window_start < $1"
        )
        .bind(windows_before)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        let now_ms = super::users::unix_ms(now);
        let webauthn_challenges = on_pool!(self, |pool| sqlx::query(
            "DELETE FROM webauthn_challenges WHERE expires_at < $1"
        )
        .bind(now_ms)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(Purged {
            rate_limits,
            webauthn_challenges,
            verification_tokens: run("DELETE FROM verification_token WHERE expires < $1").await?,
            sessions: run("DELETE FROM sessions WHERE expires < $1").await?,
            flow_sessions: run("DELETE FROM flow_sessions WHERE expiry_date < $1").await?,
        })
    }
}

/// How many rows [`Db::purge_expired`] deleted, per table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// `rate_limits` rows of ended windows.
    pub rate_limits: u64,
    /// `verification_token` rows past their expiry.
    pub verification_tokens: u64,
    /// `sessions` rows past their expiry.
    pub sessions: u64,
    /// `flow_sessions` rows past their expiry.
    pub flow_sessions: u64,
    /// `webauthn_challenges` rows whose ceremony has ended.
    pub webauthn_challenges: u64,
}
