//! The credentials provider's settings, and the starter's `authorize` (email and password).
//! The flow that uses them (sign-in, registration) is `flows/credentials/`.
//!
//! Auth.js leaves `authorize` to the app; this starter ships one ([`PasswordAuthorize`]) that
//! checks argon2id hashes in `user_passwords`, with the attempt limits of DESIGN.md section 11
//! counted before any hashing, hashing under the instance's bounded pool, and the same timing
//! whether or not the account exists. Unlike Auth.js, it works with the database session
//! strategy too.
//!
//! Registration stores the address unverified: the account works at once, but nothing that
//! needs a proven address (an admin bootstrap, linking by email) applies to it, and the first
//! verified sign-in for that address by anyone else (an email link, a provider that verified
//! it) removes the password, the sessions and the linked accounts first (`Db::reclaim_unverified`).

use std::sync::Arc;

use async_trait::async_trait;

use crate::auth::form::FormFields;

use super::super::{adapter::User, auth::Auth, error::AuthError, rate_limit, request::AuthRequest};

/// Passwords longer than this are refused before hashing (argon2 on a megabyte is a DoS).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Passwords shorter than this are refused at registration unless configured otherwise
/// (`AUTH_PASSWORD_MIN_LENGTH`).
pub const MIN_PASSWORD_CHARS: usize = super::super::config::DEFAULT_PASSWORD_MIN_CHARS;

/// Checks submitted credentials (Auth.js's `authorize`).
#[async_trait]
pub trait Authorize: Send + Sync + 'static {
    /// The user these credentials belong to, or `None` if they are wrong.
    ///
    /// # Errors
    /// An [`AuthError`] for failures other than wrong credentials.
    async fn authorize(
        &self,
        auth: &Auth,
        form: &FormFields,
        req: &AuthRequest,
    ) -> Result<Option<User>, AuthError>;
}

/// The credentials provider's settings.
#[derive(Clone)]
pub struct CredentialsProvider {
    /// Provider id (`credentials`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The check.
    pub authorize: Arc<dyn Authorize>,
}

impl Default for CredentialsProvider {
    fn default() -> Self {
        Self {
            id: "credentials".into(),
            name: "Credentials".into(),
            authorize: Arc::new(PasswordAuthorize),
        }
    }
}

/// Email + password against `user_passwords`, rate-limited per account and per IP.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordAuthorize;

#[async_trait]
impl Authorize for PasswordAuthorize {
    async fn authorize(
        &self,
        auth: &Auth,
        form: &FormFields,
        req: &AuthRequest,
    ) -> Result<Option<User>, AuthError> {
        let password = form.get("password").unwrap_or_default();
        let email = form.get("email").and_then(normalize_email);
        let (Some(email), false, true) = (
            email,
            password.is_empty(),
            password.chars().count() <= MAX_PASSWORD_CHARS,
        ) else {
            return Ok(None);
        };
        // Counted first, in one statement per key: a parallel burst gets at most the limit's
        // number of password checks.
        let keys = rate_limit::credential_keys(auth.config().rate_limits(), &email, req.client_ip);
        let Some(counted) = rate_limit::hit(auth.db(), keys).await? else {
            tracing::info!(reason = "rate_limited", "sign-in failed");
            return Err(AuthError::Credentials("rate_limited"));
        };
        let hasher = auth.hasher();
        let checked = match auth.db().get_user_and_password_hash(&email).await? {
            Some((user, hash)) => hasher
                .verify(password.to_owned(), hash)
                .await
                .map(|ok| (Some(user.id), ok.then_some(user))),
            None => hasher
                .verify_dummy(password.to_owned())
                .await
                .map(|()| (None, None)),
        };
        let (user_id, user) = match checked {
            Ok(checked) => checked,
            Err(error) => {
                // Nothing was checked (hashing busy): the attempt does not count.
                counted.release(auth.db(), &[]).await?;
                return Err(error.into());
            }
        };
        match &user {
            Some(_) => {
                counted
                    .release(auth.db(), &["signin:account-client"])
                    .await?;
            }
            None => {
                let reason = if user_id.is_some() {
                    "wrong_password"
                } else {
                    "unknown_account"
                };
                tracing::info!(reason, user.id = user_id, "sign-in failed");
            }
        }
        Ok(user)
    }
}

pub use auth_core::protocol::email::normalize_email;
