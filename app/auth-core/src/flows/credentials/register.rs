//! Registration: a new user with a password, signed in at once (the address stays unverified).

use crate::adapter::{AdapterError, NewUser};

use crate::protocol::password::HashError;
use crate::{
    auth::Auth,
    callbacks::SignInKind,
    csrf,
    error::AuthError,
    protocol::form::FormFields,
    protocol::wire::RegisterError,
    providers::credentials::{normalize_email, MAX_PASSWORD_CHARS},
    rate_limit,
    reply::{Redirect, Reply},
    request::AuthRequest,
};

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
    let provider_id = auth
        .credentials_provider()
        .ok_or(AuthError::UnknownProvider)?
        .id
        .clone();
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
    Ok(super::finish(auth, req, form, &provider_id, user, SignInKind::SignUp).await?)
}
