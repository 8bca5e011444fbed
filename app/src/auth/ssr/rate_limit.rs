//! Sign-in attempt limits (DESIGN.md section 11): failures per account and per client IP, in
//! fixed windows, counted in the database so that every instance enforces the same limit.

use std::{net::IpAddr, time::Duration};

use super::{auth::Auth, error::AuthError, providers::SendLimits};

/// A counter to check and bump.
#[derive(Debug, Clone)]
pub struct Key {
    name: String,
    limit: u32,
}

/// The keys for a credentials attempt on `email` from `ip`.
pub fn credential_keys(auth: &Auth, email: &str, ip: Option<IpAddr>) -> Vec<Key> {
    let limits = auth.config().rate_limits;
    let mut keys = vec![Key {
        name: format!("signin:account:{email}"),
        limit: limits.per_account,
    }];
    if let Some(ip) = ip {
        keys.push(Key {
            name: format!("signin:ip:{ip}"),
            limit: limits.per_ip,
        });
    }
    keys
}

/// The key for registrations from `ip`.
pub fn register_keys(auth: &Auth, ip: Option<IpAddr>) -> Vec<Key> {
    let limits = auth.config().rate_limits;
    ip.map(|ip| Key {
        name: format!("register:ip:{ip}"),
        limit: limits.per_ip,
    })
    .into_iter()
    .collect()
}

/// The keys for a sign-in email to `email` asked for from `ip`.
pub fn email_keys(limits: &SendLimits, email: &str, ip: Option<IpAddr>) -> Vec<Key> {
    let mut keys = vec![Key {
        name: format!("email:address:{email}"),
        limit: limits.per_address,
    }];
    if let Some(ip) = ip {
        keys.push(Key {
            name: format!("email:ip:{ip}"),
            limit: limits.per_ip,
        });
    }
    keys
}

fn window_start(window: Duration) -> i64 {
    let window = window.as_secs().max(1) as i64;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    now - now.rem_euclid(window)
}

/// Refuses when any counter has reached its limit in the current window.
///
/// # Errors
/// [`AuthError::Credentials`] with reason `rate_limited`, or a database error.
pub async fn check(auth: &Auth, keys: &[Key]) -> Result<(), AuthError> {
    check_keys(auth, keys, auth.config().rate_limits.window).await
}

/// [`check`] with an explicit window.
///
/// # Errors
/// As [`check`].
pub async fn check_keys(auth: &Auth, keys: &[Key], window: Duration) -> Result<(), AuthError> {
    let start = window_start(window);
    for key in keys {
        if auth.db().rate_limit_count(&key.name, start).await? >= key.limit {
            tracing::warn!(key = %key.name, "rate limit reached");
            return Err(AuthError::Credentials("rate_limited"));
        }
    }
    Ok(())
}

/// Counts one more attempt against every key.
///
/// # Errors
/// A database error.
pub async fn record(auth: &Auth, keys: &[Key]) -> Result<(), AuthError> {
    record_keys(auth, keys, auth.config().rate_limits.window).await
}

/// [`record`] with an explicit window.
///
/// # Errors
/// A database error.
pub async fn record_keys(auth: &Auth, keys: &[Key], window: Duration) -> Result<(), AuthError> {
    let start = window_start(window);
    for key in keys {
        auth.db().hit_rate_limit(&key.name, start).await?;
    }
    Ok(())
}

/// Clears the account counter after a successful sign-in.
///
/// # Errors
/// A database error.
pub async fn reset_account(auth: &Auth, email: &str) -> Result<(), AuthError> {
    auth.db()
        .reset_rate_limit(&format!("signin:account:{email}"))
        .await?;
    Ok(())
}
