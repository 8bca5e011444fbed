//! Axum extractors for handlers outside Leptos: [`ClientAuth`], [`MaybeSession`] and
//! [`RequireSession`].

use axum::{
    extract::{FromRef, FromRequestParts},
    response::{IntoResponse, Redirect as AxumRedirect, Response},
    Json,
};
use http::{header, request::Parts, StatusCode};

use crate::auth::types::{AuthErrorCode, PageAuth, Session};

use super::{auth::Auth, request::AuthRequest, session};

/// The auth instance that serves this request (see [`Auth::for_parts`]): every axum door takes
/// it, so a listed client's configuration applies wherever its requests arrive.
#[derive(Debug, Clone)]
pub struct ClientAuth(pub Auth);

/// The instance for this request: what every extractor here starts from.
fn auth_for<S>(parts: &Parts, state: &S) -> Auth
where
    Auth: FromRef<S>,
{
    Auth::from_ref(state).into_for_parts(parts)
}

impl<S> FromRequestParts<S> for ClientAuth
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(auth_for(parts, state)))
    }
}

/// The session, if there is one. Never rejects: a database failure is logged and reads as none.
#[derive(Debug, Clone)]
pub struct MaybeSession(pub Option<Session>);

/// The session; without one, browsers are sent to sign-in (with `callbackUrl`) and API clients
/// get `401 {"error":"SessionRequired"}`.
#[derive(Debug, Clone)]
pub struct RequireSession(pub Session);

async fn resolve(parts: &Parts, auth: &Auth) -> Option<Session> {
    if let Some(page) = parts.extensions.get::<PageAuth>() {
        return page.session.clone();
    }
    let req = AuthRequest::from_parts(auth.config(), parts);
    match session::current(auth, &req).await {
        Ok(reply) => reply.value,
        Err(error) => {
            error.log();
            None
        }
    }
}

impl<S> FromRequestParts<S> for MaybeSession
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = auth_for(parts, state);
        Ok(Self(resolve(parts, &auth).await))
    }
}

/// The rejection of [`RequireSession`].
#[derive(Debug)]
pub struct SessionRequired {
    sign_in_url: String,
    wants_html: bool,
}

impl IntoResponse for SessionRequired {
    fn into_response(self) -> Response {
        if self.wants_html {
            AxumRedirect::to(&self.sign_in_url).into_response()
        } else {
            (
                StatusCode::UNAUTHORIZED,
                Json(serde_json::json!({ "error": AuthErrorCode::SessionRequired })),
            )
                .into_response()
        }
    }
}

impl<S> FromRequestParts<S> for RequireSession
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = SessionRequired;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = auth_for(parts, state);
        if let Some(session) = resolve(parts, &auth).await {
            return Ok(Self(session));
        }
        let callback = parts
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        Err(SessionRequired {
            sign_in_url: auth.config().sign_in_url(&callback),
            wants_html: parts
                .headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html")),
        })
    }
}
