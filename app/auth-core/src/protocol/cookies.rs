//! Cookie names, attributes and chunking, as Auth.js v5 sets them.
//!
//! Every cookie is `Path=/; HttpOnly; SameSite=Lax`; over https it is also `Secure` and its name
//! gets the `__Secure-` prefix (`__Host-` for the CSRF and OAuth check cookies), so a subdomain
//! or a plain-http page cannot plant one. A session token longer than [`CHUNK_SIZE`] is split into `name.0`,
//! `name.1`, ... as Auth.js's `SessionStore` does, and chunks left over from a longer token are
//! cleared.

use std::borrow::Cow;

use time::OffsetDateTime;

/// Auth.js: 4096 bytes per cookie minus ~160 for name and attributes.
pub const CHUNK_SIZE: usize = 3936;
/// A session token spread over more chunks than this is treated as garbage.
pub const MAX_CHUNKS: usize = 16;

pub use super::names::{names, CookieNames, PLAIN, SECURE};

/// How long a cookie lives.
#[derive(Debug, Clone, Copy)]
pub enum Lifetime {
    /// Until the browser closes.
    Session,
    /// Until this instant (`Expires=`).
    Until(OffsetDateTime),
    /// For this many seconds (`Max-Age=`).
    MaxAge(i64),
}

/// A `Set-Cookie` value with Auth.js's attributes. `value` must already be cookie-safe
/// (base64url, hex, or percent-encoded).
pub fn set(name: &str, value: &str, lifetime: Lifetime, secure: bool) -> String {
    let mut out = String::with_capacity(name.len() + value.len() + 96);
    out.push_str(name);
    out.push('=');
    out.push_str(value);
    out.push_str("; Path=/");
    match lifetime {
        Lifetime::Session => {}
        Lifetime::Until(at) => {
            out.push_str("; Expires=");
            out.push_str(&super::dates::http_date(at));
        }
        Lifetime::MaxAge(secs) => {
            out.push_str("; Max-Age=");
            out.push_str(&secs.to_string());
        }
    }
    out.push_str("; HttpOnly; SameSite=Lax");
    if secure {
        out.push_str("; Secure");
    }
    out
}

/// A `Set-Cookie` value that deletes `name`.
pub fn clear(name: &str, secure: bool) -> String {
    set(name, "", Lifetime::MaxAge(0), secure)
}

/// The cookies of a request, read without copying.
#[derive(Debug, Default, Clone)]
pub struct RequestCookies {
    header: String,
}

impl RequestCookies {
    /// Joins every `Cookie` header (HTTP/2 may send several).
    pub fn from_headers(headers: &http::HeaderMap) -> Self {
        let mut header = String::new();
        for value in headers.get_all(http::header::COOKIE) {
            if let Ok(value) = value.to_str() {
                if !header.is_empty() {
                    header.push_str("; ");
                }
                header.push_str(value);
            }
        }
        Self { header }
    }

    /// Every `(name, value)` pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.header.split(';').filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            Some((name.trim(), value))
        })
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// A possibly chunked cookie: `name` itself, or `name.0`, `name.1`, ... joined in index
    /// order. `None` if absent, or if the chunks are not a contiguous `0..n` run.
    pub fn get_chunked(&self, name: &str) -> Option<Cow<'_, str>> {
        if let Some(value) = self.get(name) {
            return Some(Cow::Borrowed(value));
        }
        let mut chunks: Vec<(usize, &str)> = self
            .iter()
            .filter_map(|(n, v)| {
                let index = n.strip_prefix(name)?.strip_prefix('.')?.parse().ok()?;
                Some((index, v))
            })
            .collect();
        if chunks.is_empty() || chunks.len() > MAX_CHUNKS {
            return None;
        }
        chunks.sort_unstable_by_key(|(i, _)| *i);
        if chunks.iter().enumerate().any(|(pos, (i, _))| pos != *i) {
            return None;
        }
        Some(Cow::Owned(chunks.into_iter().map(|(_, v)| v).collect()))
    }

    /// The names of `name` and its chunks present in the request.
    pub fn chunk_names<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter().map(|(n, _)| n).filter(move |n| {
            *n == name
                || n.strip_prefix(name)
                    .and_then(|rest| rest.strip_prefix('.'))
                    .is_some_and(|i| i.parse::<usize>().is_ok())
        })
    }
}

/// `Set-Cookie` values that store `value` under `name`, chunked when long, and clear whatever
/// chunks of an earlier value the request still carries.
pub fn set_chunked(
    name: &str,
    value: &str,
    lifetime: Lifetime,
    secure: bool,
    request: &RequestCookies,
) -> Vec<String> {
    let mut out = Vec::with_capacity(1);
    let mut written: Vec<Cow<'_, str>> = Vec::with_capacity(1);
    if value.len() <= CHUNK_SIZE {
        out.push(set(name, value, lifetime, secure));
        written.push(Cow::Borrowed(name));
    } else {
        // Base64url and '.' are ASCII, so byte chunks are character chunks.
        for (i, chunk) in value.as_bytes().chunks(CHUNK_SIZE).enumerate() {
            let chunk_name = format!("{name}.{i}");
            out.push(set(
                &chunk_name,
                std::str::from_utf8(chunk).unwrap_or_default(),
                lifetime,
                secure,
            ));
            written.push(Cow::Owned(chunk_name));
        }
    }
    for stale in request.chunk_names(name) {
        if !written.iter().any(|w| w == stale) {
            out.push(clear(stale, secure));
        }
    }
    out
}

/// `Set-Cookie` values that delete `name` and every chunk of it the request carries.
pub fn clear_chunked(name: &str, secure: bool, request: &RequestCookies) -> Vec<String> {
    let mut out: Vec<String> = request
        .chunk_names(name)
        .map(|n| clear(n, secure))
        .collect();
    if out.is_empty() {
        out.push(clear(name, secure));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cookies(header: &str) -> RequestCookies {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, header.parse().unwrap());
        RequestCookies::from_headers(&headers)
    }

    #[test]
    fn attributes_match_auth_js() {
        assert_eq!(
            set("authjs.csrf-token", "a%7Cb", Lifetime::Session, false),
            "authjs.csrf-token=a%7Cb; Path=/; HttpOnly; SameSite=Lax"
        );
        let at = time::macros::datetime!(2026-12-25 22:28:31 UTC);
        assert_eq!(
            set(SECURE.session_token, "t", Lifetime::Until(at), true),
            "__Secure-authjs.session-token=t; Path=/; Expires=Fri, 25 Dec 2026 22:28:31 GMT; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            clear("x", false),
            "x=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
        );
        assert_eq!(SECURE.csrf_token, "__Host-authjs.csrf-token");
    }

    #[test]
    fn long_values_are_chunked_and_reassembled() {
        let value = "a".repeat(CHUNK_SIZE * 2 + 10);
        let set_cookies = set_chunked("s", &value, Lifetime::Session, false, &cookies("other=1"));
        assert_eq!(set_cookies.len(), 3);
        assert!(set_cookies[0].starts_with("s.0="));
        assert!(set_cookies[2].starts_with("s.2="));

        let header = set_cookies
            .iter()
            .map(|c| c.split(';').next().unwrap())
            .collect::<Vec<_>>()
            .join("; ");
        assert_eq!(cookies(&header).get_chunked("s").unwrap(), value);
    }

    #[test]
    fn stale_chunks_are_cleared() {
        let request = cookies("s.0=aaa; s.1=bbb; s.2=ccc; keep=1");
        let out = set_chunked("s", "short", Lifetime::Session, false, &request);
        assert_eq!(out[0], "s=short; Path=/; HttpOnly; SameSite=Lax");
        assert_eq!(out.len(), 4);
        assert!(out[1..].iter().all(|c| c.contains("Max-Age=0")));
    }

    #[test]
    fn chunk_gaps_and_garbage_are_refused() {
        assert_eq!(cookies("s.0=a; s.2=c").get_chunked("s"), None);
        assert_eq!(cookies("s.x=a").get_chunked("s"), None);
        assert_eq!(cookies("s.1=b; s.0=a").get_chunked("s").unwrap(), "ab");
        assert_eq!(cookies("===; ;;; s").get("s"), None);
        assert_eq!(cookies(r#"q="quoted""#).get("q"), Some("quoted"));
        assert_eq!(cookies("session-token=x").get_chunked("session"), None);
    }
}
