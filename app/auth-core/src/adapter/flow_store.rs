//! `flow_sessions`: a tower-sessions store over our own pool, for short-lived flow state.
//!
//! The auth session itself never lives here (it is the JWE cookie or a `sessions` row); this
//! holds what a no-JavaScript form round trip needs to survive a redirect, such as the values of
//! a refused registration form.

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, SessionStore},
};

use super::pool::{on_pool, Db};

/// A [`SessionStore`] backed by the `flow_sessions` table.
#[derive(Clone, Debug)]
pub struct FlowStore {
    db: Db,
}

impl FlowStore {
    /// A store on `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes expired records (the server's periodic purge, `housekeeping::purge_expired`,
    /// does this among the rest).
    ///
    /// # Errors
    /// A database error.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let now = OffsetDateTime::now_utc();
        let done = on_pool!(&self.db, |pool| sqlx::query(
            "DELETE FROM flow_sessions WHERE expiry_date < $1"
        )
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done)
    }
}

fn backend(err: sqlx::Error) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for FlowStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = serde_json::to_vec(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        // A collision of 128-bit random ids is next to impossible, but handle it anyway.
        loop {
            let id = record.id.to_string();
            let inserted = on_pool!(&self.db, |pool| sqlx::query(
                "INSERT INTO flow_sessions (id, data, expiry_date) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING"
            )
            .bind(&id)
            .bind(&data)
            .bind(record.expiry_date)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))
            .map_err(backend)?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_vec(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        on_pool!(&self.db, |pool| sqlx::query(
            "INSERT INTO flow_sessions (id, data, expiry_date) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date"
        )
        .bind(record.id.to_string())
        .bind(&data)
        .bind(record.expiry_date)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = OffsetDateTime::now_utc();
        let row: Option<(Vec<u8>, OffsetDateTime)> = on_pool!(&self.db, |pool| sqlx::query_as(
            "SELECT data, expiry_date FROM flow_sessions WHERE id = $1 AND expiry_date > $2"
        )
        .bind(id.to_string())
        .bind(now)
        .fetch_optional(pool)
        .await)
        .map_err(backend)?;
        row.map(|(data, expiry_date)| {
            Ok(Record {
                id: *id,
                data: serde_json::from_slice(&data)
                    .map_err(|e| session_store::Error::Decode(e.to_string()))?,
                expiry_date,
            })
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        on_pool!(&self.db, |pool| sqlx::query(
            "DELETE FROM flow_sessions WHERE id = $1"
        )
        .bind(id.to_string())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
        .map_err(backend)?;
        Ok(())
    }
}
