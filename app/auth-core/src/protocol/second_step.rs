//! The pending second step of a sign-in: who proved the first factor, sealed in a short-lived
//! cookie until they prove the second (a TOTP or recovery code).
//!
//! Between the two steps nothing is signed in: no session cookie, no database session. The
//! cookie is encrypted and authenticated like the session token (its own key, from the cookie
//! name), lives [`MAX_AGE_SECS`], names the first factor, and carries the hash of the browser's
//! CSRF token, so a cookie carried to another browser is refused there (as the OAuth check
//! cookies are). Over https it is `__Host-` prefixed. Not an Auth.js cookie: Auth.js has no
//! second factor.

use serde::{Deserialize, Serialize};

use super::{
    bound_cookie::{BoundCookie, BoundToBrowser},
    cookies::RequestCookies,
    secret::Secret,
};

/// The cookie over plain http.
pub const COOKIE: &str = "leptos-auth.second-step";
/// The cookie over https.
pub const SECURE_COOKIE: &str = "__Host-leptos-auth.second-step";
/// How long the second step may take: five minutes.
pub const MAX_AGE_SECS: i64 = 5 * 60;

/// What the pending step remembers of the first one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstFactor {
    /// The user who proved the first factor.
    #[serde(rename = "userId")]
    pub user_id: i32,
    /// The provider of the first factor (`credentials`, an OAuth provider, `email`, `passkey`).
    pub provider: String,
    /// Its type (`credentials`, `oauth`, `oidc`, `email`, `webauthn`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its account (`providerAccountId`), to hand the `jwt` callback the same account.
    #[serde(rename = "providerAccountId")]
    pub provider_account_id: String,
    /// How the first factor was proved (RFC 8176 `amr` values: `pwd`, `hwk`, ...).
    pub amr: Vec<String>,
    /// Where to go afterwards (already resolved by the `redirect` callback).
    #[serde(rename = "callbackUrl")]
    pub callback_url: String,
}

/// The sealed content of the cookie: the first factor, for one browser, until it expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The first factor.
    #[serde(flatten)]
    pub first: FirstFactor,
    /// The binding of the browser that proved the first factor.
    binding: String,
    exp: i64,
}

impl Pending {
    /// A pending step for the browser whose binding is `binding`, made at `now` (Unix seconds).
    pub fn new(first: FirstFactor, binding: &str, now: i64) -> Self {
        Self {
            first,
            binding: binding.to_owned(),
            exp: now + MAX_AGE_SECS,
        }
    }
}

impl BoundToBrowser for Pending {
    fn binding(&self) -> &str {
        &self.binding
    }
}

/// The keys of the cookie, for its plain and its `__Host-` name.
#[derive(Clone, Debug)]
pub struct SecondStepKeys(BoundCookie);

impl SecondStepKeys {
    /// Derives the keys (once, at start-up).
    pub fn derive(secrets: &[Secret]) -> Self {
        Self(BoundCookie::derive(
            secrets,
            COOKIE,
            SECURE_COOKIE,
            MAX_AGE_SECS,
        ))
    }

    /// The `Set-Cookie` value holding `pending`.
    pub fn seal(&self, pending: &Pending, secure: bool) -> Option<String> {
        self.0.seal(pending, secure)
    }

    /// The pending step in `cookies`, if it is ours, unexpired at `now`, and sealed for the
    /// browser whose binding is `browser` (compared in constant time).
    pub fn open(
        &self,
        cookies: &RequestCookies,
        browser: Option<&str>,
        secure: bool,
        now: i64,
    ) -> Option<Pending> {
        self.0.open(cookies, browser, secure, now)
    }

    /// The `Set-Cookie` value that clears the cookie.
    pub fn clear(&self, secure: bool) -> String {
        self.0.clear(secure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SecondStepKeys {
        SecondStepKeys::derive(&[Secret::random()])
    }

    fn pending(now: i64) -> Pending {
        let first = FirstFactor {
            user_id: 7,
            provider: "credentials".into(),
            kind: "credentials".into(),
            provider_account_id: "7".into(),
            amr: vec!["pwd".into()],
            callback_url: "/x".into(),
        };
        Pending::new(first, "browser", now)
    }

    /// The request a browser sends back after receiving `set_cookie`.
    fn request_with(set_cookie: &str) -> RequestCookies {
        let pair = set_cookie.split(';').next().unwrap_or_default();
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, pair.parse().unwrap());
        RequestCookies::from_headers(&headers)
    }

    #[test]
    fn a_sealed_step_opens_in_its_browser_until_it_expires() {
        let keys = keys();
        for secure in [false, true] {
            let cookie = keys.seal(&pending(1_000), secure).unwrap();
            assert!(cookie.starts_with(if secure { SECURE_COOKIE } else { COOKIE }));
            assert!(cookie.contains("HttpOnly"));
            let jar = request_with(&cookie);
            assert_eq!(
                keys.open(&jar, Some("browser"), secure, 1_000),
                Some(pending(1_000))
            );
            assert_eq!(
                keys.open(&jar, Some("other"), secure, 1_000),
                None,
                "another browser"
            );
            assert_eq!(keys.open(&jar, None, secure, 1_000), None, "no binding");
            assert_eq!(
                keys.open(&jar, Some(""), secure, 1_000),
                None,
                "an empty binding"
            );
            assert_eq!(
                keys.open(&jar, Some("browser"), secure, 1_000 + MAX_AGE_SECS + 60),
                None,
                "expired"
            );
            assert_eq!(
                keys.open(&jar, Some("browser"), !secure, 1_000),
                None,
                "other name"
            );
        }
    }

    #[test]
    fn only_this_apps_secret_opens_it() {
        let cookie = keys().seal(&pending(1_000), false).unwrap();
        let jar = request_with(&cookie);
        assert_eq!(keys().open(&jar, Some("browser"), false, 1_000), None);
        let garbage = request_with(&format!("{COOKIE}=not.a.token.at.all"));
        assert_eq!(keys().open(&garbage, Some("browser"), false, 1_000), None);
    }
}
