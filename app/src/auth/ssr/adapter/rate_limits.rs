//! `rate_limits`: fixed-window counters shared by every instance through the database.

use super::{on_pool, AdapterError, Db};

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
}
