//! CORS for multi-client: a front end on a listed client origin (`AUTH_CLIENT_ORIGINS`) may call
//! `/session`, `/csrf`, `/providers` and `/signout` with credentials, as the Auth.js
//! multi-client seed allows. Any other origin, and any other route, gets no CORS headers, so
//! browsers keep refusing it. Without client origins this layer only compares one length.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue, Method, StatusCode};

use super::auth::Auth;

/// The actions under the base path that listed clients may call across origins.
pub const CORS_ACTIONS: [&str; 4] = ["/session", "/csrf", "/providers", "/signout"];

/// Axum middleware: answers preflights and adds CORS headers for listed client origins on
/// [`CORS_ACTIONS`]. Layer it over the whole router (preflights must not reach the routes).
pub async fn middleware(State(auth): State<Auth>, request: Request, next: Next) -> Response {
    if auth.config().client_origins().is_empty() {
        return next.run(request).await;
    }
    let is_cors_action = request
        .uri()
        .path()
        .strip_prefix(auth.config().base_path())
        .is_some_and(|action| CORS_ACTIONS.contains(&action));
    let origin = request
        .headers()
        .get(header::ORIGIN)
        .filter(|o| o.to_str().is_ok_and(|o| auth.is_allowed_client_origin(o)))
        .cloned();
    let (true, Some(origin)) = (is_cors_action, origin) else {
        if is_cors_action && request.method() == Method::OPTIONS {
            tracing::debug!(
                origin = ?request.headers().get(header::ORIGIN),
                "CORS preflight from an origin not in AUTH_CLIENT_ORIGINS"
            );
        }
        return next.run(request).await;
    };
    if request.method() == Method::OPTIONS {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let headers = response.headers_mut();
        allow(headers, origin);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, x-auth-return-redirect"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        return response;
    }
    let mut response = next.run(request).await;
    allow(response.headers_mut(), origin);
    response
}

fn allow(headers: &mut http::HeaderMap, origin: HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}
