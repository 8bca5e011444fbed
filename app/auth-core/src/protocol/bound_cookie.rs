//! A short-lived cookie sealed for one browser: the shape of the pending second step and of a
//! passkey ceremony's challenge.
//!
//! The value is encrypted and authenticated like the session token (keys derived from the
//! cookie's name, so one cookie's token never opens as another's), carries its expiry, and
//! names the browser it was made for by the hash of that browser's CSRF token: a cookie carried
//! to another browser opens to nothing there, as the OAuth check cookies. Over https the name
//! is `__Host-` prefixed, so a sibling subdomain cannot plant one.

use serde::{de::DeserializeOwned, Serialize};
use subtle::ConstantTimeEq;

use super::{
    cookies::{self, Lifetime, RequestCookies},
    jwt::KeySet,
    secret::Secret,
};

/// A sealed value that knows which browser it was made for (its CSRF binding).
pub trait BoundToBrowser {
    /// The binding of the browser the value was sealed for.
    fn binding(&self) -> &str;
}

/// The names, keys and lifetime of one such cookie.
#[derive(Clone, Debug)]
pub struct BoundCookie {
    plain_name: &'static str,
    secure_name: &'static str,
    plain: KeySet,
    secure: KeySet,
    max_age_secs: i64,
}

impl BoundCookie {
    /// Derives the keys of the cookie named `plain_name` over http and `secure_name` over https
    /// (once, at start-up).
    pub fn derive(
        secrets: &[Secret],
        plain_name: &'static str,
        secure_name: &'static str,
        max_age_secs: i64,
    ) -> Self {
        Self {
            plain_name,
            secure_name,
            plain: KeySet::derive(secrets, plain_name),
            secure: KeySet::derive(secrets, secure_name),
            max_age_secs,
        }
    }

    fn name_and_keys(&self, secure: bool) -> (&'static str, &KeySet) {
        if secure {
            (self.secure_name, &self.secure)
        } else {
            (self.plain_name, &self.plain)
        }
    }

    /// The `Set-Cookie` value holding `value` (which carries its own `exp`).
    pub fn seal<T: Serialize>(&self, value: &T, secure: bool) -> Option<String> {
        let (name, keys) = self.name_and_keys(secure);
        let token = keys.encode(value).ok()?;
        Some(cookies::set(
            name,
            &token,
            Lifetime::MaxAge(self.max_age_secs),
            secure,
        ))
    }

    /// The value in `cookies`, if it is ours, unexpired at `now`, and sealed for the browser
    /// whose binding is `browser`.
    ///
    /// # Security
    /// The binding is compared in constant time; a browser without one matches nothing.
    pub fn open<T: DeserializeOwned + BoundToBrowser>(
        &self,
        cookies: &RequestCookies,
        browser: Option<&str>,
        secure: bool,
        now: i64,
    ) -> Option<T> {
        let (name, keys) = self.name_and_keys(secure);
        let value: T = keys.decode(cookies.get(name)?, now).ok()?;
        let browser = browser.unwrap_or_default();
        let same = bool::from(value.binding().as_bytes().ct_eq(browser.as_bytes()));
        (same && !browser.is_empty()).then_some(value)
    }

    /// The `Set-Cookie` value that clears the cookie.
    pub fn clear(&self, secure: bool) -> String {
        cookies::clear(self.name_and_keys(secure).0, secure)
    }
}
