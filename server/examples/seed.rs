//! Fills a database with `N` users, each with one database session, for `scripts/bench` (the
//! cost of reading a database session must stay flat as the tables grow). Prints the session
//! token of the last user, to be sent as the `authjs.session-token` cookie.
//!
//! ```text
//! cargo run --release -p server --example seed -- 'sqlite:///tmp/bench.db?mode=rwc' 100000
//! ```

use anyhow::Context;
use app::auth::ssr::Db;
use time::{Duration, OffsetDateTime};

const BATCH: usize = 1000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args.next().context("usage: seed <DATABASE_URL> <N>")?;
    let count: usize = args
        .next()
        .context("usage: seed <DATABASE_URL> <N>")?
        .parse()
        .context("N must be a number")?;
    let db = Db::connect(&url).await?;
    db.migrate().await?;
    let expires = OffsetDateTime::now_utc() + Duration::days(30);

    let mut inserted = 0;
    while inserted < count {
        let rows = BATCH.min(count - inserted);
        let placeholders = (0..rows)
            .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("INSERT INTO users (name, email) VALUES {placeholders}");
        let values: Vec<(String, String)> = (inserted..inserted + rows)
            .map(|n| (format!("Bench User {n}"), format!("bench-{n}@example.com")))
            .collect();
        match &db {
            Db::Sqlite(pool) => {
                let mut query = sqlx::query(&sql);
                for (name, email) in &values {
                    query = query.bind(name).bind(email);
                }
                query.execute(pool).await?;
            }
            Db::Postgres(pool) => {
                let mut query = sqlx::query(&sql);
                for (name, email) in &values {
                    query = query.bind(name).bind(email);
                }
                query.execute(pool).await?;
            }
        }
        inserted += rows;
    }
    let sessions = r#"INSERT INTO sessions ("userId", expires, "sessionToken")
        SELECT id, $1, 'bench-session-' || CAST(id AS TEXT) FROM users"#;
    let last = r#"SELECT 'bench-session-' || CAST(MAX(id) AS TEXT) FROM users"#;
    let token: String = match &db {
        Db::Sqlite(pool) => {
            sqlx::query(sessions).bind(expires).execute(pool).await?;
            sqlx::query_scalar(last).fetch_one(pool).await?
        }
        Db::Postgres(pool) => {
            sqlx::query(sessions).bind(expires).execute(pool).await?;
            sqlx::query_scalar(last).fetch_one(pool).await?
        }
    };
    db.close().await;
    #[allow(clippy::print_stdout)]
    {
        println!("{token}");
    }
    Ok(())
}
