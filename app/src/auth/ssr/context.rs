//! The server-function door: from the Leptos context to the core, and from a [`Reply`] to the
//! response (through `ResponseOptions`).

use http::{header, request::Parts, HeaderValue, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::auth::types::{AuthFnError, AuthRedirect, PageAuth, Session};

use super::{
    auth::Auth,
    error::AuthError,
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

/// `Auth` and the request, from the context `leptos_axum` gives server functions and SSR.
///
/// # Errors
/// [`AuthError::NotMounted`] if the router did not provide `Auth`.
pub fn auth_and_request() -> Result<(Auth, AuthRequest), AuthError> {
    let auth = use_context::<Auth>().ok_or(AuthError::NotMounted("Auth"))?;
    let parts = use_context::<Parts>().ok_or(AuthError::NotMounted("request Parts"))?;
    let auth = auth.into_for_parts(&parts);
    let req = AuthRequest::from_parts(auth.config(), &parts);
    Ok((auth, req))
}

/// The session of the current request, from any server function or during SSR (Auth.js's
/// `auth()`). During a page render it reuses what the page middleware already resolved.
///
/// # Errors
/// [`AuthError::NotMounted`] outside a request with `Auth` in its context; database errors.
pub async fn auth() -> Result<Option<Session>, AuthError> {
    let parts = use_context::<Parts>().ok_or(AuthError::NotMounted("request Parts"))?;
    if let Some(page) = parts.extensions.get::<PageAuth>() {
        return Ok(page.session.clone());
    }
    let auth = use_context::<Auth>().ok_or(AuthError::NotMounted("Auth"))?;
    let req = AuthRequest::from_parts(auth.config(), &parts);
    Ok(session::current(&auth, &req).await?.value)
}

/// Sets the reply's cookies on the response and returns its value (status 200).
pub fn send<T>(reply: Reply<T>) -> T {
    if let Some(response) = use_context::<ResponseOptions>() {
        // Explicit: a browser GET (Accept: text/html) would otherwise be redirected to its
        // Referer by the server-function form handling.
        response.set_status(StatusCode::OK);
        append_cookies(&response, reply.cookies);
    }
    reply.value
}

/// Marks the response as never cacheable (`/session` and `/csrf`, as Auth.js).
pub fn no_store() {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.insert_header(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache, no-store"),
        );
        response.insert_header(header::PRAGMA, HeaderValue::from_static("no-cache"));
        response.insert_header(header::EXPIRES, HeaderValue::from_static("0"));
    }
}

/// Sends a redirect the Auth.js way: `302 Location`, or `200 {"url"}` when the client sent
/// `X-Auth-Return-Redirect: 1`.
pub fn redirect(req: &AuthRequest, reply: Reply<Redirect>) -> AuthRedirect {
    let Redirect(url) = reply.value;
    if let Some(response) = use_context::<ResponseOptions>() {
        append_cookies(&response, reply.cookies);
        if req.return_redirect {
            response.set_status(StatusCode::OK);
        } else if let Ok(location) = HeaderValue::from_str(&url) {
            response.set_status(StatusCode::FOUND);
            response.insert_header(header::LOCATION, location);
        }
    }
    AuthRedirect { url }
}

/// Sends the outcome of a POST auth route: its redirect, or the error page for its error.
pub fn finish(
    auth: &Auth,
    req: &AuthRequest,
    result: Result<Reply<Redirect>, AuthError>,
    callback_url: Option<&str>,
) -> AuthRedirect {
    match result {
        Ok(reply) => redirect(req, reply),
        Err(error) => redirect(
            req,
            Reply::new(redirect::to_error_page(auth, req, &error, callback_url)),
        ),
    }
}

/// Gives the flow session (tower-sessions) a new id after a sign-in, against fixation. Only a
/// session that already exists is touched: a sign-in never creates one.
pub async fn rotate_flow_session() {
    if let Ok(flow) = leptos_axum::extract::<tower_sessions::Session>().await {
        if flow.id().is_some() {
            if let Err(error) = flow.cycle_id().await {
                tracing::warn!(%error, "could not rotate the flow session id");
            }
        }
    }
}

/// Keeps a refused form's values for the next render of its page (no-JavaScript round trip).
pub async fn remember_form(echo: crate::auth::types::FormEcho) {
    if let Ok(flow) = leptos_axum::extract::<tower_sessions::Session>().await {
        if let Err(error) = flow.insert(super::page::FORM_ECHO_KEY, echo).await {
            tracing::warn!(%error, "could not keep the form values");
        }
    }
}

/// Sets the HTTP status of the page being rendered (the error page uses it).
pub fn set_status(status: u16) {
    if let (Some(response), Ok(status)) = (
        use_context::<ResponseOptions>(),
        StatusCode::from_u16(status),
    ) {
        response.set_status(status);
    }
}

fn append_cookies(response: &ResponseOptions, cookies: Vec<String>) {
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.append_header(header::SET_COOKIE, value);
        }
    }
}

impl From<AuthError> for AuthFnError {
    /// Logs the error (one of the two places that do) and keeps only its client-safe code.
    fn from(error: AuthError) -> Self {
        error.log();
        if let Some(response) = use_context::<ResponseOptions>() {
            let status = StatusCode::from_u16(error.code().api_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
        }
        AuthFnError::Auth(error.code())
    }
}
