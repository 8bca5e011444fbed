//! CSRF protection: Auth.js's double-submit cookie, plus an `Origin` check Auth.js lacks.
//!
//! The cookie holds `token|sha256hex(token + secret)`; a form must send the same `token` as
//! `csrfToken`. An attacker's page can make the browser send the cookie but cannot read it, so it
//! cannot fill in the field; the hash stops a planted cookie (from a sibling subdomain, say)
//! from being accepted. Beyond Auth.js, a state-changing request whose `Origin` header names
//! another site is refused outright, `Origin: null` included.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::{
    auth::Auth,
    cookies::{self, Lifetime},
    error::AuthError,
    request::AuthRequest,
};

/// A CSRF token for a response, and the cookie to set if the request had no valid one.
#[derive(Debug, Clone)]
pub struct CsrfToken {
    /// The 64-hex token forms must send back.
    pub token: String,
    /// `Set-Cookie`, when a new token was made.
    pub set_cookie: Option<String>,
}

/// The request's valid token, or a new one (with its cookie).
pub fn ensure(auth: &Auth, req: &AuthRequest) -> CsrfToken {
    if let Some(token) = cookie_token(auth, req) {
        return CsrfToken {
            token: token.to_owned(),
            set_cookie: None,
        };
    }
    let token = hex::encode(rand::random::<[u8; 32]>());
    // `|` percent-encoded, as the `cookie` npm package writes it.
    let value = format!("{token}%7C{}", hash(auth, &token));
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
///
/// # Security
/// Both comparisons are constant-time: `==` would leak how many bytes matched.
pub fn verify(auth: &Auth, req: &AuthRequest, form_token: Option<&str>) -> Result<(), AuthError> {
    verify_origin(auth, req)?;
    let cookie = cookie_token(auth, req).ok_or(AuthError::Csrf("missing or invalid cookie"))?;
    let form = form_token.ok_or(AuthError::Csrf("missing csrfToken field"))?;
    if bool::from(cookie.as_bytes().ct_eq(form.as_bytes())) {
        Ok(())
    } else {
        Err(AuthError::Csrf("csrfToken does not match the cookie"))
    }
}

/// Refuses a request whose `Origin` header is present and is not the app's (or an allowed
/// client's) origin.
///
/// # Errors
/// [`AuthError::Csrf`] for a foreign or `null` origin.
pub fn verify_origin(auth: &Auth, req: &AuthRequest) -> Result<(), AuthError> {
    match req.origin_header.as_deref() {
        None => Ok(()),
        Some(origin) if origin.eq_ignore_ascii_case(&req.origin) => Ok(()),
        Some(origin) if auth.is_allowed_client_origin(origin) => Ok(()),
        Some(_) => Err(AuthError::Csrf("foreign Origin header")),
    }
}

/// What binds a flow's state to this browser: the hash of the token in its CSRF cookie (an
/// `__Host-` cookie over https, which no other site or subdomain can set). A check cookie
/// carries it sealed; a callback whose browser holds another CSRF cookie is refused.
pub fn binding(auth: &Auth, req: &AuthRequest) -> Option<String> {
    cookie_token(auth, req).map(binding_of)
}

/// [`binding`] of a known token (one just minted by [`ensure`]).
pub fn binding_of(token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"leptos-auth flow binding\0");
    hasher.update(token.as_bytes());
    hex::encode(hasher.finalize())
}

/// The token in the request's CSRF cookie, if the cookie is well-formed and its hash verifies.
fn cookie_token<'r>(auth: &Auth, req: &'r AuthRequest) -> Option<&'r str> {
    let raw = req.cookies.get(auth.cookie_names(req.secure).csrf_token)?;
    let (token, hash_hex) = raw
        .split_once("%7C")
        .or_else(|| raw.split_once("%7c"))
        .or_else(|| raw.split_once('|'))?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let expected = hash(auth, token);
    bool::from(expected.as_bytes().ct_eq(hash_hex.as_bytes())).then_some(token)
}

/// `sha256hex(token + secret)`, where secret is Auth.js's `${options.secret}` (several secrets
/// are joined with commas, as JavaScript stringifies an array).
fn hash(auth: &Auth, token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(token.as_bytes());
    hasher.update(auth.csrf_secret().as_bytes());
    hex::encode(hasher.finalize())
}
