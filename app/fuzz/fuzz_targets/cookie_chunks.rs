//! Cookie parsing and chunk reassembly (`RequestCookies`, `set_chunked`).
//!
//! The input's lines are `Cookie` header values (those that are not valid header values are
//! skipped). `get`, `get_chunked`, `chunk_names` and `iter` never panic, and `get_chunked` agrees
//! with `get` when the unchunked cookie is there. Then a cookie-safe value made from the input
//! (base64url characters and `.`, up to 16 chunks long) is stored with `set_chunked` over those
//! request cookies; a browser applying the `Set-Cookie` values (a set replaces the cookie of
//! that name, `Max-Age=0` deletes it) sends back a `Cookie` header from which `get_chunked`
//! reassembles exactly that value: stale chunks of an earlier value never leak into it.
#![no_main]

use auth_core::protocol::cookies::{set_chunked, Lifetime, RequestCookies, CHUNK_SIZE, MAX_CHUNKS};
use http::{header::COOKIE, HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

const NAME: &str = "authjs.session-token";
const SAFE: &[u8; 65] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";

fn cookies_from(header: &str) -> RequestCookies {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(header).expect("the jar holds only header-safe pairs");
    headers.insert(COOKIE, value);
    RequestCookies::from_headers(&headers)
}

/// A value of `len` cookie-safe characters, cycling through the input's bytes.
fn safe_value(data: &[u8], len: usize) -> String {
    if data.is_empty() {
        return String::new();
    }
    data.iter()
        .cycle()
        .take(len)
        .map(|b| SAFE[*b as usize % SAFE.len()] as char)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(COOKIE, value);
        }
    }
    let cookies = RequestCookies::from_headers(&headers);
    let plain = cookies.get(NAME);
    let chunked = cookies.get_chunked(NAME);
    if let Some(plain) = plain {
        assert_eq!(
            chunked.as_deref(),
            Some(plain),
            "get_chunked disagrees with get"
        );
    }
    let _ = cookies.chunk_names(NAME).count();
    let _ = cookies
        .iter()
        .map(|(n, v)| n.len() + v.len())
        .sum::<usize>();

    // The length: from the first two bytes, so that short and chunked values both come up.
    let len = match data {
        [a, b, ..] => (usize::from(*a) << 8 | usize::from(*b)) % (CHUNK_SIZE * MAX_CHUNKS + 1),
        _ => data.len(),
    };
    let value = safe_value(data, len);
    let set_cookies = set_chunked(NAME, &value, Lifetime::Session, false, &cookies);

    // The browser's jar: the request's cookies, then each Set-Cookie applied in order.
    let mut jar: Vec<(String, String)> = cookies
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    for set_cookie in &set_cookies {
        let (pair, attributes) = set_cookie.split_once(';').unwrap_or((set_cookie, ""));
        let (name, cookie_value) = pair.split_once('=').expect("a Set-Cookie has name=value");
        jar.retain(|(n, _)| n != name);
        if !attributes.contains("Max-Age=0") {
            jar.push((name.to_owned(), cookie_value.to_owned()));
        }
    }
    let header = jar
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let back = cookies_from(&header);
    assert_eq!(
        back.get_chunked(NAME).as_deref(),
        Some(value.as_str()),
        "the stored value did not come back from: {header}"
    );
});
