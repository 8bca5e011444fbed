//! The starter's `authorize` ([`CredentialsCheck::Password`](crate::providers::CredentialsCheck)):
//! email and password against argon2id hashes in `user_passwords`, with the attempt limits of
//! DESIGN.md section 11 counted before any hashing, hashing under the instance's bounded pool,
//! and the same timing whether or not the account exists. Unlike Auth.js, it works with the
//! database session strategy too.
//!
//! Registration stores the address unverified: the account works at once, but nothing that
//! needs a proven address (an admin bootstrap, linking by email) applies to it, and the first
//! verified sign-in for that address by anyone else (an email link, a provider that verified
//! it) removes the password, the sessions and the linked accounts first (`Db::reclaim_unverified`).

use crate::adapter::User;

use crate::{
    auth::Auth,
    error::AuthError,
    protocol::form::FormFields,
    providers::credentials::{normalize_email, MAX_PASSWORD_CHARS},
    rate_limit,
    request::AuthRequest,
};

/// The user whose email and password these are, or `None`.
///
/// # Errors
/// [`AuthError::Credentials`] when rate limited; hashing (busy) and database errors.
pub async fn check(
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
