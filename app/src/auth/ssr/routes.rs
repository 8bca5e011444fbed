//! The axum door: auth routes a server function cannot serve, and [`respond`], which turns a
//! core result into Auth.js's response (302, or `{url}` for `X-Auth-Return-Redirect`).

use axum::{
    extract::{FromRef, State},
    response::{IntoResponse, Response},
    routing::any,
    Json, Router,
};
use http::{header, HeaderValue, StatusCode};

use super::{
    auth::Auth,
    error::AuthError,
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
};

/// The axum-only auth routes, to merge into the app's router. Unknown actions under the base
/// path get Auth.js's `400 UnknownAction` instead of the app's 404 page.
pub fn router<S>(auth: &Auth) -> Router<S>
where
    Auth: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    let base = auth.config().base_path();
    Router::new().route(&format!("{base}/{{*action}}"), any(unknown_action))
}

async fn unknown_action(State(_auth): State<Auth>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": "UnknownAction", "message": "Unsupported action" })),
    )
        .into_response()
}

/// Turns a core result into a response; errors go to the error or sign-in page (logged here).
pub fn respond(
    auth: &Auth,
    req: &AuthRequest,
    result: Result<Reply<Redirect>, AuthError>,
    callback_url: Option<&str>,
) -> Response {
    let reply = match result {
        Ok(reply) => reply,
        Err(error) => Reply::new(redirect::to_error_page(auth, req, &error, callback_url)),
    };
    let Redirect(url) = reply.value;
    let mut response = if req.return_redirect {
        Json(serde_json::json!({ "url": url })).into_response()
    } else {
        match HeaderValue::from_str(&url) {
            Ok(location) => {
                let mut response = StatusCode::FOUND.into_response();
                response.headers_mut().insert(header::LOCATION, location);
                response
            }
            Err(_) => StatusCode::BAD_REQUEST.into_response(),
        }
    };
    for cookie in reply.cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
