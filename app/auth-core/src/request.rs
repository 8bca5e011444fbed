//! What the auth core needs to know about a request, read once from its head.
//!
//! The public origin decides cookie names (`__Secure-` over https) and absolute redirect URLs.
//! As Auth.js: `AUTH_URL` if set; otherwise, when the host is trusted (`AUTH_TRUST_HOST`, or a
//! debug build), `X-Forwarded-Host`/`Host` and `X-Forwarded-Proto`; otherwise the address the
//! server listens on, so an untrusted `Host` header can never steer a redirect.
//!
//! URLs that leave the server and come back (email links, OAuth `redirect_uri`) are stricter
//! still: [`AuthRequest::link_origin`] is `AUTH_URL`'s origin, or the request's only when it is
//! one of the configured link origins (`AUTH_LINK_ORIGINS`).
//! The client IP is the socket peer unless that is a trusted proxy (see `client_ip.rs`).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::{request::Parts, HeaderMap, Method};

use crate::protocol::{client_ip::TrustedProxies, cookies::RequestCookies};

pub use crate::protocol::names::RETURN_REDIRECT_HEADER;

/// What reading a request needs from the configuration (`AuthConfig` implements it). A trait
/// and not the configuration itself because providers name [`AuthRequest`] (a custom
/// `authorize` gets it) and the configuration names providers: this way the three do not form
/// an import circle.
pub trait Site {
    /// `AUTH_URL`, when set.
    fn url(&self) -> Option<&url::Url>;
    /// The site's origin: `AUTH_URL`'s, else the address the server listens on.
    fn site_origin(&self) -> &str;
    /// The base path of the auth routes (`/api/auth`).
    fn base_path(&self) -> &str;
    /// `AUTH_TRUST_HOST`: whether `Host` / `X-Forwarded-*` may set the origin.
    fn trust_host(&self) -> bool;
    /// Cookie security forced on or off, else decided by the scheme.
    fn use_secure_cookies(&self) -> Option<bool>;
    /// The proxies whose `X-Forwarded-For` is believed.
    fn trusted_proxies(&self) -> &TrustedProxies;
    /// The request origins email links and `redirect_uri`s may be built on.
    fn link_origins(&self) -> &[String];
}

/// The request, as the auth core sees it.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// HTTP method.
    pub method: Method,
    /// Public origin of this request (`https://example.com`).
    pub origin: String,
    /// Whether cookies are `Secure` and prefixed.
    pub secure: bool,
    /// The request's cookies.
    pub cookies: RequestCookies,
    /// The `Origin` header, if any.
    pub origin_header: Option<String>,
    /// Whether the client asked for `{url}` instead of a redirect.
    pub return_redirect: bool,
    /// The client's IP address: the socket peer, or the right-most untrusted
    /// `X-Forwarded-For` hop when the peer is a trusted proxy (`AUTH_TRUSTED_PROXIES`).
    pub client_ip: Option<IpAddr>,
    /// Path of the request, for logs and the `authorized` callback.
    pub path: String,
    /// The `User-Agent` header (kept as the header value: no copy on the hot path).
    pub user_agent: Option<http::HeaderValue>,
}

impl AuthRequest {
    /// Reads the request head.
    pub fn from_parts(config: &impl Site, parts: &Parts) -> Self {
        let headers = &parts.headers;
        let (origin, https) = public_origin(config, headers);
        let secure = config.use_secure_cookies().unwrap_or(https);
        let socket_ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let client_ip = socket_ip.map(|peer| {
            crate::protocol::client_ip::client_ip(
                config.trusted_proxies(),
                peer,
                headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .filter_map(|v| v.to_str().ok()),
            )
        });

        Self {
            method: parts.method.clone(),
            origin,
            secure,
            cookies: RequestCookies::from_headers(headers),
            origin_header: header_str(headers, http::header::ORIGIN.as_str()).map(str::to_owned),
            return_redirect: header_str(headers, RETURN_REDIRECT_HEADER)
                .is_some_and(|v| v.trim() == "1" || v.trim().eq_ignore_ascii_case("true")),
            client_ip,
            path: parts.uri.path().to_owned(),
            user_agent: headers.get(http::header::USER_AGENT).cloned(),
        }
    }

    /// The absolute URL of a path under the base path (`/signin` gives
    /// `https://example.com/api/auth/signin`).
    pub fn auth_url(&self, config: &impl Site, path: &str) -> String {
        format!("{}{}{}", self.origin, config.base_path(), path)
    }

    /// The origin email links and OAuth `redirect_uri`s are built on: `AUTH_URL`'s, or this
    /// request's only when it is one of the configured link origins, else the site's. Never a
    /// bare `Host` header.
    pub fn link_origin<'a>(&'a self, config: &'a impl Site) -> &'a str {
        if config.url().is_none()
            && config
                .link_origins()
                .iter()
                .any(|o| o.eq_ignore_ascii_case(&self.origin))
        {
            &self.origin
        } else {
            config.site_origin()
        }
    }

    /// [`AuthRequest::auth_url`] on the [`link_origin`](Self::link_origin): for URLs that
    /// leave the server (an email link, an OAuth `redirect_uri`).
    pub fn link_url(&self, config: &impl Site, path: &str) -> String {
        format!("{}{}{}", self.link_origin(config), config.base_path(), path)
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether the request reached the site over https, as [`AuthRequest::from_parts`] decides it
/// (`AUTH_URL`'s scheme, or a trusted `X-Forwarded-Proto`), without building the origin.
pub fn is_https(config: &impl Site, headers: &HeaderMap) -> bool {
    if let Some(url) = config.url() {
        return url.scheme() == "https";
    }
    if config.trust_host() && trusted_host(headers).is_some() {
        return forwarded_https(headers);
    }
    config.site_origin().starts_with("https:")
}

fn trusted_host(headers: &HeaderMap) -> Option<&str> {
    header_str(headers, "x-forwarded-host")
        .or_else(|| header_str(headers, http::header::HOST.as_str()))
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|h| is_valid_host(h))
}

fn forwarded_https(headers: &HeaderMap) -> bool {
    header_str(headers, "x-forwarded-proto")
        .and_then(|v| v.split(',').next())
        .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

fn public_origin(config: &impl Site, headers: &HeaderMap) -> (String, bool) {
    if let Some(url) = config.url() {
        return (config.site_origin().to_owned(), url.scheme() == "https");
    }
    if config.trust_host() {
        if let Some(host) = trusted_host(headers) {
            let https = forwarded_https(headers);
            let scheme = if https { "https" } else { "http" };
            return (format!("{scheme}://{}", host.to_ascii_lowercase()), https);
        }
    }
    let https = config.site_origin().starts_with("https:");
    (config.site_origin().to_owned(), https)
}

/// A `Host` value we are willing to build URLs from: a name or address and an optional port.
fn is_valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_with_url_syntax_are_refused() {
        assert!(is_valid_host("example.com:3000"));
        assert!(is_valid_host("[::1]:3000"));
        for bad in [
            "",
            "evil.com/path",
            "a@b",
            "a b",
            "x\r\ny",
            "evil.com?",
            "e\\vil",
        ] {
            assert!(!is_valid_host(bad), "{bad:?}");
        }
    }
}
