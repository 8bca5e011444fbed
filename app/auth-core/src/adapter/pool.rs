//! The pool: one enum over SQLite and PostgreSQL, connecting, migrating, [`on_pool!`].

use std::{str::FromStr, time::Duration};

use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};

use super::error::AdapterError;

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
            $crate::adapter::pool::Db::Sqlite($pool) => $body,
            $crate::adapter::pool::Db::Postgres($pool) => $body,
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
            Self::Sqlite(pool) => sqlx::migrate!("../../migrations/sqlite").run(pool).await?,
            Self::Postgres(pool) => {
                sqlx::migrate!("../../migrations/postgres")
                    .run(pool)
                    .await?
            }
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
