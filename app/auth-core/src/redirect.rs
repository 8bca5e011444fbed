//! Redirect validation: every URL the app sends a browser to passes through here.
//!
//! Auth.js's default `redirect` callback allows a path (made absolute on the app's origin) or a
//! URL on the app's origin, and falls back to the origin for anything else. On top of whatever the
//! callback returns we insist on an absolute http(s) URL, and on the app's own (or an allowed
//! client's) origin, and we fold a leading `//` in the path so that a client-side router can
//! never read the result as a protocol-relative URL.

use url::Url;

use super::{
    auth::Auth,
    error::{AuthError, ErrorPage},
    reply::Redirect,
    request::AuthRequest,
};

pub use crate::protocol::redirect::{default_redirect, strip_origin};

/// The validated absolute URL for a requested `callbackUrl` (or the origin when none).
pub fn resolve(auth: &Auth, req: &AuthRequest, requested: Option<&str>) -> String {
    let requested = requested.map(str::trim).filter(|u| !u.is_empty());
    let Some(requested) = requested else {
        return format!("{}/", req.origin);
    };
    // A URL on a listed client origin is judged against that origin (multi-client), so the
    // default callback lets it through; anything else against the app's own.
    let client_origin = Url::parse(requested)
        .ok()
        .map(|url| url.origin().ascii_serialization())
        .filter(|origin| auth.is_allowed_client_origin(origin));
    let base = client_origin.as_deref().unwrap_or(&req.origin);
    let candidate = auth.config().callbacks.redirect(requested, base);
    let resolved = sanitize(auth, req, &candidate);
    if resolved.is_none() {
        tracing::debug!("redirect target refused: the redirect callback returned an unusable URL");
    }
    resolved.unwrap_or_else(|| format!("{}/", req.origin))
}

/// Where a failed flow sends the browser: the sign-in page for errors the user can fix there
/// (with the `callbackUrl` kept), the error page otherwise, each with `?error=CODE` (and
/// Auth.js v5's `&code=` for credentials). Logs the error: this is one of the two places that do.
pub fn to_error_page(
    auth: &Auth,
    req: &AuthRequest,
    error: &AuthError,
    callback_url: Option<&str>,
) -> Redirect {
    error.log();
    let page = match error.page() {
        ErrorPage::SignIn => auth.config().sign_in_page(),
        ErrorPage::Error => auth.config().error_page(),
        ErrorPage::TwoFactor => auth.config().two_factor_page(),
    };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("error", error.code().as_str());
    if let Some(code) = error.detail_code() {
        query.append_pair("code", code);
    }
    if error.page() == ErrorPage::SignIn {
        if let Some(callback) = callback_url.map(str::trim).filter(|c| !c.is_empty()) {
            // A path when it is on our origin: the sign-in page only takes local paths.
            let resolved = resolve(auth, req, Some(callback));
            let kept = strip_origin(&resolved, &req.origin)
                .map_or_else(|| resolved.clone(), str::to_owned);
            query.append_pair("callbackUrl", &kept);
        }
    }
    Redirect(format!("{}{page}?{}", req.origin, query.finish()))
}

/// Back to `back` (already resolved) with `error=<refusal>` added to its query: how the account
/// page's forms (unlinking, passkeys, two-step verification) hear that they were refused.
pub fn back_with_error(back: &str, refusal: &str) -> Redirect {
    let separator = if back.contains('?') { '&' } else { '?' };
    Redirect(format!("{back}{separator}error={refusal}"))
}

fn sanitize(auth: &Auth, req: &AuthRequest, candidate: &str) -> Option<String> {
    crate::protocol::redirect::sanitize(candidate, &req.origin, |origin| {
        auth.is_allowed_client_origin(origin)
    })
}
