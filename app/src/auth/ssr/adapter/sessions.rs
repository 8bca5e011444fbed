//! `sessions`: Auth.js's `createSession`, `getSessionAndUser`, `updateSession`, `deleteSession`
//! (database session strategy).

use time::OffsetDateTime;

use super::{on_pool, AdapterError, Db, UserRow};

/// A row of `sessions`.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    /// Primary key.
    pub id: i32,
    /// Owner.
    #[sqlx(rename = "userId")]
    pub user_id: i32,
    /// When it ends.
    pub expires: OffsetDateTime,
    /// The opaque token in the cookie.
    #[sqlx(rename = "sessionToken")]
    pub session_token: String,
}

impl Db {
    /// Stores a new session.
    ///
    /// # Errors
    /// A database error.
    pub async fn create_session(
        &self,
        user_id: i32,
        token: &str,
        expires: OffsetDateTime,
    ) -> Result<SessionRow, AdapterError> {
        let sql = r#"INSERT INTO sessions ("userId", expires, "sessionToken") VALUES ($1, $2, $3)
            RETURNING id, "userId", expires, "sessionToken""#;
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, SessionRow>(sql)
            .bind(user_id)
            .bind(expires)
            .bind(token)
            .fetch_one(pool)
            .await)?)
    }

    /// The session with this token and its user, in one query.
    ///
    /// # Errors
    /// A database error.
    pub async fn get_session_and_user(
        &self,
        token: &str,
    ) -> Result<Option<(SessionRow, UserRow)>, AdapterError> {
        let sql = r#"SELECT s.id, s."userId", s.expires, s."sessionToken",
                u.name, u.email, u."emailVerified", u.image
            FROM sessions s JOIN users u ON u.id = s."userId" WHERE s."sessionToken" = $1"#;
        type Row = (
            i32,
            i32,
            OffsetDateTime,
            String,
            Option<String>,
            Option<String>,
            Option<OffsetDateTime>,
            Option<String>,
        );
        let row: Option<Row> = on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(token)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(
            |(id, user_id, expires, session_token, name, email, email_verified, image)| {
                (
                    SessionRow {
                        id,
                        user_id,
                        expires,
                        session_token,
                    },
                    UserRow {
                        id: user_id,
                        name,
                        email,
                        email_verified,
                        image,
                    },
                )
            },
        ))
    }

    /// Pushes a session's expiry back.
    ///
    /// # Errors
    /// A database error.
    pub async fn update_session_expiry(
        &self,
        token: &str,
        expires: OffsetDateTime,
    ) -> Result<(), AdapterError> {
        on_pool!(self, |pool| sqlx::query(
            r#"UPDATE sessions SET expires = $1 WHERE "sessionToken" = $2"#
        )
        .bind(expires)
        .bind(token)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deletes a session; returns it if it existed.
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_session(&self, token: &str) -> Result<Option<SessionRow>, AdapterError> {
        let sql = r#"DELETE FROM sessions WHERE "sessionToken" = $1
            RETURNING id, "userId", expires, "sessionToken""#;
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, SessionRow>(sql)
            .bind(token)
            .fetch_optional(pool)
            .await)?)
    }
}
