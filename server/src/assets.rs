//! The site's static files (wasm, JS, CSS and `public/`) compiled into the binary (feature
//! `embed-site`, which `scripts/release` turns on once the site is built), served from memory
//! with their content type and an ETag. Names that carry a content hash are cached for a year;
//! the others are revalidated (a 304 costs one round trip and no body).

use axum::{
    body::Body,
    http::{header, HeaderValue, Request, StatusCode},
    response::{IntoResponse, Response},
};

#[derive(rust_embed::Embed)]
#[folder = "../target/site"]
struct Site;

/// The embedded file for this request, if there is one.
pub fn serve(request: &Request<Body>) -> Option<Response> {
    let path = request.uri().path().trim_start_matches('/');
    if path.is_empty() || path.contains("..") {
        return None;
    }
    let file = Site::get(path)?;
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()));
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
        let mut response = Body::from(file.data.into_owned()).into_response();
        if let Ok(mime) = HeaderValue::from_str(file.metadata.mimetype()) {
            response.headers_mut().insert(header::CONTENT_TYPE, mime);
        }
        response
    };
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    Some(response)
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

    #[test]
    fn hashed_names_are_recognised() {
        assert!(has_content_hash("pkg/leptos-auth.3f9a1c2b7d4e.wasm"));
        assert!(!has_content_hash("pkg/leptos-auth.wasm"));
        assert!(!has_content_hash("favicon.svg"));
        assert!(!has_content_hash("pkg/leptos-auth_bg.wasm.d.ts"));
    }
}
