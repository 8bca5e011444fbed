//! `verification_token`: Auth.js's `createVerificationToken` and `useVerificationToken`. Only
//! the token's hash is stored; using it deletes it in the same statement, so a link works once.

use time::OffsetDateTime;

use super::{
    error::AdapterError,
    model::User,
    pool::{on_pool, Db},
};

impl Db {
    /// Stores a token hash for `identifier` (an email address).
    ///
    /// # Errors
    /// A database error.
    pub async fn create_verification_token(
        &self,
        identifier: &str,
        token_hash: &str,
        expires: OffsetDateTime,
    ) -> Result<(), AdapterError> {
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO verification_token (identifier, expires, token) VALUES ($1, $2, $3)"
        )
        .bind(identifier)
        .bind(expires)
        .bind(token_hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deletes the token and returns its expiry, if it existed: one statement, so two uses of
    /// one link cannot both succeed.
    ///
    /// # Errors
    /// A database error.
    pub async fn use_verification_token(
        &self,
        identifier: &str,
        token_hash: &str,
    ) -> Result<Option<OffsetDateTime>, AdapterError> {
        let sql =
            "DELETE FROM verification_token WHERE identifier = $1 AND token = $2 RETURNING expires";
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<
            _,
            OffsetDateTime,
        >(sql)
        .bind(identifier)
        .bind(token_hash)
        .fetch_optional(pool)
        .await)?)
    }

    /// How many unused tokens an identifier has (for tests and housekeeping).
    ///
    /// # Errors
    /// A database error.
    pub async fn count_verification_tokens(&self, identifier: &str) -> Result<i64, AdapterError> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM verification_token WHERE identifier = $1"
        )
        .bind(identifier)
        .fetch_one(pool)
        .await)?)
    }

    /// Records that a user's email address is verified.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_email_verified(
        &self,
        user_id: i32,
        at: OffsetDateTime,
    ) -> Result<Option<User>, AdapterError> {
        let sql = format!(
            r#"UPDATE users SET "emailVerified" = $1 WHERE id = $2 RETURNING {}"#,
            super::users::COLUMNS
        );
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
            .bind(at)
            .bind(user_id)
            .fetch_optional(pool)
            .await)?)
    }
}
