//! `user_passwords`: argon2id PHC strings for the credentials provider.

use super::{
    error::AdapterError,
    model::User,
    pool::{on_pool, Db},
    users::U_COLUMNS,
};

impl Db {
    /// The user with this email and their password hash, if both exist.
    ///
    /// # Errors
    /// A database error.
    pub async fn get_user_and_password_hash(
        &self,
        email: &str,
    ) -> Result<Option<(User, String)>, AdapterError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            user: User,
            password_hash: String,
        }
        let sql = format!(
            r#"SELECT {U_COLUMNS}, p.password_hash
            FROM users u JOIN user_passwords p ON p."userId" = u.id WHERE u.email = $1"#
        );
        let row = on_pool!(self, |pool| sqlx::query_as::<_, Row>(&sql)
            .bind(email)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|row| (row.user, row.password_hash)))
    }

    /// Sets (or replaces) a user's password hash.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_password_hash(&self, user_id: i32, hash: &str) -> Result<(), AdapterError> {
        let sql = r#"INSERT INTO user_passwords ("userId", password_hash, updated_at) VALUES ($1, $2, $3)
            ON CONFLICT ("userId") DO UPDATE SET password_hash = excluded.password_hash, updated_at = excluded.updated_at"#;
        let now = time::OffsetDateTime::now_utc();
        on_pool!(self, |pool| sqlx::query(sql)
            .bind(user_id)
            .bind(hash)
            .bind(now)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Whether the user has a password (a way to sign in that is not a provider account).
    ///
    /// # Errors
    /// A database error.
    pub async fn has_password(&self, user_id: i32) -> Result<bool, AdapterError> {
        let sql = r#"SELECT COUNT(*) FROM user_passwords WHERE "userId" = $1"#;
        let count: i64 = on_pool!(self, |pool| sqlx::query_scalar(sql)
            .bind(user_id)
            .fetch_one(pool)
            .await)?;
        Ok(count > 0)
    }
}
