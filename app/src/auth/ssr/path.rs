//! One spelling per path: a request for a variant of a path (`/admin/`, `//admin`,
//! `/x/../admin`, `/%61dmin`, `/./admin`) is redirected (`308`, method and body kept) to its
//! canonical form before any routing, so the page guard (`authorized`), the router and the
//! Leptos router always see the same path, and no variant can reach a page around its guard.
//! The redirect is made by the outermost layer (`security_headers::SecurityLayer`).
//!
//! Canonical (RFC 3986 section 6.2.2): percent-encoded unreserved characters decoded, other
//! percent-encodings in upper case, dot segments removed, repeated slashes collapsed, and no
//! trailing slash (but `/` itself). An encoded slash (`%2F`) stays encoded: it is not a
//! segment boundary.

use axum::response::Response;
use http::{header, HeaderValue, StatusCode};

/// The canonical form of `path`, or `None` when it already is.
pub fn canonical(path: &str) -> Option<String> {
    if is_plainly_canonical(path) {
        return None;
    }
    let normalized = normalize_encoding(path);
    let mut segments: Vec<&str> = Vec::new();
    for segment in normalized.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = String::with_capacity(path.len());
    for segment in &segments {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    (out != path).then_some(out)
}

/// The common case, checked without allocating (every request passes here): starts with `/`,
/// no escape, no empty, `.` or `..` segment, and no trailing slash.
fn is_plainly_canonical(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    let bytes = path.as_bytes();
    if bytes.first() != Some(&b'/') || bytes.last() == Some(&b'/') || path.contains('%') {
        return false;
    }
    path[1..]
        .split('/')
        .all(|segment| !matches!(segment, "" | "." | ".."))
}

/// Decodes `%XX` of unreserved characters, upper-cases the hex of the others.
fn normalize_encoding(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.contains('%') {
        return path.into();
    }
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let escape = rest.as_bytes().get(at + 1..at + 3);
        match escape.and_then(|e| Some((hex(e[0])?, hex(e[1])?))) {
            Some((hi, lo)) => {
                let decoded = hi * 16 + lo;
                if decoded.is_ascii_alphanumeric() || matches!(decoded, b'-' | b'.' | b'_' | b'~') {
                    out.push(char::from(decoded));
                } else {
                    out.push('%');
                    out.push_str(&rest[at + 1..at + 3].to_ascii_uppercase());
                }
                rest = &rest[at + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out.into()
}

fn hex(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// The `308` to the canonical form of `uri`'s path (query kept), if it is not canonical.
pub fn redirect(uri: &http::Uri) -> Option<Response> {
    let path = canonical(uri.path())?;
    let location = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
    if let Ok(location) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_of_a_path_have_one_canonical_form() {
        for variant in [
            "/admin/",
            "//admin",
            "/admin//",
            "/./admin",
            "/x/../admin",
            "/x/y/../../admin",
            "/../admin",
            "/%61dmin",
            "/adm%69n",
            "/%2e%2e/admin",
            "/x/%2E%2E/admin",
            "/ADMIN/../admin",
        ] {
            assert_eq!(canonical(variant).as_deref(), Some("/admin"), "{variant}");
        }
        for same in [
            "/",
            "/admin",
            "/api/auth/signin",
            "/a%2Fb",
            "/caf%C3%A9",
            "/café",
        ] {
            assert_eq!(canonical(same), None, "{same}");
        }
        assert_eq!(canonical("/a%2fb").as_deref(), Some("/a%2Fb"));
        assert_eq!(canonical("").as_deref(), Some("/"));
        assert_eq!(canonical("/..").as_deref(), Some("/"));
        assert_eq!(canonical("/%").as_deref(), None);
        assert_eq!(canonical("/%zz"), None);
        assert_eq!(canonical("/a%4").as_deref(), None);
    }
}
