//! One lock per (user, provider) account, held while its access token is refreshed, so that
//! concurrent callers wait for the first refresh and reuse its result
//! (`session/provider_tokens.rs`). Entries are weak: a lock nobody holds costs nothing.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Weak},
};

type LockMap = HashMap<(i32, String), Weak<tokio::sync::Mutex<()>>>;

/// One lock per (user, provider), held while refreshing.
#[derive(Debug, Default)]
pub struct RefreshLocks {
    locks: Mutex<LockMap>,
}

impl RefreshLocks {
    /// The lock of this account, made on first use.
    pub fn lock_for(&self, user_id: i32, provider: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = (user_id, provider.to_owned());
        if let Some(lock) = locks.get(&key).and_then(Weak::upgrade) {
            return lock;
        }
        if locks.len() > 1024 {
            locks.retain(|_, lock| lock.strong_count() > 0);
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        locks.insert(key, Arc::downgrade(&lock));
        lock
    }
}
