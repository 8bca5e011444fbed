//! The site's static files (wasm, JS, CSS and `public/`) compiled into the binary (feature
//! `embed-site`, which `scripts/release` turns on once the site is built), served from memory
//! with their content type and an ETag. Names that carry a content hash are cached for a year;
//! the others are revalidated (a 304 costs one round trip and no body).
//!
//! `scripts/release` also writes a brotli (`.br`, quality 11) and a gzip (`.gz`, level 9) copy
//! beside each file that compresses; they are compiled in too, and the copy the client's
//! `Accept-Encoding` takes is sent with its `Content-Encoding` (brotli first: it is the
//! smaller), nothing compressed per request. Every file that has copies answers with
//! `Vary: Accept-Encoding`, so a cache keeps one answer per encoding.

// Without `embed-site` only the header and name rules below are compiled, for their tests.
#![cfg_attr(not(feature = "embed-site"), allow(dead_code))]

use axum::http::header;
#[cfg(feature = "embed-site")]
use axum::{
    body::Body,
    http::{HeaderValue, Request, StatusCode},
    response::{IntoResponse, Response},
};

#[cfg(feature = "embed-site")]
#[derive(rust_embed::Embed)]
#[folder = "../target/site"]
struct Site;

/// The embedded file for this request, if there is one.
#[cfg(feature = "embed-site")]
pub fn serve(request: &Request<Body>) -> Option<Response> {
    let path = request.uri().path().trim_start_matches('/');
    if path.is_empty() || path.contains("..") {
        return None;
    }
    let file = Site::get(path)?;
    let accepts = Accepts::of(request.headers());
    let mut varies = false;
    let mut chosen = None;
    for (encoding, suffix, taken) in [("br", "br", accepts.br), ("gzip", "gz", accepts.gzip)] {
        if let Some(copy) = Site::get(&format!("{path}.{suffix}")) {
            varies = true;
            if taken && chosen.is_none() {
                chosen = Some((encoding, copy));
            }
        }
    }
    let (encoding, body) = match chosen {
        Some((encoding, copy)) => (Some(encoding), copy),
        None => (None, file.clone()),
    };
    // One ETag per representation: a cache must not answer a gzip client with brotli bytes.
    let etag = format!("\"{}\"", hex(&body.metadata.sha256_hash()));
    let cache = if has_content_hash(path) {
        "public, max-age=31536000, immutable"
    } else {
        "public, no-cache"
    };
    let fresh = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut response = Body::from(body.data.into_owned()).into_response();
        if let Ok(mime) = HeaderValue::from_str(file.metadata.mimetype()) {
            response.headers_mut().insert(header::CONTENT_TYPE, mime);
        }
        if let Some(encoding) = encoding {
            response
                .headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    };
    let headers = response.headers_mut();
    if varies {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Some(response)
}

/// The content codings a client takes (RFC 9110 section 12.5.3), of the two the copies use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Accepts {
    br: bool,
    gzip: bool,
}

impl Accepts {
    /// Reads every `Accept-Encoding` header: a coding is taken when it is listed with a weight
    /// above 0, or when `*` is and the coding itself is not listed.
    fn of(headers: &axum::http::HeaderMap) -> Self {
        let (mut br, mut gzip, mut any) = (None, None, None);
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim();
                let weighted = parts
                    .filter_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .or_else(|| p.trim().strip_prefix("Q="))
                    })
                    .next()
                    .is_none_or(|q| q.trim().parse::<f32>().is_ok_and(|q| q > 0.0));
                let slot = if coding.eq_ignore_ascii_case("br") {
                    &mut br
                } else if coding.eq_ignore_ascii_case("gzip")
                    || coding.eq_ignore_ascii_case("x-gzip")
                {
                    &mut gzip
                } else if coding == "*" {
                    &mut any
                } else {
                    continue;
                };
                *slot = Some(weighted);
            }
        }
        let any = any.unwrap_or(false);
        Self {
            br: br.unwrap_or(any),
            gzip: gzip.unwrap_or(any),
        }
    }
}

/// `leptos-auth.3f9a1c2b7d4e.wasm`: a name with a hash segment before its extension.
fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut parts = name.rsplit('.');
    let (Some(_extension), Some(hash), Some(_stem)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    hash.len() >= 8
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && hash.bytes().any(|b| b.is_ascii_digit())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accepts(values: &[&str]) -> Accepts {
        let mut headers = axum::http::HeaderMap::new();
        for value in values {
            headers.append(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).expect("header value"),
            );
        }
        Accepts::of(&headers)
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        let both = Accepts {
            br: true,
            gzip: true,
        };
        let gzip = Accepts {
            br: false,
            gzip: true,
        };
        let none = Accepts::default();
        assert_eq!(accepts(&[]), none);
        assert_eq!(accepts(&["gzip, deflate, br, zstd"]), both);
        assert_eq!(accepts(&["gzip;q=1.0, br;q=0"]), gzip);
        assert_eq!(accepts(&["BR;Q=0.5", "x-gzip"]), both);
        assert_eq!(accepts(&["identity"]), none);
        assert_eq!(accepts(&["*"]), both);
        assert_eq!(accepts(&["*;q=0.1, br;q=0"]), gzip);
        assert_eq!(accepts(&["*;q=0"]), none);
        assert_eq!(accepts(&["br;q=nonsense, gzip;q="]), none);
        assert_eq!(accepts(&[";;;,,,=q"]), none);
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(has_content_hash("pkg/leptos-auth.3f9a1c2b7d4e.wasm"));
        assert!(!has_content_hash("pkg/leptos-auth.wasm"));
        assert!(!has_content_hash("favicon.svg"));
        assert!(!has_content_hash("pkg/leptos-auth_bg.wasm.d.ts"));
    }
}
