//! State, PKCE and nonce for this instance and request: the protocol's
//! [`checks`](crate::protocol::checks) (where the rules are written) fed with the
//! instance's keys, the request's cookies and the browser's CSRF binding.

pub use crate::protocol::checks::{
    random_value, Check, CheckKeys, Flow, Refused, Sealed, MAX_AGE_SECS,
};

use crate::{auth::Auth, csrf, request::AuthRequest};

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The `Set-Cookie` value storing `value` for `check`.
pub fn seal(
    auth: &Auth,
    req: &AuthRequest,
    check: Check,
    value: &str,
    flow: Flow<'_>,
) -> Option<String> {
    auth.check_keys()
        .seal(check, value, flow, req.secure, now())
}

/// The value of `check` sealed for `provider` and for this browser, if the request carries a
/// valid, unexpired one.
///
/// # Errors
/// Why not ([`Refused`]).
pub fn open(
    auth: &Auth,
    req: &AuthRequest,
    check: Check,
    provider: &str,
) -> Result<Sealed, Refused> {
    let browser = csrf::binding(auth, req);
    auth.check_keys().open(
        &req.cookies,
        check,
        provider,
        browser.as_deref(),
        req.secure,
        now(),
    )
}

/// `Set-Cookie` values clearing every check cookie the request carries (single use).
pub fn clear_all(auth: &Auth, req: &AuthRequest) -> Vec<String> {
    auth.check_keys().clear_all(&req.cookies, req.secure)
}
