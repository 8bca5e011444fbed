//! CSRF for this instance and request: reads the cookie and the `Origin` header the request
//! carries and asks the protocol's [`csrf`](crate::protocol::csrf) (where the rules and their
//! reasons are written) whether they pass.

use crate::protocol::{
    cookies::{self, Lifetime},
    csrf::{self as protocol, CsrfError},
};

use super::{auth::Auth, error::AuthError, request::AuthRequest};

/// A CSRF token for a response, and the cookie to set if the request had no valid one.
#[derive(Debug, Clone)]
pub struct CsrfToken {
    /// The 64-hex token forms must send back.
    pub token: String,
    /// `Set-Cookie`, when a new token was made.
    pub set_cookie: Option<String>,
}

impl From<CsrfError> for AuthError {
    fn from(error: CsrfError) -> Self {
        AuthError::Csrf(error.reason())
    }
}

/// The request's valid token, or a new one (with its cookie).
pub fn ensure(auth: &Auth, req: &AuthRequest) -> CsrfToken {
    if let Some(token) = cookie_token(auth, req) {
        return CsrfToken {
            token: token.to_owned(),
            set_cookie: None,
        };
    }
    let (token, value) = protocol::mint(auth.csrf_secret());
    let set_cookie = cookies::set(
        auth.cookie_names(req.secure).csrf_token,
        &value,
        Lifetime::Session,
        req.secure,
    );
    CsrfToken {
        token,
        set_cookie: Some(set_cookie),
    }
}

/// Checks a state-changing request: its `Origin`, then `csrfToken` against the cookie.
///
/// # Errors
/// [`AuthError::Csrf`] when the origin is foreign, the cookie is missing or forged, or the
/// field does not match.
pub fn verify(auth: &Auth, req: &AuthRequest, form_token: Option<&str>) -> Result<(), AuthError> {
    verify_origin(auth, req)?;
    let cookie = req.cookies.get(auth.cookie_names(req.secure).csrf_token);
    Ok(protocol::verify(auth.csrf_secret(), cookie, form_token)?)
}

/// Refuses a request whose `Origin` header is present and is not the app's (or an allowed
/// client's) origin.
///
/// # Errors
/// [`AuthError::Csrf`] for a foreign or `null` origin.
pub fn verify_origin(auth: &Auth, req: &AuthRequest) -> Result<(), AuthError> {
    Ok(protocol::verify_origin(
        req.origin_header.as_deref(),
        &req.origin,
        |origin| auth.is_allowed_client_origin(origin),
    )?)
}

/// The browser binding of the request's CSRF cookie ([`protocol::binding_of`]).
pub fn binding(auth: &Auth, req: &AuthRequest) -> Option<String> {
    cookie_token(auth, req).map(protocol::binding_of)
}

pub use protocol::binding_of;

fn cookie_token<'r>(auth: &Auth, req: &'r AuthRequest) -> Option<&'r str> {
    let raw = req.cookies.get(auth.cookie_names(req.secure).csrf_token)?;
    protocol::cookie_token(auth.csrf_secret(), raw)
}
