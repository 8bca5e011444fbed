//! Password hashing: argon2id with OWASP's parameters, off the async runtime, a few at a time.
//!
//! Hashing costs tens of milliseconds of CPU and 19 MiB of memory on purpose, so it never runs
//! on a runtime worker: a [`Hasher`] owns `concurrency` threads of its own and a semaphore of as
//! many slots, and a request that cannot get a slot within `max_wait` is refused
//! ([`HashError::Busy`]) instead of queueing. A burst of sign-ins then costs a bounded amount of
//! memory and leaves the runtime free for everything else.
//!
//! Why its own threads and not tokio's blocking pool: the allocator keeps a freed 19 MiB block
//! in the arena of the thread that freed it, and the blocking pool grows to hundreds of
//! threads, so a burst hashed there leaves an arena's worth behind on every thread it touched
//! (a 300-request burst on 2 cores: 400 MiB). Even on two threads glibc's dynamic mmap
//! threshold moves those blocks into its arenas, where they fragment (100 hashes on 2 threads:
//! 430 MiB). So each hashing thread allocates its 19 MiB once and reuses it for every hash
//! (`hash_password_into_with_memory`): a burst costs `concurrency` x 19 MiB, whatever its size.
//! Unknown users are checked against a dummy hash so that "no such user" and "wrong password"
//! take the same time.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{mpsc, Arc, Mutex},
    time::Duration,
};

use std::cell::RefCell;

use argon2::{
    password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use tokio::sync::{oneshot, OnceCell, OwnedSemaphorePermit, Semaphore};

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
    workers: Workers,
}

/// A job for a hashing thread.
type Job = Box<dyn FnOnce() + Send>;

/// The pool's own threads (see the module docs for why not `spawn_blocking`). They end when
/// the last clone of the [`Hasher`] is dropped (the channel closes).
#[derive(Clone)]
struct Workers {
    /// `None` when no thread could be started: jobs then go to tokio's blocking pool.
    jobs: Option<mpsc::Sender<Job>>,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field("own_threads", &self.jobs.is_some())
            .finish()
    }
}

impl Workers {
    fn start(count: usize) -> Self {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut started = 0;
        for i in 0..count {
            let receiver = Arc::clone(&receiver);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || loop {
                    // The lock is held only while waiting for the next job, never while one runs.
                    let next = match receiver.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    match next {
                        // A panicking job drops its answer channel (the caller gets
                        // `HashError::Task`); the thread goes on.
                        Ok(job) => drop(catch_unwind(AssertUnwindSafe(job))),
                        Err(_) => return,
                    }
                });
            match spawned {
                Ok(_) => started += 1,
                Err(error) => {
                    tracing::error!(%error, "could not start a password hashing thread");
                    break;
                }
            }
        }
        Self {
            jobs: (started > 0).then_some(sender),
        }
    }

    /// Runs `work` on one of the threads and waits for its answer without blocking the runtime.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let Some(jobs) = &self.jobs else {
            return tokio::task::spawn_blocking(work)
                .await
                .map_err(|_| HashError::Task);
        };
        let (answer, answered) = oneshot::channel();
        jobs.send(Box::new(move || {
            let _ = answer.send(work());
        }))
        .map_err(|_| HashError::Task)?;
        answered.await.map_err(|_| HashError::Task)
    }
}

impl Hasher {
    /// A pool with these limits, and its `concurrency` threads.
    pub fn new(limits: HashLimits) -> Self {
        let concurrency = limits.concurrency.max(1);
        Self {
            permits: Arc::new(Semaphore::new(concurrency)),
            limits,
            workers: Workers::start(concurrency),
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
        let result = self.workers.run(move || hash_now(&password)).await?;
        drop(permit);
        result
    }

    /// [`verify`] under the pool's bound.
    ///
    /// # Errors
    /// As [`Hasher::hash`].
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, HashError> {
        let permit = self.permit().await?;
        let result = self.workers.run(move || verify_now(&password, &phc)).await;
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
fn owasp_params() -> Params {
    Params::new(19 * 1024, 2, 1, None)
        .unwrap_or_else(|_| unreachable!("OWASP parameters are valid argon2 parameters"))
}

thread_local! {
    /// This thread's argon2 memory, kept between hashes (see the module docs). Only ever as
    /// large as the OWASP parameters need: a stored hash that asks for more gets a buffer of
    /// its own for that one check.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs argon2 into `out`, in this thread's kept memory.
fn argon2_into(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let needed = argon2.params().block_count();
    if needed > owasp_params().block_count() {
        return argon2.hash_password_into(password, salt, out);
    }
    BLOCKS.with_borrow_mut(|blocks| {
        if blocks.len() < needed {
            blocks.resize(needed, Block::default());
        }
        // Every block is written before it is read, so what the last hash left does not matter.
        argon2.hash_password_into_with_memory(password, salt, out, &mut blocks[..needed])
    })
}

/// argon2 with these settings, as an output of `len` bytes.
fn argon2_output(
    argon2: &Argon2<'_>,
    password: &str,
    salt: Salt<'_>,
    len: usize,
) -> Result<Output, argon2::password_hash::Error> {
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf)?;
    Output::init_with(len, |out| {
        argon2_into(argon2, password.as_bytes(), salt, out)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
}

/// Hashes a password into a PHC string, on the calling thread (seconds of CPU in a debug
/// build, tens of milliseconds optimised: never on a runtime worker).
fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let params = owasp_params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let phc = (|| {
        Ok::<_, argon2::password_hash::Error>(
            PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params)?,
                salt: Some(salt.as_salt()),
                hash: Some(argon2_output(
                    &argon2,
                    password,
                    salt.as_salt(),
                    Params::DEFAULT_OUTPUT_LEN,
                )?),
            }
            .to_string(),
        )
    })();
    phc.map_err(|_| HashError::Task)
}

/// Checks a password against a PHC string (any argon2 variant and parameters it names), on the
/// calling thread.
fn verify_now(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        tracing::error!("stored password hash is not a PHC string");
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        tracing::error!("stored password hash has no salt or no hash");
        return false;
    };
    let settings = Algorithm::try_from(parsed.algorithm).and_then(|algorithm| {
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        Ok(Argon2::new(algorithm, version, Params::try_from(&parsed)?))
    });
    let Ok(argon2) = settings else {
        tracing::error!("stored password hash is not an argon2 hash this build can check");
        return false;
    };
    // `Output`'s equality is constant-time.
    argon2_output(&argon2, password, salt, expected.len())
        .is_ok_and(|computed| computed == expected)
}

/// Hashes a password into a PHC string, on tokio's blocking pool (outside any [`Hasher`]).
///
/// # Errors
/// [`HashError::Task`] if the blocking task could not run.
pub async fn hash(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|_| HashError::Task)?
}

/// Checks a password against a PHC string (any argon2 variant and parameters it names), on
/// tokio's blocking pool (outside any [`Hasher`]).
///
/// # Errors
/// [`HashError::Task`] if the blocking task could not run.
pub async fn verify(password: String, phc: String) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || verify_now(&password, &phc))
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

    #[tokio::test]
    async fn hashes_run_on_the_pools_own_threads_only() {
        let hasher = Hasher::new(HashLimits {
            concurrency: 2,
            max_wait: std::time::Duration::from_secs(5),
        });
        let mut names = std::collections::BTreeSet::new();
        for _ in 0..8 {
            let name = hasher
                .workers
                .run(|| std::thread::current().name().map(str::to_owned))
                .await
                .unwrap();
            names.insert(name.unwrap_or_default());
        }
        assert!(
            names.iter().all(|n| n == "argon2-0" || n == "argon2-1"),
            "{names:?}"
        );
        // A panicking job fails its caller and leaves the thread serving.
        let panicked = hasher.workers.run::<()>(|| panic!("boom")).await;
        assert_eq!(panicked, Err(HashError::Task));
        let phc = hasher.hash("pw".into()).await.unwrap();
        assert!(hasher.verify("pw".into(), phc).await.unwrap());
    }

    #[test]
    fn the_kept_memory_gives_the_crates_own_answers_hash_after_hash() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Ours, checked by the crate's own (allocating) verifier.
        let ours = hash_now("correct horse").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        // The crate's, with other variants and parameters (fewer blocks, two lanes, argon2i,
        // version 0x10), checked by ours in the memory the hashes above left dirty.
        for (algorithm, version, m, t, p) in [
            (Algorithm::Argon2id, Version::V0x13, 19 * 1024, 2, 1),
            (Algorithm::Argon2id, Version::V0x13, 8 * 1024, 1, 2),
            (Algorithm::Argon2i, Version::V0x10, 4 * 1024, 3, 1),
            (Algorithm::Argon2d, Version::V0x13, 32 * 1024, 1, 1),
        ] {
            let theirs = Argon2::new(algorithm, version, Params::new(m, t, p, None).unwrap())
                .hash_password(
                    b"battery staple",
                    &SaltString::generate(&mut rand::rngs::OsRng),
                )
                .unwrap()
                .to_string();
            assert!(verify_now("battery staple", &theirs), "{theirs}");
            assert!(!verify_now("battery stapler", &theirs), "{theirs}");
            assert!(verify_now("correct horse", &ours));
        }
        assert!(!verify_now(
            "x",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ"
        ));
    }
}
