//! Password hashing: argon2id with OWASP's parameters, off the async runtime.
//!
//! Hashing costs tens of milliseconds of CPU on purpose, so it runs on the blocking pool
//! (`spawn_blocking`), never on a runtime worker. Unknown users are checked against a dummy
//! hash so that "no such user" and "wrong password" take the same time.

use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};
use tokio::sync::OnceCell;

use super::error::AuthError;

/// OWASP (2023): argon2id, m = 19 MiB, t = 2, p = 1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .unwrap_or_else(|_| unreachable!("OWASP parameters are valid argon2 parameters"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password into a PHC string.
///
/// # Errors
/// [`AuthError::Task`] if the blocking task could not run.
pub async fn hash(password: String) -> Result<String, AuthError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| AuthError::Task)
    })
    .await
    .map_err(|_| AuthError::Task)?
}

/// Checks a password against a PHC string (any argon2 variant and parameters it names).
///
/// # Errors
/// [`AuthError::Task`] if the blocking task could not run.
pub async fn verify(password: String, phc: String) -> Result<bool, AuthError> {
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
    .map_err(|_| AuthError::Task)
}

/// Spends the time a real check would, for an unknown user.
///
/// # Errors
/// [`AuthError::Task`] if the blocking task could not run.
pub async fn verify_dummy(password: String) -> Result<(), AuthError> {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    let phc = DUMMY
        .get_or_try_init(|| hash("dummy password for timing".to_owned()))
        .await?
        .clone();
    verify(password, phc).await.map(|_| ())
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
}
