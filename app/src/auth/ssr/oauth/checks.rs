//! State, PKCE and nonce: the three values that bind a provider's callback to the browser that
//! started the sign-in. As Auth.js, each lives in its own cookie (`authjs.state`,
//! `authjs.pkce.code_verifier`, `authjs.nonce`), encrypted like the session token with the
//! cookie name as salt, for 15 minutes, and is cleared by the callback that uses it: a
//! replayed callback finds nothing. A value sealed for one cookie cannot be read from another,
//! and only this app (which knows the secret) can mint them.
//!
//! Beyond Auth.js: each sealed value names its provider (a cookie from a flow at one provider
//! is refused at another's callback), carries the hash of the browser's CSRF token (a cookie
//! carried to another browser is refused there), and the state records whether the flow links
//! an account to the signed-in user who started it (the only way an account is ever linked to
//! a session). Over https the cookies are `__Host-` prefixed.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::super::{
    auth::Auth,
    cookies::{self, Lifetime},
    csrf,
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
    /// [`csrf::binding`](super::super::csrf::binding) of the browser that started the flow.
    pub binding: String,
    /// The user the flow links an account to (state cookie only): set when a signed-in user
    /// started it with a CSRF-checked POST; `None` is a plain sign-in.
    #[serde(rename = "linkTo", default, skip_serializing_if = "Option::is_none")]
    pub link_to: Option<i32>,
    exp: i64,
}

/// What a flow seals into its check cookies besides the random value.
#[derive(Clone, Copy, Debug)]
pub struct Flow<'a> {
    /// The provider.
    pub provider: &'a str,
    /// The browser binding (see [`Sealed::binding`]).
    pub binding: &'a str,
    /// Where to go after the callback (state only).
    pub callback_url: Option<&'a str>,
    /// The user to link to (state only).
    pub link_to: Option<i32>,
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
    flow: Flow<'_>,
) -> Option<String> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let state_only = check == Check::State;
    let sealed = Sealed {
        value: value.to_owned(),
        provider: flow.provider.to_owned(),
        callback_url: flow.callback_url.filter(|_| state_only).map(str::to_owned),
        binding: flow.binding.to_owned(),
        link_to: flow.link_to.filter(|_| state_only),
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

/// Why a check cookie was refused (for the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Absent, expired, tampered with, or not minted by this app for this cookie.
    Missing,
    /// Sealed for another provider's flow.
    OtherProvider,
    /// Sealed for another browser (its CSRF cookie differs).
    OtherBrowser,
}

impl Refused {
    /// A log-safe reason.
    pub fn reason(self, check: Check) -> &'static str {
        match (self, check) {
            (Self::Missing, Check::State) => "state cookie missing, expired or not ours",
            (Self::Missing, Check::Pkce) => "PKCE cookie missing, expired or not ours",
            (Self::Missing, Check::Nonce) => "nonce cookie missing, expired or not ours",
            (Self::OtherProvider, _) => "check cookie sealed for another provider",
            (Self::OtherBrowser, _) => "check cookie sealed for another browser",
        }
    }
}

/// The value of `check` sealed for `provider` and for this browser, if the request carries a
/// valid, unexpired one.
///
/// # Errors
/// Why not ([`Refused`]).
///
/// # Security
/// The binding is compared in constant time.
pub fn open(
    auth: &Auth,
    req: &AuthRequest,
    check: Check,
    provider: &str,
) -> Result<Sealed, Refused> {
    let raw = req
        .cookies
        .get(check.cookie_name(auth.cookie_names(req.secure)))
        .ok_or(Refused::Missing)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let sealed: Sealed = auth
        .check_keys()
        .get(check, req.secure)
        .decode(raw, now)
        .map_err(|_| Refused::Missing)?;
    if sealed.provider != provider {
        return Err(Refused::OtherProvider);
    }
    let browser = csrf::binding(auth, req).unwrap_or_default();
    if !bool::from(sealed.binding.as_bytes().ct_eq(browser.as_bytes())) || browser.is_empty() {
        return Err(Refused::OtherBrowser);
    }
    Ok(sealed)
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
