//! Password hashing: argon2id with OWASP's parameters, off the async runtime, a few at a time.
//!
//! Hashing costs tens of milliseconds of CPU and 19 MiB of memory on purpose, so it runs on the
//! blocking pool (`spawn_blocking`), never on a runtime worker, and under a [`Hasher`]'s
//! semaphore: at most `concurrency` hashes at once, and a request that cannot get a slot
//! within `max_wait` is refused ([`HashError::Busy`]) instead of queueing. A burst of sign-ins
//! then costs a bounded amount of memory and leaves the runtime free for everything else.
//! Unknown users are checked against a dummy hash so that "no such user" and "wrong password"
//! take the same time.

use std::{sync::Arc, time::Duration};

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::{OnceCell, OwnedSemaphorePermit, Semaphore};

/// Why a hash or a check did not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// Every slot stayed busy for the whole wait: a burst of sign-ins; this one is refused
    /// rather than queued.
    #[error("password hashing is busy")]
    Busy,
    /// The blocking task could not run.
    #[error("background task failed")]
    Task,
}

/// How many password hashes may run at once, and how long a request waits for its turn.
///
/// argon2id with OWASP's parameters takes 19 MiB and tens of milliseconds of a core per hash:
/// unbounded, a burst of sign-ins is gigabytes of memory and a CPU queue that stalls every other
/// request. Past the wait, a sign-in is refused as rate limited instead of queueing.
#[derive(Clone, Copy, Debug)]
pub struct HashLimits {
    /// Hashes at once (default: the number of cores).
    pub concurrency: usize,
    /// How long a request may wait for a free slot (default 1 s).
    pub max_wait: Duration,
}

impl Default for HashLimits {
    fn default() -> Self {
        Self {
            concurrency: std::thread::available_parallelism().map_or(1, usize::from),
            max_wait: Duration::from_secs(1),
        }
    }
}

/// The bounded hashing pool of one auth instance (shared by its client instances).
#[derive(Debug, Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    limits: HashLimits,
}

impl Hasher {
    /// A pool with these limits.
    pub fn new(limits: HashLimits) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(limits.concurrency.max(1))),
            limits,
        }
    }

    async fn permit(&self) -> Result<OwnedSemaphorePermit, HashError> {
        match tokio::time::timeout(self.limits.max_wait, self.permits.clone().acquire_owned()).await
        {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(HashError::Task),
            Err(_) => Err(HashError::Busy),
        }
    }

    /// [`hash`] under the pool's bound.
    ///
    /// # Errors
    /// [`HashError::Busy`] when no slot freed up in time; [`HashError::Task`].
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let permit = self.permit().await?;
        let result = hash(password).await;
        drop(permit);
        result
    }

    /// [`verify`] under the pool's bound.
    ///
    /// # Errors
    /// As [`Hasher::hash`].
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, HashError> {
        let permit = self.permit().await?;
        let result = verify(password, phc).await;
        drop(permit);
        result
    }

    /// [`verify_dummy`] under the pool's bound.
    ///
    /// # Errors
    /// As [`Hasher::hash`].
    pub async fn verify_dummy(&self, password: String) -> Result<(), HashError> {
        let phc = dummy_hash().await?;
        self.verify(password, phc).await.map(|_| ())
    }

    /// Hashes running or waiting right now is `concurrency - available`; for tests and metrics.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

/// OWASP (2023): argon2id, m = 19 MiB, t = 2, p = 1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .unwrap_or_else(|_| unreachable!("OWASP parameters are valid argon2 parameters"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
///
/// # Errors
/// [`HashError::Task`] if the blocking task could not run.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| HashError::Task)
    })
    .await
    .map_err(|_| HashError::Task)?
}

/// Checks a password against a PHC string (any argon2 variant and parameters it names).
///
/// # Errors
/// [`HashError::Task`] if the blocking task could not run.
pub async fn verify(password: String, phc: String) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || {
        let Ok(parsed) = PasswordHash::new(&phc) else {
            tracing::error!("stored password hash is not a PHC string");
            return false;
        };
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .map_err(|_| HashError::Task)
}

/// Spends the time a real check would, for an unknown user.
///
/// # Errors
/// [`HashError::Task`] if the blocking task could not run.
pub async fn verify_dummy(password: String) -> Result<(), HashError> {
    verify(password, dummy_hash().await?).await.map(|_| ())
}

/// The hash unknown users are checked against (made once per process).
async fn dummy_hash() -> Result<String, HashError> {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    Ok(DUMMY
        .get_or_try_init(|| hash("dummy password for timing".to_owned()))
        .await?
        .clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id() {
        let phc = hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse".into(), phc.clone()).await.unwrap());
        assert!(!verify("wrong horse".into(), phc).await.unwrap());
        assert!(!verify("x".into(), "not a hash".into()).await.unwrap());
        verify_dummy("anything".into()).await.unwrap();
    }

    #[tokio::test]
    async fn a_full_pool_refuses_instead_of_queueing() {
        let hasher = Hasher::new(HashLimits {
            concurrency: 1,
            max_wait: std::time::Duration::from_millis(50),
        });
        let held = hasher.permit().await.unwrap();
        assert_eq!(hasher.available(), 0);
        assert!(matches!(
            hasher.hash("pw".into()).await,
            Err(HashError::Busy)
        ));
        drop(held);
        assert!(hasher.hash("pw".into()).await.is_ok());
        assert_eq!(hasher.available(), 1);
    }
}
