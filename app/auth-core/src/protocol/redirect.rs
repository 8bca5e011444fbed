//! Redirect validation: the rules every URL the app sends a browser to passes.
//!
//! Auth.js's default `redirect` callback allows a path (made absolute on the app's origin) or a
//! URL on the app's origin, and falls back to the origin for anything else. On top of whatever the
//! callback returns we insist on an absolute http(s) URL, and on the app's own (or an allowed
//! client's) origin, and we fold a leading `//` in the path so that a client-side router can
//! never read the result as a protocol-relative URL.
//!
//! Compiled on both sides: the pages accept a `callbackUrl` from the query only through
//! [`local_callback`] (the server validates it again when the form comes back).

use url::Url;

/// Auth.js's default `redirect` callback.
pub fn default_redirect(url: &str, base_url: &str) -> String {
    if url.starts_with('/') {
        return format!("{base_url}{url}");
    }
    match Url::parse(url) {
        Ok(parsed) if parsed.origin().ascii_serialization() == base_url => url.to_owned(),
        _ => {
            tracing::debug!("redirect target refused: not this site or a listed client origin");
            base_url.to_owned()
        }
    }
}

/// `candidate` (what the `redirect` callback returned) if it is an absolute http(s) URL without
/// credentials on `own` origin or one `is_client` accepts, with a leading `//` in its path
/// folded to `/`; `None` otherwise.
pub fn sanitize(
    candidate: &str,
    own: &str,
    is_client: impl FnOnce(&str) -> bool,
) -> Option<String> {
    if candidate.chars().any(char::is_control) {
        return None;
    }
    let mut url = Url::parse(candidate).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    if origin != own && !is_client(&origin) {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    if url.path().starts_with("//") {
        let folded = format!("/{}", url.path().trim_start_matches('/'));
        url.set_path(&folded);
    }
    Some(url.into())
}

/// The path-and-query of `url` when it is on `origin` (`/` for the bare origin).
pub fn strip_origin<'u>(url: &'u str, origin: &str) -> Option<&'u str> {
    let rest = url.strip_prefix(origin)?;
    if rest.is_empty() {
        return Some("/");
    }
    rest.starts_with('/').then_some(rest)
}

/// A `callbackUrl` from a query string, if it is a local path (`/x`, not `//x` or `/\x`).
pub fn local_callback(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && !raw.chars().any(|c| c.is_control() || c == '\\')
        && raw.len() <= 2048;
    ok.then(|| raw.to_owned())
}

/// The local path of `url`: `url` itself when it is one ([`local_callback`]), or its path part
/// when it is an absolute URL on `origin`.
pub fn to_local(url: &str, origin: Option<&str>) -> Option<String> {
    local_callback(url).or_else(|| strip_origin(url, origin?).and_then(local_callback))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_accepted() {
        assert_eq!(
            local_callback("/protected?x=1").as_deref(),
            Some("/protected?x=1")
        );
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "javascript:alert(1)",
            "%2F%2Fevil.example",
            "",
            "protected",
            "/a\nb",
            "/a\\b",
        ] {
            assert_eq!(local_callback(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn absolute_urls_on_our_origin_become_paths() {
        assert_eq!(
            to_local("http://a:3/x?y", Some("http://a:3")).as_deref(),
            Some("/x?y")
        );
        assert_eq!(
            to_local("http://a:3", Some("http://a:3")).as_deref(),
            Some("/")
        );
        assert_eq!(to_local("http://b/x", Some("http://a:3")), None);
        assert_eq!(to_local("http://a:3//evil", Some("http://a:3")), None);
    }

    #[test]
    fn default_callback_matches_auth_js() {
        let base = "http://localhost:3000";
        assert_eq!(
            default_redirect("/dashboard?x=1", base),
            "http://localhost:3000/dashboard?x=1"
        );
        assert_eq!(
            default_redirect("http://localhost:3000/a", base),
            "http://localhost:3000/a"
        );
        assert_eq!(default_redirect("https://evil.example/a", base), base);
        assert_eq!(default_redirect("javascript:alert(1)", base), base);
    }

    #[test]
    fn local_path_strips_the_origin() {
        assert_eq!(strip_origin("http://a/x?y", "http://a"), Some("/x?y"));
        assert_eq!(strip_origin("http://a", "http://a"), Some("/"));
        assert_eq!(strip_origin("http://a.evil/x", "http://a"), None);
    }
}
