//! The adapter's one error type.

/// Errors from the database.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// A query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Migrations failed at start-up.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// `DATABASE_URL` names a database this build does not support.
    #[error("unsupported DATABASE_URL scheme (expected sqlite: or postgres:)")]
    UnsupportedUrl,
    /// A unique key is already taken (for example the email of a new user).
    #[error("a row with this key already exists")]
    Conflict,
    /// Unlinking would leave the user with no way to sign in.
    #[error("the user's last way to sign in")]
    LastSignInMethod,
}

impl AdapterError {
    /// Whether the database could not be reached (down, restarting, pool exhausted): a
    /// temporary condition, answered with 503, not a bug.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Database(error) => match error {
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed => true,
                // PostgreSQL: class 08 (connection exception), 57P01-57P03 (shutting down,
                // cannot connect now).
                sqlx::Error::Database(db) => db.code().is_some_and(|code| {
                    code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
                }),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether the error is a unique-constraint violation.
    pub(super) fn from_insert(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            _ => Self::Database(err),
        }
    }
}
