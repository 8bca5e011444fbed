//! `sessions`: Auth.js's `createSession`, `getSessionAndUser`, `updateSession`, `deleteSession`
//! (database session strategy).

use time::OffsetDateTime;

use super::{
    error::AdapterError,
    model::User,
    pool::{on_pool, Db},
    users::U_COLUMNS,
};

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
    /// When it started (absent on rows written by Auth.js).
    pub created_at: Option<OffsetDateTime>,
    /// How the user signed in: RFC 8176 `amr` values, comma-separated (absent on rows written
    /// by Auth.js).
    pub amr: Option<String>,
}

/// Records a user's sign-out-everywhere time (`$1` user, `$2` Unix milliseconds); a later time
/// never moves back.
pub(crate) const REVOKE_SQL: &str = r#"INSERT INTO session_revocations ("userId", valid_after) VALUES ($1, $2)
    ON CONFLICT ("userId") DO UPDATE SET valid_after = CASE
      WHEN session_revocations.valid_after > excluded.valid_after THEN session_revocations.valid_after
      ELSE excluded.valid_after END"#;

/// A session as the account page lists it.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionDetails {
    /// Primary key (the handle the page uses).
    pub id: i32,
    /// When it ends.
    pub expires: OffsetDateTime,
    /// The token (never leaves the server).
    #[sqlx(rename = "sessionToken")]
    pub session_token: String,
    /// When it started (absent on rows written by Auth.js).
    pub created_at: Option<OffsetDateTime>,
    /// The browser that started it.
    pub user_agent: Option<String>,
}

impl std::fmt::Debug for SessionDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionDetails")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Stores a new session (with when it started and the browser's `User-Agent`, for the
    /// account page).
    ///
    /// # Errors
    /// A database error.
    pub async fn create_session(
        &self,
        user_id: i32,
        token: &str,
        expires: OffsetDateTime,
        user_agent: Option<&str>,
        amr: Option<&str>,
    ) -> Result<SessionRow, AdapterError> {
        let sql = r#"INSERT INTO sessions ("userId", expires, "sessionToken", created_at, user_agent, amr)
            VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, "userId", expires, "sessionToken", created_at, amr"#;
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, SessionRow>(sql)
            .bind(user_id)
            .bind(expires)
            .bind(token)
            .bind(OffsetDateTime::now_utc())
            .bind(user_agent)
            .bind(amr)
            .fetch_one(pool)
            .await)?)
    }

    /// A user's unexpired sessions, newest first, with their tokens (the caller must not
    /// send those anywhere).
    ///
    /// # Errors
    /// A database error.
    pub async fn sessions_of(&self, user_id: i32) -> Result<Vec<SessionDetails>, AdapterError> {
        let sql = r#"SELECT id, expires, "sessionToken", created_at, user_agent FROM sessions
            WHERE "userId" = $1 AND expires > $2 ORDER BY id DESC"#;
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, SessionDetails>(
            sql
        )
        .bind(user_id)
        .bind(OffsetDateTime::now_utc())
        .fetch_all(pool)
        .await)?)
    }

    /// Deletes one of a user's sessions by id; returns whether it existed.
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_session_of(&self, user_id: i32, id: i32) -> Result<bool, AdapterError> {
        let done = on_pool!(self, |pool| sqlx::query(
            r#"DELETE FROM sessions WHERE "userId" = $1 AND id = $2"#
        )
        .bind(user_id)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// Deletes every session of a user but the one with `keep` as token; returns how many.
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_other_sessions(
        &self,
        user_id: i32,
        keep: &str,
    ) -> Result<u64, AdapterError> {
        Ok(on_pool!(self, |pool| sqlx::query(
            r#"DELETE FROM sessions WHERE "userId" = $1 AND "sessionToken" <> $2"#
        )
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// The session with this token and its user, in one query.
    ///
    /// # Errors
    /// A database error.
    pub async fn get_session_and_user(
        &self,
        token: &str,
    ) -> Result<Option<(SessionRow, User)>, AdapterError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            session_id: i32,
            expires: OffsetDateTime,
            #[sqlx(rename = "sessionToken")]
            session_token: String,
            created_at: Option<OffsetDateTime>,
            amr: Option<String>,
            #[sqlx(flatten)]
            user: User,
        }
        let sql = format!(
            r#"SELECT s.id AS session_id, s.expires, s."sessionToken", s.created_at, s.amr, {U_COLUMNS}
            FROM sessions s JOIN users u ON u.id = s."userId" WHERE s."sessionToken" = $1"#
        );
        let row: Option<Row> = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(token)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|row| {
            (
                SessionRow {
                    id: row.session_id,
                    user_id: row.user.id,
                    expires: row.expires,
                    session_token: row.session_token,
                    created_at: row.created_at,
                    amr: row.amr,
                },
                row.user,
            )
        }))
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
            RETURNING id, "userId", expires, "sessionToken", created_at, amr"#;
        Ok(on_pool!(self, |pool| sqlx::query_as::<_, SessionRow>(sql)
            .bind(token)
            .fetch_optional(pool)
            .await)?)
    }

    /// Deletes every session of a user; returns how many.
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_sessions_of(&self, user_id: i32) -> Result<u64, AdapterError> {
        Ok(on_pool!(self, |pool| sqlx::query(
            r#"DELETE FROM sessions WHERE "userId" = $1"#
        )
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
    }

    /// Signs a user out everywhere (JWT sessions): tokens whose sign-in time is before `at`
    /// (Unix milliseconds) are refused from their next check on.
    ///
    /// # Errors
    /// A database error.
    pub async fn revoke_sessions_before(&self, user_id: i32, at: i64) -> Result<(), AdapterError> {
        on_pool!(self, |pool| sqlx::query(REVOKE_SQL)
            .bind(user_id)
            .bind(at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The user's sign-out-everywhere time, if they ever used it.
    ///
    /// # Errors
    /// A database error.
    pub async fn sessions_valid_after(&self, user_id: i32) -> Result<Option<i64>, AdapterError> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar::<_, i64>(
            r#"SELECT valid_after FROM session_revocations WHERE "userId" = $1"#
        )
        .bind(user_id)
        .fetch_optional(pool)
        .await)?)
    }
}
