//! The database adapter: Auth.js's SQL adapter tables over SQLite or PostgreSQL.
//!
//! One enum, two pools, and the same SQL text for both: `$1` placeholders and quoted camelCase
//! column names are valid in each. [`on_pool!`] runs a block once per backend so that each arm
//! is type-checked against its own driver. Ids are `i32` because Auth.js's schema uses `SERIAL`,
//! so an existing NextAuth database works unchanged.

use std::{str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};

mod accounts;
mod flow_store;
mod passwords;
mod rate_limits;
mod sessions;
mod users;
mod verification;

pub use accounts::{AccountRow, AccountTokens};
pub use flow_store::FlowStore;
pub use rate_limits::Purged;
pub use sessions::{SessionDetails, SessionRow};
pub use users::{unix_ms, NewUser, UserRow};

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
    fn from_insert(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            _ => Self::Database(err),
        }
    }
}

/// A pool on one of the supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    /// Embedded SQLite (the default, `sqlite://data/app.db?mode=rwc`).
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of `$db`.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::auth::ssr::adapter::Db::Sqlite($pool) => $body,
            $crate::auth::ssr::adapter::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Which backend a [`Db`] talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl Db {
    /// Connects to `url` (`sqlite:...` or `postgres://...`), creating the SQLite file and its
    /// folder if needed. Does not run migrations: see [`Db::migrate`].
    ///
    /// # Errors
    /// [`AdapterError::UnsupportedUrl`] for another scheme; a database error if it cannot connect.
    pub async fn connect(url: &str) -> Result<Self, AdapterError> {
        Self::connect_with(url, Duration::from_secs(5)).await
    }

    /// [`connect`](Self::connect), giving up on a busy or unreachable database after
    /// `acquire_timeout` (requests then answer 503 instead of waiting).
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub async fn connect_with(url: &str, acquire_timeout: Duration) -> Result<Self, AdapterError> {
        if url.starts_with("sqlite:") {
            if let Some(dir) = sqlite_parent_dir(url) {
                // Best effort: if it fails, connecting reports the real problem.
                let _ = std::fs::create_dir_all(dir);
            }
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await?;
            Ok(Self::Sqlite(pool))
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await?;
            Ok(Self::Postgres(pool))
        } else {
            Err(AdapterError::UnsupportedUrl)
        }
    }

    /// Runs the migrations of `migrations/sqlite` or `migrations/postgres` (embedded at build
    /// time).
    ///
    /// # Errors
    /// A migration error.
    pub async fn migrate(&self) -> Result<(), AdapterError> {
        match self {
            Self::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await?,
            Self::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// A cheap round trip, for health checks.
    ///
    /// # Errors
    /// The database error.
    pub async fn ping(&self) -> Result<(), AdapterError> {
        on_pool!(self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes the pool.
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await);
    }
}

/// The folder of a SQLite file URL (`sqlite://data/app.db?mode=rwc` gives `data`).
fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path.starts_with(":memory:") || path.starts_with("file:") {
        return None;
    }
    let parent = std::path::Path::new(path).parent()?;
    (!parent.as_os_str().is_empty()).then(|| parent.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_folder_of_a_sqlite_file() {
        assert_eq!(
            sqlite_parent_dir("sqlite://data/app.db?mode=rwc"),
            Some("data".into())
        );
        assert_eq!(sqlite_parent_dir("sqlite:app.db"), None);
        assert_eq!(sqlite_parent_dir("sqlite::memory:"), None);
        assert_eq!(sqlite_parent_dir("postgres://x"), None);
    }
}
