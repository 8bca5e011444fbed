//! Provider access tokens for the app's own code: [`access_token`] returns a valid one,
//! refreshing it with the stored refresh token when it has expired (or expires within a
//! minute), and saving the rotated refresh token. Auth.js leaves this to a hand-written `jwt`
//! callback; here it is built in, with one refresh at a time per account (concurrent callers
//! wait for the first and reuse its result), and a failed refresh shows on the session as
//! `error: "RefreshTokenError"`.
//!
//! Across instances the lock is the database: the result is stored with a compare-and-swap on
//! the refresh token the refresh spent, by `(provider, providerAccountId)`, so when two
//! instances refresh one account at once exactly one result is kept and the other instance
//! uses it.

use serde_json::Value;

use crate::{
    adapter::{AccountRow, AccountTokens},
    protocol::claims::Token,
};
use crate::{
    auth::Auth,
    error::{AuthError, ProviderError},
};

/// Seconds before expiry when a token is treated as expired already.
pub const EXPIRY_MARGIN_SECS: i64 = 60;

/// The claim that marks a failed refresh on the token and the session.
pub const REFRESH_ERROR: &str = "RefreshTokenError";
/// The claim naming the account whose token the session refreshes (`providerAccountId`).
pub const PROVIDER_ACCOUNT_ID: &str = "providerAccountId";

/// A valid access token of `user_id` at `provider_id`, and its expiry.
///
/// # Errors
/// [`AuthError::UnknownProvider`]; [`AuthError::RefreshFailed`] when there is no account, no
/// refresh token, or the provider refuses.
#[tracing::instrument(level = "debug", skip_all, fields(provider = %provider_id, user.id = user_id))]
pub async fn access_token(
    auth: &Auth,
    user_id: i32,
    provider_id: &str,
) -> Result<(String, Option<i64>), AuthError> {
    access_token_of(auth, user_id, provider_id, None).await
}

/// [`access_token`] of one account of the user at that provider (`providerAccountId`), or of
/// the first one when `None`.
async fn access_token_of(
    auth: &Auth,
    user_id: i32,
    provider_id: &str,
    provider_account_id: Option<&str>,
) -> Result<(String, Option<i64>), AuthError> {
    let provider = auth
        .provider(provider_id)
        .and_then(|p| p.as_oauth())
        .ok_or(AuthError::UnknownProvider)?
        .clone();
    let lock = auth.refresh_locks().lock_for(user_id, provider_id);
    let _guard = lock.lock().await;
    // Read under the lock: a refresh that finished while we waited is seen here.
    let no_account = || AuthError::RefreshFailed(ProviderError::Token("no linked account".into()));
    let row = match provider_account_id {
        Some(id) => auth
            .db()
            .account_by_provider_id(provider_id, id)
            .await?
            .filter(|row| row.user_id == user_id),
        None => auth.db().account_of(user_id, provider_id).await?,
    }
    .ok_or_else(no_account)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if let Some(valid) = still_valid(&row, now) {
        return Ok(valid);
    }
    let refresh_token = row
        .refresh_token
        .as_deref()
        .ok_or_else(|| AuthError::RefreshFailed(ProviderError::Token("no refresh token".into())))?;
    let client = auth.provider_client();
    let endpoints = client
        .endpoints(&provider)
        .await
        .map_err(AuthError::RefreshFailed)?;
    let tokens = client
        .refresh(&provider, &endpoints, refresh_token)
        .await
        .map_err(AuthError::RefreshFailed)?;
    let kept = auth
        .db()
        .swap_refreshed_tokens(
            &row.provider,
            &row.provider_account_id,
            refresh_token,
            &AccountTokens {
                access_token: &tokens.access_token,
                expires_at: tokens.expires_at,
                refresh_token: tokens.refresh_token.as_deref(),
                id_token: tokens.id_token.as_deref(),
            },
        )
        .await?;
    if !kept {
        // Another instance refreshed this account meanwhile: its result is the one stored.
        tracing::debug!("another instance refreshed the account first; using its token");
        let current = auth
            .db()
            .account_by_provider_id(&row.provider, &row.provider_account_id)
            .await?
            .ok_or_else(no_account)?;
        return still_valid(&current, now).ok_or_else(|| {
            AuthError::RefreshFailed(ProviderError::Token(
                "a concurrent refresh left no valid token".into(),
            ))
        });
    }
    tracing::debug!("access token refreshed");
    Ok((tokens.access_token, tokens.expires_at))
}

/// The account's access token and expiry, if it does not expire within the margin.
fn still_valid(row: &AccountRow, now: i64) -> Option<(String, Option<i64>)> {
    let token = row.access_token.as_ref()?;
    row.expires_at
        .is_none_or(|at| at.saturating_sub(EXPIRY_MARGIN_SECS) > now)
        .then(|| (token.clone(), row.expires_at))
}

/// For a JWT session whose `expires_at` claim says the provider token is due: refreshes it and
/// moves the claim, or marks the token with `error: "RefreshTokenError"` (and stops trying
/// until the next sign-in). A database round trip happens only then.
pub async fn refresh_if_due(auth: &Auth, token: &mut Token) {
    let (Some(expires_at), Some(provider), Some(user_id)) = (
        token.extra.get("expires_at").and_then(Value::as_i64),
        token
            .extra
            .get("provider")
            .and_then(Value::as_str)
            .map(str::to_owned),
        token.sub.as_deref().and_then(|s| s.parse::<i32>().ok()),
    ) else {
        return;
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if expires_at.saturating_sub(EXPIRY_MARGIN_SECS) > now {
        return;
    }
    let account_id = token
        .extra
        .get(PROVIDER_ACCOUNT_ID)
        .and_then(Value::as_str)
        .map(str::to_owned);
    match access_token_of(auth, user_id, &provider, account_id.as_deref()).await {
        Ok((_, Some(new_expiry))) => {
            token.extra.insert("expires_at".into(), new_expiry.into());
            token.extra.remove("error");
        }
        Ok((_, None)) => {
            token.extra.remove("expires_at");
            token.extra.remove("error");
        }
        Err(error) => {
            error.log();
            token.extra.remove("expires_at");
            token.extra.insert("error".into(), REFRESH_ERROR.into());
        }
    }
}
