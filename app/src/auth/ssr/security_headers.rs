//! The headers every response gets (Auth.js leaves these to the app; a starter should not):
//!
//! - `X-Frame-Options: DENY` and, on HTML, `Content-Security-Policy: frame-ancestors 'none'`:
//!   no other site can frame the sign-in page to trick a click (clickjacking);
//! - `X-Content-Type-Options: nosniff`: a JSON answer or an upload is never run as a script;
//! - `Referrer-Policy: same-origin`: a page's URL (a `callbackUrl`, an error) never leaves in
//!   a `Referer`, while same-origin form posts keep theirs;
//! - `Strict-Transport-Security` when the site is served over https;
//! - `Cache-Control: private, no-store` on HTML: pages embed the visitor's session and CSRF
//!   token, so no cache (shared or the browser's back-forward history) may keep them.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{header, HeaderValue};

use super::{auth::Auth, request};

/// `Strict-Transport-Security` for https sites: a year, without `includeSubDomains` (a
/// starter cannot know what else lives under the domain).
pub const HSTS: &str = "max-age=31536000";

/// Axum middleware: adds the headers to every response.
pub async fn middleware(State(auth): State<Auth>, request: Request, next: Next) -> Response {
    let https = request::is_https(&auth, request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("text/html"));
    if is_html {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}
