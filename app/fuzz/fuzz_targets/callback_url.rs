//! `callbackUrl` validation: `redirect::resolve` and the pages' `local_callback`.
//!
//! For any input (read as UTF-8, invalid bytes replaced) as the requested `callbackUrl` of a
//! request to `http://127.0.0.1:3000`, with `spa=http://127.0.0.1:3300` as a listed client,
//! `resolve` returns an absolute URL on one of those two origins and nothing else: no other
//! host, scheme or port, no user info, no control character, no path a browser could read as
//! protocol-relative; the path the sign-in page gets back from it (`strip_origin`) is local.
//! `local_callback` and `to_local` return only a path that starts with a single `/` (not `//`
//! or `/\`), holds no backslash or control character, and stays on the origin it is joined to.
#![no_main]

use std::sync::OnceLock;

use auth_core::{
    adapter::Db,
    auth::Auth,
    config::{AuthConfig, ClientOrigin},
    protocol::redirect::{local_callback, strip_origin, to_local},
    redirect,
    request::AuthRequest,
};
use libfuzzer_sys::fuzz_target;
use url::Url;

const ORIGIN: &str = "http://127.0.0.1:3000";
const CLIENT: &str = "http://127.0.0.1:3300";

struct Fixture {
    // Keeps the database pool's tasks alive.
    _runtime: tokio::runtime::Runtime,
    auth: Auth,
    req: AuthRequest,
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
        let config = AuthConfig::builder()
            .secret("fuzz-secret-0123456789abcdef-0123456789")
            .trust_host(true)
            .allow_ephemeral_secret(false)
            .client_origin(ClientOrigin::parse(&format!("spa={CLIENT}")).expect("a client origin"))
            .build()
            .expect("a valid configuration");
        let auth = Auth::new(config, db).expect("an Auth instance");
        let parts = http::Request::builder()
            .uri("/api/auth/signin")
            .header("host", "127.0.0.1:3000")
            .body(())
            .expect("a request")
            .into_parts()
            .0;
        let req = AuthRequest::from_parts(auth.config(), &parts);
        assert_eq!(req.origin, ORIGIN);
        drop(guard);
        Fixture {
            _runtime: runtime,
            auth,
            req,
        }
    })
}

fn assert_on_site(input: &str, resolved: &str) {
    let url = Url::parse(resolved)
        .unwrap_or_else(|e| panic!("{input:?} resolved to {resolved:?}, not a URL: {e}"));
    let origin = url.origin().ascii_serialization();
    assert!(
        origin == ORIGIN || origin == CLIENT,
        "{input:?} resolved to {resolved:?}, off site ({origin})"
    );
    assert!(
        resolved.starts_with(&format!("{origin}/")),
        "{input:?} resolved to {resolved:?}, which does not start with {origin}/"
    );
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{resolved:?}: user info"
    );
    assert!(
        !url.path().starts_with("//"),
        "{resolved:?}: protocol-relative path"
    );
    assert!(
        !resolved.chars().any(char::is_control),
        "{resolved:?}: control character"
    );
}

/// A local path: one leading `/` (not `//` or `/\`), no control character, on the origin once
/// joined to it. `strict`: no backslash anywhere either (what `local_callback` promises; a
/// validated URL's path can keep one in its query).
fn assert_local(input: &str, path: &str, strict: bool) {
    assert!(
        path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\"),
        "{input:?} gave {path:?}, not a local path"
    );
    assert!(
        !path
            .chars()
            .any(|c| (strict && c == '\\') || c.is_control()),
        "{input:?} gave {path:?}: backslash or control character"
    );
    let base = Url::parse(ORIGIN).expect("the origin is a URL");
    let joined = base
        .join(path)
        .unwrap_or_else(|e| panic!("{input:?} gave {path:?}, which does not join: {e}"));
    assert_eq!(
        joined.origin().ascii_serialization(),
        ORIGIN,
        "{input:?} gave {path:?}, which leaves the origin: {joined}"
    );
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let input = String::from_utf8_lossy(data);

    let resolved = redirect::resolve(&fixture.auth, &fixture.req, Some(&input));
    assert_on_site(&input, &resolved);
    // What the sign-in page is given back as its `callbackUrl` (redirect::to_error_page).
    if let Some(path) = strip_origin(&resolved, ORIGIN) {
        assert_local(&input, path, false);
    }

    if let Some(path) = local_callback(&input) {
        assert_local(&input, &path, true);
    }
    if let Some(path) = to_local(&input, Some(ORIGIN)) {
        assert_local(&input, &path, true);
    }
});
