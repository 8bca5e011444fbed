//! `users`: Auth.js's `createUser`, `getUser`, `getUserByEmail`.

use sqlx::FromRow;
use time::OffsetDateTime;

use super::{on_pool, AdapterError, Db};

/// A row of `users`.
#[derive(Clone, Debug, PartialEq, Eq, FromRow)]
pub struct UserRow {
    /// Primary key (Auth.js `SERIAL`).
    pub id: i32,
    /// Display name.
    pub name: Option<String>,
    /// Email address (unique).
    pub email: Option<String>,
    /// When the email address was verified.
    #[sqlx(rename = "emailVerified")]
    pub email_verified: Option<OffsetDateTime>,
    /// Avatar URL.
    pub image: Option<String>,
}

/// The fields of a user to create.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    /// Display name.
    pub name: Option<String>,
    /// Email address; stored lower-cased by the callers that take it from users.
    pub email: Option<String>,
    /// When the address was verified.
    pub email_verified: Option<OffsetDateTime>,
    /// Avatar URL.
    pub image: Option<String>,
}

const COLUMNS: &str = r#"id, name, email, "emailVerified", image"#;

impl Db {
    /// Creates a user.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] if the email is taken.
    pub async fn create_user(&self, user: &NewUser) -> Result<UserRow, AdapterError> {
        let sql = format!(
            r#"INSERT INTO users (name, email, "emailVerified", image) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"#
        );
        on_pool!(self, |pool| sqlx::query_as::<_, UserRow>(&sql)
            .bind(&user.name)
            .bind(&user.email)
            .bind(user.email_verified)
            .bind(&user.image)
            .fetch_one(pool)
            .await)
        .map_err(AdapterError::from_insert)
    }

    /// Creates a user and their password hash in one transaction: both or neither.
    ///
    /// # Errors
    /// [`AdapterError::Conflict`] if the email is taken.
    pub async fn create_user_with_password(
        &self,
        user: &NewUser,
        password_hash: &str,
    ) -> Result<UserRow, AdapterError> {
        let insert_user = format!(
            r#"INSERT INTO users (name, email, "emailVerified", image) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"#
        );
        let insert_password = r#"INSERT INTO user_passwords ("userId", password_hash, updated_at) VALUES ($1, $2, $3)"#;
        let now = OffsetDateTime::now_utc();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as::<_, UserRow>(&insert_user)
                .bind(&user.name)
                .bind(&user.email)
                .bind(user.email_verified)
                .bind(&user.image)
                .fetch_one(&mut *tx)
                .await
                .map_err(AdapterError::from_insert)?;
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
    pub async fn get_user(&self, id: i32) -> Result<Option<UserRow>, AdapterError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, UserRow>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    /// Finds a user by email (exact match; callers normalise case).
    ///
    /// # Errors
    /// A database error.
    pub async fn get_user_by_email(&self, email: &str) -> Result<Option<UserRow>, AdapterError> {
        let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, UserRow>(&sql)
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
                "DELETE FROM users WHERE id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
