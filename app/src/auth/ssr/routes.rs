//! The axum door: auth routes a server function cannot serve, and [`respond`], which turns a
//! core result into Auth.js's response (302, or `{url}` for `X-Auth-Return-Redirect`).

use axum::{
    body::Bytes,
    extract::{FromRef, Path, RawQuery, State},
    response::{IntoResponse, Response},
    routing::{any, get, post},
    Json, Router,
};
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};

use crate::auth::{form::FormFields, types::AuthFnError};

use super::{
    auth::Auth,
    error::AuthError,
    extract::ClientAuth,
    flows::{dispatch, linked_accounts, passkey},
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
        .route(
            &format!("{base}/session"),
            get(get_session).post(post_session),
        )
        .route(
            &format!("{base}/signin/{{provider}}"),
            get(get_signin).post(post_signin),
        )
        .route(
            &format!("{base}/callback/{{provider}}"),
            get(callback).post(callback),
        )
        .route(&format!("{base}/unlink/{{provider}}"), post(post_unlink))
        .route(
            &format!("{base}/webauthn-options/{{provider}}"),
            get(webauthn_options),
        )
        .route(&format!("{base}/{{*action}}"), any(unknown_action))
}

/// `GET /signin/<id>?callbackUrl=`: starts an OAuth flow directly (state and PKCE protect it).
async fn get_signin(
    ClientAuth(auth): ClientAuth,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    req: AuthRequest,
) -> Response {
    let params = query_fields(query);
    let callback_url = params.get("callbackUrl").map(str::to_owned);
    let extra = authorization_params(&params);
    let result =
        dispatch::start_from_link(&auth, &req, &provider, callback_url.as_deref(), &extra).await;
    respond(&auth, &req, result, callback_url.as_deref())
}

/// `POST /signin/<id>` (`csrfToken`, `callbackUrl`); authorization parameters in the query, as
/// `signIn(id, options, authorizationParams)` sends them.
async fn post_signin(
    ClientAuth(auth): ClientAuth,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    req: AuthRequest,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = body_fields(&headers, &body);
    let extra = authorization_params(&query_fields(query));
    let result = dispatch::start(&auth, &req, &provider, &form, &extra).await;
    respond(&auth, &req, result, form.get("callbackUrl"))
}

/// `GET|POST /callback/<id>`: the provider's answer.
async fn callback(
    ClientAuth(auth): ClientAuth,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    req: AuthRequest,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = if req.method == Method::POST {
        body_fields(&headers, &body)
    } else {
        query_fields(query)
    };
    let (result, cookies) = dispatch::callback(&auth, &req, &provider, &params).await;
    let mut response = respond(&auth, &req, result, None);
    append_cookies(&mut response, cookies);
    response
}

/// `POST /unlink/<id>` (`csrfToken`, `callbackUrl`).
async fn post_unlink(
    ClientAuth(auth): ClientAuth,
    Path(provider): Path<String>,
    req: AuthRequest,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let form = body_fields(&headers, &body);
    let result = linked_accounts::unlink(&auth, &req, &provider, &form).await;
    respond(&auth, &req, result, form.get("callbackUrl"))
}

/// `GET /webauthn-options/<id>?action=&email=`: `{action, options}` for a passkey ceremony and
/// its challenge cookie; refusals are JSON errors (`{"Auth":"WebAuthnVerificationError"}`, 400).
async fn webauthn_options(
    ClientAuth(auth): ClientAuth,
    Path(provider): Path<String>,
    RawQuery(query): RawQuery,
    req: AuthRequest,
) -> Response {
    let params = query_fields(query);
    let result = match auth.provider(&provider).and_then(|p| p.as_passkey()) {
        Some(passkey) => {
            passkey::options::options(
                &auth,
                &req,
                passkey,
                params.get("action"),
                params.get("email"),
            )
            .await
        }
        None => Err(AuthError::UnknownProvider),
    };
    let mut response = match result {
        Ok(reply) => {
            let mut response = Json(reply.value).into_response();
            append_cookies(&mut response, reply.cookies);
            response
        }
        Err(error) => {
            error.log();
            let code = error.code();
            let status = StatusCode::from_u16(code.api_status()).unwrap_or(StatusCode::BAD_REQUEST);
            (status, Json(AuthFnError::Auth(code))).into_response()
        }
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache, no-store"),
    );
    response
}

fn query_fields(query: Option<String>) -> FormFields {
    FormFields::parse_urlencoded(query.unwrap_or_default().as_bytes())
}

fn body_fields(headers: &HeaderMap, body: &[u8]) -> FormFields {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    FormFields::parse(content_type, body)
}

/// The query parameters passed on to the provider (`authorizationParams`), minus ours.
fn authorization_params(params: &FormFields) -> Vec<(String, String)> {
    params
        .iter()
        .filter(|(name, _)| !matches!(*name, "callbackUrl" | "csrfToken"))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// Whether [`router`] serves this path and method itself (so a server function registered at
/// the same place must not be routed).
pub fn serves(auth: &Auth, path: &str, method: &Method) -> bool {
    method == Method::GET
        && path
            .strip_prefix(auth.config().base_path())
            .is_some_and(|rest| rest == "/session")
}

/// `GET /session`.
async fn get_session(ClientAuth(auth): ClientAuth, req: AuthRequest) -> Response {
    session_response(session::current(&auth, &req).await)
}

/// `POST /session {csrfToken, data}`: the session update (see [`session::update`]). The body is
/// JSON (next-auth/react's `update(data)`) or a form (`data` as a JSON string), as its
/// `Content-Type` says. Without a valid CSRF pair (missing, wrong, minted with another secret,
/// only in the query, not a string), from a foreign `Origin`, or with a body that is not an
/// object, nothing changes and the answer is `400 null`, as `@auth/core`'s `validateCSRF`.
async fn post_session(
    ClientAuth(auth): ClientAuth,
    req: AuthRequest,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((csrf_token, data)) = update_body(&headers, &body) else {
        tracing::debug!("session update refused: not a {{csrfToken, data}} body");
        return update_refused();
    };
    if let Err(error) = super::csrf::verify(&auth, &req, Some(&csrf_token)) {
        error.log();
        return update_refused();
    }
    session_response(session::update(&auth, &req, &data).await)
}

/// The `csrfToken` (a string) and `data` of a session update, if the body is one.
fn update_body(headers: &HeaderMap, body: &[u8]) -> Option<(String, serde_json::Value)> {
    use serde_json::Value;
    let media_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if media_type.eq_ignore_ascii_case("application/json") {
        let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
            return None;
        };
        let Some(Value::String(csrf_token)) = map.remove("csrfToken") else {
            return None;
        };
        return Some((csrf_token, map.remove("data").unwrap_or(Value::Null)));
    }
    let form = body_fields(headers, body);
    let csrf_token = form.get("csrfToken")?.to_owned();
    let data = form
        .get("data")
        .map(|d| serde_json::from_str(d).unwrap_or_else(|_| d.into()))
        .unwrap_or_default();
    Some((csrf_token, data))
}

/// `400 null`: a refused session update.
fn update_refused() -> Response {
    let mut response = (StatusCode::BAD_REQUEST, Json(serde_json::Value::Null)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache, no-store"),
    );
    response
}

fn session_response(
    result: Result<Reply<Option<crate::auth::types::Session>>, AuthError>,
) -> Response {
    match result {
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
            let code = error.code();
            // Reading a session fails only on the server's side (a client's mistake is `null`).
            let status = StatusCode::from_u16(code.api_status())
                .ok()
                .filter(StatusCode::is_server_error)
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, Json(AuthFnError::Auth(code))).into_response()
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

/// Adds `Set-Cookie` headers (a value that is not a valid header is skipped).
pub(crate) fn append_cookies(response: &mut Response, cookies: Vec<String>) {
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
