//! Pages go out compressed (brotli or gzip, as the client's `Accept-Encoding` takes them); the
//! embedded assets come precompressed (see `assets`), and JSON answers stay as they are.
//!
//! Only `text/html` is compressed here: a page is 5-20 KB of markup that shrinks four- to
//! eightfold, while `GET /api/auth/session`, the hot path, answers a few hundred bytes that would
//! cost more CPU than they save.
//!
//! A compressed page that reflects attacker-chosen text beside a secret leaks the secret through
//! its size (BREACH). Pages reflect a `callbackUrl` and carry the visitor's CSRF token, so the
//! token in a page is masked afresh for every response (`auth_core::protocol::csrf::mask`).
//!
//! A streamed page (Leptos's out-of-order streaming) is compressed as it streams; the encoder
//! may hold a chunk until more arrives, so the first bytes come a little later than uncompressed.

use axum::http::{header, Extensions, HeaderMap, StatusCode, Version};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// The predicate's type: a plain function, so the layer's type can be named.
type IsPage = fn(StatusCode, Version, &HeaderMap, &Extensions) -> bool;

/// Whether a response is a page.
fn is_html(_: StatusCode, _: Version, headers: &HeaderMap, _: &Extensions) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/html"))
        })
}

/// The layer: brotli or gzip at their default levels (brotli 4, gzip 6: fast enough to run on
/// every page render), `text/html` only; `Vary: Accept-Encoding` on every page.
pub fn pages() -> CompressionLayer<IsPage> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .no_deflate()
        .no_zstd()
        .quality(CompressionLevel::Default)
        .compress_when(is_html as IsPage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn html(content_type: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).expect("header value"),
        );
        is_html(
            StatusCode::OK,
            Version::HTTP_11,
            &headers,
            &Extensions::new(),
        )
    }

    #[test]
    fn only_pages_are_compressed() {
        assert!(html("text/html; charset=utf-8"));
        assert!(html("TEXT/HTML"));
        assert!(!html("application/json"));
        assert!(!html("text/html-not"));
        assert!(!html("application/wasm"));
        assert!(!is_html(
            StatusCode::OK,
            Version::HTTP_11,
            &HeaderMap::new(),
            &Extensions::new()
        ));
    }
}
