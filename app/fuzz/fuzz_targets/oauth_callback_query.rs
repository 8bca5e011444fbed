//! The OAuth / OpenID Connect callback (`GET /api/auth/callback/<id>`).
//!
//! The input is split at its first 0xFF byte into a query string and a `Cookie` header value
//! (dropped when it is not a valid header value). For a generic OAuth 2 provider and a generic
//! OIDC provider (every endpoint on `http://127.0.0.1:1`, so nothing real is ever reached),
//! `signin::callback` with those parameters and cookies returns an error, never a session and
//! never a panic: no state, PKCE or nonce cookie can be forged without the secret. The cookies
//! it asks to set are only deletions of the check cookies.
#![no_main]

use std::sync::OnceLock;

use auth_core::{
    adapter::Db,
    auth::Auth,
    config::AuthConfig,
    flows::dispatch,
    protocol::form::FormFields,
    providers::{OAuthProvider, Provider},
    request::AuthRequest,
};
use http::{header, HeaderValue};
use libfuzzer_sys::fuzz_target;

const PROVIDERS: [&str; 2] = ["oauth", "oidc"];

struct Fixture {
    runtime: tokio::runtime::Runtime,
    auth: Auth,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        // Inside the runtime: the pool and the HTTP client may spawn tasks.
        let guard = runtime.enter();
        let db = runtime
            .block_on(Db::connect("sqlite::memory:"))
            .expect("an in-memory SQLite database");
        let oauth = OAuthProvider::oauth(
            "oauth",
            "Fuzz OAuth",
            "fuzz-client",
            "fuzz-client-secret",
            "http://127.0.0.1:1/auth",
            "http://127.0.0.1:1/token",
            "http://127.0.0.1:1/me",
        );
        let oidc = OAuthProvider::oidc(
            "oidc",
            "Fuzz OIDC",
            "http://127.0.0.1:1",
            "fuzz-client",
            "fuzz-client-secret",
        );
        let config = AuthConfig::builder()
            .secret("fuzz-secret-0123456789abcdef-0123456789")
            .provider(Provider::oauth(oauth))
            .provider(Provider::oauth(oidc))
            .trust_host(true)
            .allow_ephemeral_secret(false)
            .build()
            .expect("a valid configuration");
        let auth = Auth::new(config, db).expect("an Auth instance");
        drop(guard);
        Fixture { runtime, auth }
    })
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let (query, cookie) = match data.iter().position(|b| *b == 0xFF) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let params = FormFields::parse_urlencoded(query);
    for id in PROVIDERS {
        let mut request = http::Request::builder()
            .uri(format!("/api/auth/callback/{id}"))
            .header(header::HOST, "127.0.0.1:3000");
        if let Ok(value) = HeaderValue::from_bytes(cookie) {
            request = request.header(header::COOKIE, value);
        }
        let parts = request.body(()).expect("a request").into_parts().0;
        let req = AuthRequest::from_parts(fixture.auth.config(), &parts);
        let (result, cookies) =
            fixture
                .runtime
                .block_on(dispatch::callback(&fixture.auth, &req, id, &params));
        if let Ok(reply) = result {
            panic!("{id}: a forged callback was accepted: {reply:?}");
        }
        for set_cookie in &cookies {
            assert!(
                set_cookie.contains("Max-Age=0"),
                "{id}: the callback set a cookie: {set_cookie}"
            );
        }
    }
});
