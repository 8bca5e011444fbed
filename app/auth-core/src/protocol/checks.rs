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
//!
//! Pure: the instance passes in the keys, the request's cookies, the browser's binding and the time.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::{
    cookies::{self, CookieNames, Lifetime, RequestCookies},
    jwt::KeySet,
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

    fn cookie_name(self, names: &CookieNames) -> &'static str {
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
    /// [`csrf::binding_of`](super::csrf::binding_of) of the browser that started the flow.
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
    names: [CookieNames; 2],
}

impl CheckKeys {
    /// Derives the keys (once, at start-up).
    pub fn derive(secrets: &[Secret], names: &[CookieNames; 2]) -> Self {
        let keys = |names: &CookieNames| {
            Check::ALL.map(|check| KeySet::derive(secrets, check.cookie_name(names)))
        };
        Self {
            plain: keys(&names[0]),
            secure: keys(&names[1]),
            names: *names,
        }
    }

    fn cookie_name(&self, check: Check, secure: bool) -> &'static str {
        check.cookie_name(&self.names[usize::from(secure)])
    }

    /// The `Set-Cookie` value storing `value` for `check`, valid for [`MAX_AGE_SECS`] from
    /// `now` (Unix seconds).
    pub fn seal(
        &self,
        check: Check,
        value: &str,
        flow: Flow<'_>,
        secure: bool,
        now: i64,
    ) -> Option<String> {
        let state_only = check == Check::State;
        let sealed = Sealed {
            value: value.to_owned(),
            provider: flow.provider.to_owned(),
            callback_url: flow.callback_url.filter(|_| state_only).map(str::to_owned),
            binding: flow.binding.to_owned(),
            link_to: flow.link_to.filter(|_| state_only),
            exp: now + MAX_AGE_SECS,
        };
        let token = self.get(check, secure).encode(&sealed).ok()?;
        Some(cookies::set(
            self.cookie_name(check, secure),
            &token,
            Lifetime::MaxAge(MAX_AGE_SECS),
            secure,
        ))
    }

    /// The value of `check` sealed for `provider` and for the browser whose binding is
    /// `browser`, if `cookies` carry a valid one unexpired at `now`.
    ///
    /// # Errors
    /// Why not ([`Refused`]).
    ///
    /// # Security
    /// The binding is compared in constant time; a browser without a binding matches nothing.
    pub fn open(
        &self,
        cookies: &RequestCookies,
        check: Check,
        provider: &str,
        browser: Option<&str>,
        secure: bool,
        now: i64,
    ) -> Result<Sealed, Refused> {
        let raw = cookies
            .get(self.cookie_name(check, secure))
            .ok_or(Refused::Missing)?;
        let sealed: Sealed = self
            .get(check, secure)
            .decode(raw, now)
            .map_err(|_| Refused::Missing)?;
        if sealed.provider != provider {
            return Err(Refused::OtherProvider);
        }
        let browser = browser.unwrap_or_default();
        if !bool::from(sealed.binding.as_bytes().ct_eq(browser.as_bytes())) || browser.is_empty() {
            return Err(Refused::OtherBrowser);
        }
        Ok(sealed)
    }

    /// `Set-Cookie` values clearing every check cookie `cookies` carry (single use).
    pub fn clear_all(&self, cookies: &RequestCookies, secure: bool) -> Vec<String> {
        Check::ALL
            .iter()
            .map(|check| self.cookie_name(*check, secure))
            .filter(|name| cookies.get(name).is_some())
            .map(|name| cookies::clear(name, secure))
            .collect()
    }

    fn get(&self, check: Check, secure: bool) -> &KeySet {
        if secure {
            &self.secure[check.index()]
        } else {
            &self.plain[check.index()]
        }
    }
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

/// A fresh random value for a check: 32 bytes, base64url (43 characters).
pub fn random_value() -> String {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::names::{PLAIN, SECURE};

    fn keys(secret: &str) -> CheckKeys {
        CheckKeys::derive(&[Secret::new(secret.into())], &[PLAIN, SECURE])
    }

    fn flow<'a>(provider: &'a str, binding: &'a str) -> Flow<'a> {
        Flow {
            provider,
            binding,
            callback_url: Some("https://app.example/after"),
            link_to: Some(7),
        }
    }

    /// The request a browser sends back after receiving `set_cookie`.
    fn carrying(set_cookie: &str) -> RequestCookies {
        let pair = set_cookie.split(';').next().unwrap_or_default();
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, pair.parse().unwrap());
        RequestCookies::from_headers(&headers)
    }

    #[test]
    fn a_sealed_value_opens_for_its_provider_browser_and_time_only() {
        let keys = keys("s");
        let now = 1_800_000_000;
        let cookie = keys
            .seal(Check::State, "v", flow("github", "b1"), true, now)
            .unwrap();
        assert!(cookie.starts_with("__Host-authjs.state="), "{cookie}");
        assert!(cookie.contains("Max-Age=900"));
        let jar = carrying(&cookie);
        let open =
            |provider, browser, at| keys.open(&jar, Check::State, provider, browser, true, at);
        let sealed = open("github", Some("b1"), now).unwrap();
        assert_eq!(sealed.value, "v");
        assert_eq!(sealed.link_to, Some(7));
        assert_eq!(
            sealed.callback_url.as_deref(),
            Some("https://app.example/after")
        );
        assert_eq!(open("google", Some("b1"), now), Err(Refused::OtherProvider));
        assert_eq!(open("github", Some("b2"), now), Err(Refused::OtherBrowser));
        assert_eq!(open("github", None, now), Err(Refused::OtherBrowser));
        assert_eq!(
            open("github", Some("b1"), now + MAX_AGE_SECS + 61),
            Err(Refused::Missing)
        );
        // Another app's secret, or the plain-http name, finds nothing.
        assert_eq!(
            self::keys("other").open(&jar, Check::State, "github", Some("b1"), true, now),
            Err(Refused::Missing)
        );
        assert_eq!(
            keys.open(&jar, Check::State, "github", Some("b1"), false, now),
            Err(Refused::Missing)
        );
    }

    #[test]
    fn a_value_sealed_for_one_check_cannot_be_read_as_another() {
        let keys = keys("s");
        let now = 1_800_000_000;
        let pkce = keys
            .seal(Check::Pkce, "verifier", flow("github", "b"), false, now)
            .unwrap();
        // Only the state carries the callback URL and the account to link.
        let jar = carrying(&pkce);
        let sealed = keys
            .open(&jar, Check::Pkce, "github", Some("b"), false, now)
            .unwrap();
        assert_eq!((sealed.callback_url, sealed.link_to), (None, None));
        // The PKCE cookie's value moved under the state cookie's name does not open.
        let moved = pkce.replacen("authjs.pkce.code_verifier", "authjs.state", 1);
        assert_eq!(
            keys.open(
                &carrying(&moved),
                Check::State,
                "github",
                Some("b"),
                false,
                now
            ),
            Err(Refused::Missing)
        );
        assert_eq!(keys.clear_all(&jar, false).len(), 1);
        assert!(keys.clear_all(&jar, false)[0].contains("Max-Age=0"));
        assert!(keys.clear_all(&jar, true).is_empty());
    }

    #[test]
    fn random_values_are_43_base64url_characters() {
        let value = random_value();
        assert_eq!(value.len(), 43);
        assert_ne!(value, random_value());
        assert!(value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
}
