//! Housekeeping: rows that expired are deleted now and then (the server runs
//! [`purge_expired`] every few minutes), so that attempt counters, used-up sign-in links,
//! ended database sessions and flow state do not pile up.

use super::{auth::Auth, error::AuthError};
use auth_core::adapter::Purged;

/// Deletes expired rows: rate-limit counters whose window ended (the longest configured window
/// ago), verification tokens, database sessions and flow sessions past their expiry.
///
/// # Errors
/// A database error.
pub async fn purge_expired(auth: &Auth) -> Result<Purged, AuthError> {
    let now = time::OffsetDateTime::now_utc();
    let longest = auth
        .config()
        .providers()
        .iter()
        .filter_map(|p| p.as_email().map(|e| e.limits.window))
        .chain([auth.config().rate_limits().window])
        .max()
        .unwrap_or_default();
    let horizon =
        now.unix_timestamp() - i64::try_from(longest.as_secs()).unwrap_or(i64::MAX / 2) - 1;
    let purged = auth.db().purge_expired(now, horizon).await?;
    tracing::debug!(?purged, "expired rows purged");
    Ok(purged)
}
