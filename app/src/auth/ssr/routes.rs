//! The axum door: auth routes a server function cannot serve, and [`respond`], which turns a
//! core result into Auth.js's response (302, or `{url}` for `X-Auth-Return-Redirect`).

use axum::{
    extract::{FromRef, State},
    response::{IntoResponse, Response},
    routing::{any, get},
    Json, Router,
};
use http::{header, HeaderValue, Method, StatusCode};

use crate::auth::types::AuthFnError;

use super::{
    auth::Auth,
    error::AuthError,
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

/// The axum-only auth routes, to merge into the app's router. Unknown actions under the base
/// path get Auth.js's `400 UnknownAction` instead of the app's 404 page.
///
/// `GET /session` is here, next to its server function, because it is the hot path: a plain
/// handler skips the server-function machinery (a reactive owner, a copy of the request head,
/// context lookups) and measured about 12% more requests per second. The server function
/// `get_session` keeps its Auth.js URL: in the browser it calls this handler, which answers with
/// the same JSON; on the server it runs in-process.
pub fn router<S>(auth: &Auth) -> Router<S>
where
    Auth: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    let base = auth.config().base_path();
    Router::new()
        .route(&format!("{base}/session"), get(get_session))
        .route(&format!("{base}/{{*action}}"), any(unknown_action))
}

/// Whether [`router`] serves this path and method itself (so the server function registered
/// at the same place must not be routed).
pub fn serves(auth: &Auth, path: &str, method: &Method) -> bool {
    method == Method::GET
        && path
            .strip_prefix(auth.config().base_path())
            .is_some_and(|rest| rest == "/session")
}

/// `GET /session`.
async fn get_session(State(auth): State<Auth>, req: AuthRequest) -> Response {
    match session::current(&auth, &req).await {
        Ok(reply) => {
            let mut response = Json(reply.value).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache, no-store"),
            );
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            headers.insert(header::EXPIRES, HeaderValue::from_static("0"));
            append_cookies(&mut response, reply.cookies);
            response
        }
        Err(error) => {
            error.log();
            let body = AuthFnError::Auth(error.code());
            (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
        }
    }
}

async fn unknown_action(State(_auth): State<Auth>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": "UnknownAction", "message": "Unsupported action" })),
    )
        .into_response()
}

fn append_cookies(response: &mut Response, cookies: Vec<String>) {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
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
    append_cookies(&mut response, reply.cookies);
    response
}
