//! URLs the pages build and the query values they accept. A value from the query is never
//! rendered as is: a `callbackUrl` must be a local path, anything else is dropped (the server
//! validates it again when the form comes back). The rules are the protocol's
//! [`redirect`](auth_core::protocol::redirect).

use auth_core::protocol::names::BASE_PATH;
pub use auth_core::protocol::redirect::{local_callback, to_local};

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
    fn sign_in_links_encode_their_values() {
        assert_eq!(sign_in_href(None, None), "/api/auth/signin");
        assert_eq!(
            sign_in_href(Some("/p?a=1&b=2"), None),
            "/api/auth/signin?callbackUrl=%2Fp%3Fa%3D1%26b%3D2"
        );
    }
}
