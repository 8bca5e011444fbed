//! The credentials provider: sign-in with email and password, and registration.
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

use crate::auth::{form::FormFields, types::RegisterError};

use super::super::{
    adapter::{AdapterError, NewUser, User},
    auth::Auth,
    callbacks::Account,
    csrf,
    error::AuthError,
    rate_limit,
    reply::{Redirect, Reply},
    request::AuthRequest,
    signin::{self, SignedIn},
};

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

/// `POST /callback/credentials`.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::Credentials`] (wrong credentials or rate limited),
/// [`AuthError::AccessDenied`], database errors.
#[tracing::instrument(level = "debug", skip_all, fields(provider = "credentials"))]
pub async fn callback(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let provider = auth
        .credentials_provider()
        .ok_or(AuthError::UnknownProvider)?;
    let user = provider
        .authorize
        .authorize(auth, form, req)
        .await?
        .ok_or(AuthError::Credentials("credentials"))?;
    let account = Account {
        provider: provider.id.clone(),
        kind: "credentials".into(),
        provider_account_id: user.id.to_string(),
        ..Account::default()
    };
    let callback_url = signin::requested_callback_url(auth, req, form);
    signin::complete(
        auth,
        req,
        SignedIn {
            user,
            account,
            profile: None,
            is_new_user: false,
        },
        callback_url.as_deref(),
    )
    .await
}

/// Why registration failed.
#[derive(Debug, thiserror::Error)]
pub enum RegisterFailure {
    /// The form was refused; the user can fix it.
    #[error("registration refused: {0:?}")]
    Invalid(RegisterError),
    /// Anything else (CSRF, database).
    #[error(transparent)]
    Auth(#[from] AuthError),
}

/// Creates a user with a password and signs them in.
///
/// # Errors
/// [`RegisterFailure::Invalid`] for a form the user can fix (taken email, short password, ...);
/// [`RegisterFailure::Auth`] for CSRF and database failures.
#[tracing::instrument(level = "debug", skip_all, fields(provider = "credentials"))]
pub async fn register(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, RegisterFailure> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    if auth.credentials_provider().is_none() {
        return Err(AuthError::UnknownProvider.into());
    }
    let name = form.get("name").map(str::trim).unwrap_or_default();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(RegisterFailure::Invalid(RegisterError::InvalidName));
    }
    let email = form
        .get("email")
        .and_then(normalize_email)
        .ok_or(RegisterFailure::Invalid(RegisterError::InvalidEmail))?;
    let password = form.get("password").unwrap_or_default();
    let length = password.chars().count();
    if !(auth.config().password_min_chars()..=MAX_PASSWORD_CHARS).contains(&length) {
        return Err(RegisterFailure::Invalid(RegisterError::WeakPassword));
    }
    let keys = rate_limit::register_keys(auth.config().rate_limits(), req.client_ip);
    if rate_limit::hit(auth.db(), keys).await?.is_none() {
        return Err(RegisterFailure::Invalid(RegisterError::RateLimited));
    }
    // Cheap early answer for the common case; the unique index decides under races.
    if auth
        .db()
        .get_user_by_email(&email)
        .await
        .map_err(AuthError::from)?
        .is_some()
    {
        return Err(RegisterFailure::Invalid(RegisterError::EmailTaken));
    }
    let hash = match auth.hasher().hash(password.to_owned()).await {
        Ok(hash) => hash,
        Err(HashError::Busy) => return Err(RegisterFailure::Invalid(RegisterError::RateLimited)),
        Err(e) => return Err(AuthError::from(e).into()),
    };
    let new_user = NewUser {
        name: Some(name.to_owned()),
        email: Some(email),
        ..NewUser::default()
    };
    let user = match auth.db().create_user_with_password(&new_user, &hash).await {
        Ok(user) => user,
        Err(AdapterError::Conflict) => {
            return Err(RegisterFailure::Invalid(RegisterError::EmailTaken))
        }
        Err(e) => return Err(AuthError::from(e).into()),
    };
    auth.config().events.create_user(&user).await;
    let account = Account {
        provider: "credentials".into(),
        kind: "credentials".into(),
        provider_account_id: user.id.to_string(),
        ..Account::default()
    };
    let callback_url = signin::requested_callback_url(auth, req, form);
    Ok(signin::complete(
        auth,
        req,
        SignedIn {
            user,
            account,
            profile: None,
            is_new_user: true,
        },
        callback_url.as_deref(),
    )
    .await?)
}

pub use auth_core::protocol::email::normalize_email;
use auth_core::protocol::password::HashError;
