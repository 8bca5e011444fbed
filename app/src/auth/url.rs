//! URLs the pages build and the query values they accept. A value from the query is never
//! rendered as is: a `callbackUrl` must be a local path, anything else is dropped (the server
//! validates it again when the form comes back).

use super::client::BASE_PATH;

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

/// The path part of an absolute URL on `origin`, or of a local path.
pub fn to_local(url: &str, origin: Option<&str>) -> Option<String> {
    if let Some(local) = local_callback(url) {
        return Some(local);
    }
    let origin = origin?;
    let rest = url.strip_prefix(origin)?;
    if rest.is_empty() {
        return Some("/".into());
    }
    local_callback(rest)
}

/// `/api/auth/signin?callbackUrl=...&error=...`.
pub fn sign_in_href(callback_url: Option<&str>, error: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(error) = error {
        query.append_pair("error", error);
    }
    if let Some(callback) = callback_url {
        query.append_pair("callbackUrl", callback);
    }
    let query = query.finish();
    if query.is_empty() {
        format!("{BASE_PATH}/signin")
    } else {
        format!("{BASE_PATH}/signin?{query}")
    }
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
    fn sign_in_links_encode_their_values() {
        assert_eq!(sign_in_href(None, None), "/api/auth/signin");
        assert_eq!(
            sign_in_href(Some("/p?a=1&b=2"), None),
            "/api/auth/signin?callbackUrl=%2Fp%3Fa%3D1%26b%3D2"
        );
    }
}
