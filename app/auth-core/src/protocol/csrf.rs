//! CSRF protection: Auth.js's double-submit cookie, plus an `Origin` check Auth.js lacks.
//!
//! The cookie holds `token|sha256hex(token + secret)`; a form must send the same `token` as
//! `csrfToken`. An attacker's page can make the browser send the cookie but cannot read it, so it
//! cannot fill in the field; the hash stops a planted cookie (from a sibling subdomain, say)
//! from being accepted. Beyond Auth.js, a state-changing request whose `Origin` header names
//! another site is refused outright, `Origin: null` included.
//!
//! Pure functions of the secret and the request's values: the instance passes in what it read.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why a request failed the CSRF check (for the log; a client only sees `MissingCSRF`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsrfError {
    /// The `Origin` header names another site (or is `null`).
    #[error("foreign Origin header")]
    ForeignOrigin,
    /// No CSRF cookie, or one whose hash does not verify.
    #[error("missing or invalid cookie")]
    BadCookie,
    /// No `csrfToken` field.
    #[error("missing csrfToken field")]
    MissingField,
    /// The field is not the cookie's token.
    #[error("csrfToken does not match the cookie")]
    Mismatch,
}

impl CsrfError {
    /// A log-safe reason.
    pub fn reason(self) -> &'static str {
        match self {
            Self::ForeignOrigin => "foreign Origin header",
            Self::BadCookie => "missing or invalid cookie",
            Self::MissingField => "missing csrfToken field",
            Self::Mismatch => "csrfToken does not match the cookie",
        }
    }
}

/// A new token and the value of the cookie that carries it (`token%7Chash`: `|`
/// percent-encoded, as the `cookie` npm package writes it).
pub fn mint(secret: &str) -> (String, String) {
    let token = hex::encode(rand::random::<[u8; 32]>());
    let value = format!("{token}%7C{}", hash(secret, &token));
    (token, value)
}

/// The token in a CSRF cookie value, if the value is well-formed and its hash verifies.
///
/// # Security
/// The hash is compared in constant time.
pub fn cookie_token<'c>(secret: &str, cookie: &'c str) -> Option<&'c str> {
    let (token, hash_hex) = cookie
        .split_once("%7C")
        .or_else(|| cookie.split_once("%7c"))
        .or_else(|| cookie.split_once('|'))?;
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let expected = hash(secret, token);
    bool::from(expected.as_bytes().ct_eq(hash_hex.as_bytes())).then_some(token)
}

/// The token as a page embeds it: a fresh random pad and the token XOR the pad, in hex (128
/// characters). [`verify`] takes it as it takes the bare token.
///
/// # Security
/// Pages are sent compressed, and a page that reflects what a visitor typed (a `callbackUrl`)
/// next to a fixed secret leaks that secret through the compressed size (BREACH). Masked, the
/// token's bytes differ in every response, so there is no fixed string to guess byte by byte.
/// The bare token stays what `/api/auth/csrf` answers, as in Auth.js.
pub fn mask(token: &str) -> String {
    let Some(raw) = token_bytes(token) else {
        return token.to_owned();
    };
    let pad = rand::random::<[u8; 32]>();
    let mut masked = [0u8; 64];
    masked[..32].copy_from_slice(&pad);
    for (i, byte) in raw.iter().enumerate() {
        masked[32 + i] = byte ^ pad[i];
    }
    hex::encode(masked)
}

/// The 32 bytes of a 64-character hex token.
fn token_bytes(token: &str) -> Option<[u8; 32]> {
    let mut raw = [0u8; 32];
    hex::decode_to_slice(token, &mut raw).ok()?;
    Some(raw)
}

/// A form's `csrfToken` as the bare token: itself, or unmasked when it is [`mask`]'s form.
fn unmasked(form: &str) -> Option<String> {
    if form.len() != 128 {
        return Some(form.to_owned());
    }
    let mut masked = [0u8; 64];
    hex::decode_to_slice(form, &mut masked).ok()?;
    let mut raw = [0u8; 32];
    for (i, byte) in raw.iter_mut().enumerate() {
        *byte = masked[i] ^ masked[32 + i];
    }
    Some(hex::encode(raw))
}

/// Checks a form's `csrfToken` (bare, or masked by [`mask`]) against the request's CSRF cookie
/// value.
///
/// # Errors
/// [`CsrfError::BadCookie`], [`CsrfError::MissingField`] or [`CsrfError::Mismatch`].
///
/// # Security
/// Both comparisons are constant-time: `==` would leak how many bytes matched.
pub fn verify(secret: &str, cookie: Option<&str>, form: Option<&str>) -> Result<(), CsrfError> {
    let cookie = cookie
        .and_then(|c| cookie_token(secret, c))
        .ok_or(CsrfError::BadCookie)?;
    let form = form.ok_or(CsrfError::MissingField)?;
    let form = unmasked(form).ok_or(CsrfError::Mismatch)?;
    if bool::from(cookie.as_bytes().ct_eq(form.as_bytes())) {
        Ok(())
    } else {
        Err(CsrfError::Mismatch)
    }
}

/// Refuses an `Origin` header that is present and is neither `own` nor accepted by
/// `is_client` (a listed client origin).
///
/// # Errors
/// [`CsrfError::ForeignOrigin`].
pub fn verify_origin(
    header: Option<&str>,
    own: &str,
    is_client: impl FnOnce(&str) -> bool,
) -> Result<(), CsrfError> {
    match header {
        None => Ok(()),
        Some(origin) if origin.eq_ignore_ascii_case(own) => Ok(()),
        Some(origin) if is_client(origin) => Ok(()),
        Some(_) => Err(CsrfError::ForeignOrigin),
    }
}

/// What binds a flow's state to a browser: a hash of the token in its CSRF cookie (an
/// `__Host-` cookie over https, which no other site or subdomain can set). A check cookie
/// carries it sealed; a callback whose browser holds another CSRF cookie is refused.
pub fn binding_of(token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"leptos-auth flow binding\0");
    hasher.update(token.as_bytes());
    hex::encode(hasher.finalize())
}

/// `sha256hex(token + secret)`, where secret is Auth.js's `${options.secret}` (several secrets
/// are joined with commas, as JavaScript stringifies an array).
fn hash(secret: &str, token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(token.as_bytes());
    hasher.update(secret.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minted_cookie_verifies_its_own_token_only() {
        let (token, cookie) = mint("s3cret");
        assert_eq!(token.len(), 64);
        assert_eq!(cookie_token("s3cret", &cookie), Some(token.as_str()));
        assert_eq!(verify("s3cret", Some(&cookie), Some(&token)), Ok(()));
        let (other, _) = mint("s3cret");
        assert_eq!(
            verify("s3cret", Some(&cookie), Some(&other)),
            Err(CsrfError::Mismatch)
        );
        assert_eq!(
            verify("s3cret", Some(&cookie), None),
            Err(CsrfError::MissingField)
        );
        assert_eq!(
            verify("s3cret", None, Some(&token)),
            Err(CsrfError::BadCookie)
        );
    }

    #[test]
    fn a_masked_token_differs_every_time_and_verifies_as_the_token() {
        let (token, cookie) = mint("s3cret");
        let (a, b) = (mask(&token), mask(&token));
        assert_eq!(a.len(), 128);
        assert_ne!(a, b);
        assert!(!a.contains(&token));
        assert_eq!(verify("s3cret", Some(&cookie), Some(&a)), Ok(()));
        assert_eq!(verify("s3cret", Some(&cookie), Some(&b)), Ok(()));
        // Another token's mask, a flipped bit, and 128 characters that are not hex fail.
        let (other, _) = mint("s3cret");
        assert_eq!(
            verify("s3cret", Some(&cookie), Some(&mask(&other))),
            Err(CsrfError::Mismatch)
        );
        let mut flipped = a.into_bytes();
        flipped[127] = if flipped[127] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).expect("hex");
        assert_eq!(
            verify("s3cret", Some(&cookie), Some(&flipped)),
            Err(CsrfError::Mismatch)
        );
        assert_eq!(
            verify("s3cret", Some(&cookie), Some(&"z".repeat(128))),
            Err(CsrfError::Mismatch)
        );
    }

    #[test]
    fn a_cookie_planted_without_the_secret_is_refused() {
        let (token, cookie) = mint("s3cret");
        // Another secret: the hash does not verify.
        assert_eq!(cookie_token("other", &cookie), None);
        // A self-made pair `token|anything`.
        let forged = format!("{token}%7C{}", "0".repeat(64));
        assert_eq!(
            verify("s3cret", Some(&forged), Some(&token)),
            Err(CsrfError::BadCookie)
        );
        // Auth.js's unencoded `|` and lower-case `%7c` are read too.
        let plain = cookie.replace("%7C", "|");
        assert_eq!(cookie_token("s3cret", &plain), Some(token.as_str()));
        let lower = cookie.replace("%7C", "%7c");
        assert_eq!(cookie_token("s3cret", &lower), Some(token.as_str()));
        for garbage in [
            "",
            "|",
            "%7C",
            "abc%7Cdef",
            &format!("{}|x", "g".repeat(64)),
        ] {
            assert_eq!(cookie_token("s3cret", garbage), None, "{garbage:?}");
        }
    }

    #[test]
    fn only_the_own_or_a_client_origin_passes() {
        let own = "https://app.example";
        assert_eq!(verify_origin(None, own, |_| false), Ok(()));
        assert_eq!(
            verify_origin(Some("HTTPS://APP.EXAMPLE"), own, |_| false),
            Ok(())
        );
        assert_eq!(
            verify_origin(Some("https://client.example"), own, |o| o
                == "https://client.example"),
            Ok(())
        );
        for foreign in [
            "null",
            "https://evil.example",
            "https://app.example.evil",
            "",
        ] {
            assert_eq!(
                verify_origin(Some(foreign), own, |_| false),
                Err(CsrfError::ForeignOrigin),
                "{foreign:?}"
            );
        }
    }

    #[test]
    fn bindings_differ_per_token() {
        let (a, _) = mint("s");
        let (b, _) = mint("s");
        assert_eq!(binding_of(&a), binding_of(&a));
        assert_ne!(binding_of(&a), binding_of(&b));
        assert_eq!(binding_of(&a).len(), 64);
    }
}
