//! Auth.js's names, written once: the base path, the form fields and headers its clients send,
//! and the cookie names. Error codes are [`AuthErrorCode`](super::wire::AuthErrorCode).
//!
//! Compiled on both sides (the browser's client builds URLs and forms from these too).

/// Where the auth routes live, as in Auth.js (`basePath`).
pub const BASE_PATH: &str = "/api/auth";

/// The form field (and JSON key) that carries the CSRF token.
pub const CSRF_TOKEN: &str = "csrfToken";

/// The form field and query parameter naming where to go after a flow.
pub const CALLBACK_URL: &str = "callbackUrl";

/// The header `next-auth/react` sends to get `{url}` instead of a 302.
pub const RETURN_REDIRECT_HEADER: &str = "x-auth-return-redirect";

/// The names of the cookies Auth.js sets, for plain http or for https.
#[derive(Debug, Clone, Copy)]
pub struct CookieNames {
    /// `authjs.session-token`
    pub session_token: &'static str,
    /// `authjs.callback-url`
    pub callback_url: &'static str,
    /// `authjs.csrf-token`
    pub csrf_token: &'static str,
    /// `authjs.pkce.code_verifier`
    pub pkce_code_verifier: &'static str,
    /// `authjs.state`
    pub state: &'static str,
    /// `authjs.nonce`
    pub nonce: &'static str,
}

/// Names over plain http.
pub const PLAIN: CookieNames = CookieNames {
    session_token: "authjs.session-token",
    callback_url: "authjs.callback-url",
    csrf_token: "authjs.csrf-token",
    pkce_code_verifier: "authjs.pkce.code_verifier",
    state: "authjs.state",
    nonce: "authjs.nonce",
};

/// Names over https. The CSRF cookie and the OAuth check cookies are `__Host-` (Auth.js uses
/// `__Secure-` for the check cookies): a `__Host-` cookie can only be set by this host, with
/// `Path=/` and no `Domain`, so a sibling subdomain cannot plant one in the browser.
pub const SECURE: CookieNames = CookieNames {
    session_token: "__Secure-authjs.session-token",
    callback_url: "__Secure-authjs.callback-url",
    csrf_token: "__Host-authjs.csrf-token",
    pkce_code_verifier: "__Host-authjs.pkce.code_verifier",
    state: "__Host-authjs.state",
    nonce: "__Host-authjs.nonce",
};

/// The names for a request served over https (`secure`) or not.
pub fn names(secure: bool) -> &'static CookieNames {
    if secure {
        &SECURE
    } else {
        &PLAIN
    }
}
