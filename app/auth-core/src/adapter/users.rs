//! `users`: Auth.js's `createUser`, `getUser`, `getUserByEmail`.

use time::OffsetDateTime;

use super::{
    error::AdapterError,
    model::{NewUser, User},
    pool::{on_pool, Db},
};

/// Unix milliseconds of a time.
pub fn unix_ms(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The columns of [`User`], in its order.
pub(crate) const COLUMNS: &str = r#"id, name, email, "emailVerified", image, role"#;
/// The same, qualified with the alias `u` (for joins).
pub(crate) const U_COLUMNS: &str = r#"u.id, u.name, u.email, u."emailVerified", u.image, u.role"#;

/// The one users INSERT: a [`NewUser`] in, the row back as a [`User`].
pub(crate) fn insert_user_sql() -> String {
    format!(
        r#"INSERT INTO users (name, email, "emailVerified", image) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"#
    )
}

/// Runs [`insert_user_sql`] for `$user` on `$executor` (a pool or a transaction), mapping a
/// taken address to [`AdapterError::Conflict`].
macro_rules! insert_user {
    ($executor:expr, $user:expr) => {
        sqlx::query_as::<_, User>(&$crate::adapter::users::insert_user_sql())
            .bind(&$user.name)
            .bind(&$user.email)
            .bind($user.email_verified)
            .bind(&$user.image)
            .fetch_one($executor)
            .await
            .map_err(AdapterError::from_insert)
    };
}
pub(crate) use insert_user;

impl Db {
    /// Creates a user.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] if the email is taken.
    pub async fn create_user(&self, user: &NewUser) -> Result<User, AdapterError> {
        on_pool!(self, |pool| insert_user!(pool, user))
    }

    /// Creates a user and their password hash in one transaction: both or neither.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] if the email is taken.
    pub async fn create_user_with_password(
        &self,
        user: &NewUser,
        password_hash: &str,
    ) -> Result<User, AdapterError> {
        let insert_password = r#"INSERT INTO user_passwords ("userId", password_hash, updated_at) VALUES ($1, $2, $3)"#;
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let row = insert_user!(&mut *tx, user)?;
            sqlx::query(insert_password)
                .bind(row.id)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(row)
        })
    }

    /// Finds a user by id.
    ///
    /// # Errors
    /// A database error.
    pub async fn get_user(&self, id: i32) -> Result<Option<User>, AdapterError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Finds a user by email (exact match; callers normalise case).
    ///
    /// # Errors
    /// A database error.
    pub async fn get_user_by_email(&self, email: &str) -> Result<Option<User>, AdapterError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
            .bind(email)
            .fetch_optional(pool)
            .await)?)
    }

    /// Deletes a user and everything that belongs to them.
    ///
    /// # Errors
    /// A database error (nothing is deleted then).
    pub async fn delete_user(&self, id: i32) -> Result<(), AdapterError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            for sql in [
                r#"DELETE FROM sessions WHERE "userId" = $1"#,
                r#"DELETE FROM accounts WHERE "userId" = $1"#,
                r#"DELETE FROM user_passwords WHERE "userId" = $1"#,
                r#"DELETE FROM recovery_codes WHERE "userId" = $1"#,
                r#"DELETE FROM user_totp WHERE "userId" = $1"#,
                r#"DELETE FROM authenticators WHERE "userId" = $1"#,
                "DELETE FROM users WHERE id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Sets a user's role (`None` takes it away); returns the user, if there is one with this
    /// address.
    ///
    /// # Errors
    /// A database error.
    pub async fn set_role(
        &self,
        email: &str,
        role: Option<&str>,
    ) -> Result<Option<User>, AdapterError> {
        let sql = format!("UPDATE users SET role = $1 WHERE email = $2 RETURNING {COLUMNS}");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
            .bind(role)
            .bind(email)
            .fetch_optional(pool)
            .await)?)
    }

    /// The users that have a role, by id.
    ///
    /// # Errors
    /// A database error.
    pub async fn users_with_roles(&self) -> Result<Vec<User>, AdapterError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE role IS NOT NULL ORDER BY id");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, User>(&sql)
            .fetch_all(pool)
            .await)?)
    }

    /// A verified sign-in reclaims an address nobody had proved: in one transaction, removes
    /// what the unverified party set up (the password, every database session, every linked
    /// account, a second factor, the name and picture, replaced by `profile`'s), ends their JWT sessions
    /// (`session_revocations`), and records the address as verified at `now`. Returns the user
    /// as it is afterwards.
    ///
    /// # Errors
    /// A database error (nothing is changed then).
    pub async fn reclaim_unverified(
        &self,
        user_id: i32,
        now: OffsetDateTime,
        profile: &NewUser,
    ) -> Result<Option<User>, AdapterError> {
        let verify = format!(
            r#"UPDATE users SET "emailVerified" = $1, name = $3, image = $4
            WHERE id = $2 AND "emailVerified" IS NULL RETURNING {COLUMNS}"#
        );
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Claimed first, so that two verified sign-ins at once clean up only once.
            let Some(user) = sqlx::query_as::<_, User>(&verify)
                .bind(now)
                .bind(user_id)
                .bind(&profile.name)
                .bind(&profile.image)
                .fetch_optional(&mut *tx)
                .await?
            else {
                return Ok(None);
            };
            // The squatter's second factor goes too: it must not lock the owner out.
            for sql in [
                r#"DELETE FROM user_passwords WHERE "userId" = $1"#,
                r#"DELETE FROM sessions WHERE "userId" = $1"#,
                r#"DELETE FROM accounts WHERE "userId" = $1"#,
                r#"DELETE FROM recovery_codes WHERE "userId" = $1"#,
                r#"DELETE FROM user_totp WHERE "userId" = $1"#,
                r#"DELETE FROM authenticators WHERE "userId" = $1"#,
            ] {
                sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
            }
            sqlx::query(super::sessions::REVOKE_SQL)
                .bind(user_id)
                .bind(unix_ms(now))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some(user))
        })
    }
}
