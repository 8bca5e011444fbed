//! State, PKCE and nonce: the three values that bind a provider's callback to the browser that
//! started the sign-in. As Auth.js, each lives in its own cookie (`authjs.state`,
//! `authjs.pkce.code_verifier`, `authjs.nonce`), encrypted like the session token with the
//! cookie name as salt, for 15 minutes, and is cleared by the callback that uses it: a
//! replayed callback finds nothing. A value sealed for one cookie cannot be read from another,
//! and only this app (which knows the secret) can mint them.

use serde::{Deserialize, Serialize};

use super::super::{
    auth::Auth,
    cookies::{self, Lifetime},
    jwt::KeySet,
    request::AuthRequest,
    secret::Secret,
};

/// How long a check cookie lives (Auth.js: 15 minutes).
pub const MAX_AGE_SECS: i64 = 15 * 60;

/// Which check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// `state`: CSRF protection of the callback.
    State,
    /// The PKCE code verifier.
    Pkce,
    /// The OIDC `nonce`.
    Nonce,
}

impl Check {
    const ALL: [Check; 3] = [Check::State, Check::Pkce, Check::Nonce];

    fn cookie_name(self, names: &cookies::CookieNames) -> &'static str {
        match self {
            Self::State => names.state,
            Self::Pkce => names.pkce_code_verifier,
            Self::Nonce => names.nonce,
        }
    }

    fn index(self) -> usize {
        match self {
            Self::State => 0,
            Self::Pkce => 1,
            Self::Nonce => 2,
        }
    }
}

/// What a check cookie holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// The random value (state, verifier or nonce).
    pub value: String,
    /// The provider the flow was started for.
    pub provider: String,
    /// Where to go after the callback (state cookie only; validated when it was sealed).
    #[serde(
        rename = "callbackUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub callback_url: Option<String>,
    exp: i64,
}

/// The keys of the three check cookies, for the plain and the `__Secure-` names.
#[derive(Clone, Debug)]
pub struct CheckKeys {
    plain: [KeySet; 3],
    secure: [KeySet; 3],
}

impl CheckKeys {
    /// Derives the keys (once, at start-up).
    pub fn derive(secrets: &[Secret], names: &[cookies::CookieNames; 2]) -> Self {
        let keys = |names: &cookies::CookieNames| {
            Check::ALL.map(|check| KeySet::derive(secrets, check.cookie_name(names)))
        };
        Self {
            plain: keys(&names[0]),
            secure: keys(&names[1]),
        }
    }

    fn get(&self, check: Check, secure: bool) -> &KeySet {
        if secure {
            &self.secure[check.index()]
        } else {
            &self.plain[check.index()]
        }
    }
}

/// The `Set-Cookie` value storing `value` for `check`.
pub fn seal(
    auth: &Auth,
    req: &AuthRequest,
    check: Check,
    value: &str,
    provider: &str,
    callback_url: Option<&str>,
) -> Option<String> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sealed = Sealed {
        value: value.to_owned(),
        provider: provider.to_owned(),
        callback_url: callback_url.map(str::to_owned),
        exp: now + MAX_AGE_SECS,
    };
    let token = auth
        .check_keys()
        .get(check, req.secure)
        .encode(&sealed)
        .ok()?;
    Some(cookies::set(
        check.cookie_name(auth.cookie_names(req.secure)),
        &token,
        Lifetime::MaxAge(MAX_AGE_SECS),
        req.secure,
    ))
}

/// The value of `check` sealed for `provider`, if the request carries a valid, unexpired one.
pub fn open(auth: &Auth, req: &AuthRequest, check: Check, provider: &str) -> Option<Sealed> {
    let raw = req
        .cookies
        .get(check.cookie_name(auth.cookie_names(req.secure)))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sealed: Sealed = auth
        .check_keys()
        .get(check, req.secure)
        .decode(raw, now)
        .ok()?;
    (sealed.provider == provider).then_some(sealed)
}

/// `Set-Cookie` values clearing every check cookie the request carries (single use).
pub fn clear_all(auth: &Auth, req: &AuthRequest) -> Vec<String> {
    Check::ALL
        .iter()
        .map(|check| check.cookie_name(auth.cookie_names(req.secure)))
        .filter(|name| req.cookies.get(name).is_some())
        .map(|name| cookies::clear(name, req.secure))
        .collect()
}

/// A fresh random value for a check: 32 bytes, base64url (43 characters).
pub fn random_value() -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}
