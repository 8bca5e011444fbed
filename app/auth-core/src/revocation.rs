//! Sign-out-everywhere for JWT sessions, without a database read per request.
//!
//! A JWT session cannot be deleted: it lives in the browser until it expires. Signing a user
//! out everywhere therefore records a time (`session_revocations.valid_after`, Unix ms), and a
//! token whose sign-in time (`auth_time`) is older is refused. Checking that on every read would
//! put a database round trip on the hot path, so a token carries when it was last checked
//! (`chk`, re-issued with the sliding cookie) and is looked at again only once that is
//! `revocation_check` old; the lookups themselves are cached per user for as long. The window:
//! a revoked session ends at once on the instance that revoked it, and within two
//! `revocation_check` intervals (two minutes by default) on the others.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        RwLock,
    },
};

use super::error::AuthError;
use crate::adapter::Db;

/// Entries kept at most; past it the cache starts over (it is only a cache).
const MAX_ENTRIES: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The user's sign-out-everywhere time (Unix ms), if any.
    valid_after: Option<i64>,
    /// When it was read from the database (Unix ms).
    fetched: i64,
}

/// The per-instance cache of users' sign-out-everywhere times (shared by client instances).
#[derive(Debug, Default)]
pub struct Revocations {
    entries: RwLock<HashMap<i32, Entry>>,
    /// Whether any cached user has a revocation time: until one does, reads skip the lock.
    any: AtomicBool,
}

impl Revocations {
    /// Records a revocation made on this instance: effective here at once.
    pub fn record(&self, user_id: i32, valid_after_ms: i64, now_ms: i64) {
        self.store(user_id, Some(valid_after_ms), now_ms);
    }

    /// The revocation time of `user_id` as this instance knows it without asking the database
    /// (what it revoked itself, or read recently).
    pub fn known(&self, user_id: i32) -> Option<i64> {
        if !self.any.load(Ordering::Relaxed) {
            return None;
        }
        self.read()
            .get(&user_id)
            .and_then(|entry| entry.valid_after)
    }

    /// The revocation time of `user_id`: from the cache when it was read less than `ttl_ms`
    /// ago, else from the database.
    ///
    /// # Errors
    /// A database error.
    pub async fn valid_after(
        &self,
        db: &Db,
        user_id: i32,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<Option<i64>, AuthError> {
        if let Some(entry) = self.read().get(&user_id) {
            if now_ms - entry.fetched < ttl_ms {
                return Ok(entry.valid_after);
            }
        }
        let valid_after = db.sessions_valid_after(user_id).await?;
        self.store(user_id, valid_after, now_ms);
        Ok(valid_after)
    }

    fn store(&self, user_id: i32, valid_after: Option<i64>, now_ms: i64) {
        let mut entries = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&user_id) {
            entries.clear();
            self.any.store(false, Ordering::Relaxed);
        }
        let previous = entries.get(&user_id).and_then(|e| e.valid_after);
        // A later time never moves back (the database keeps the maximum too).
        let valid_after = match (previous, valid_after) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        entries.insert(
            user_id,
            Entry {
                valid_after,
                fetched: now_ms,
            },
        );
        if valid_after.is_some() {
            self.any.store(true, Ordering::Relaxed);
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<i32, Entry>> {
        self.entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_revocations_are_known_at_once_and_never_move_back() {
        let revocations = Revocations::default();
        assert_eq!(revocations.known(1), None);
        revocations.record(1, 5_000, 5_000);
        assert_eq!(revocations.known(1), Some(5_000));
        revocations.record(1, 4_000, 6_000);
        assert_eq!(revocations.known(1), Some(5_000));
        assert_eq!(revocations.known(2), None);
    }
}
