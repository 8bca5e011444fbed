//! Another base path (Auth.js's `basePath`, here from `AUTH_URL`'s path) moves every auth route
//! and page for real: the server functions, the axum routes, the built-in pages, their forms and
//! links, and the path the browser's client reads from the page. Nothing answers at
//! `/api/auth` any more. A process of its own: the base path is one per process.
#![allow(clippy::unwrap_used)]

use crate::common::{
    self,
    process::{self, ServerProcess},
};

const BASE: &str = "/auth/v1";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_base_path_moves_every_route_and_page() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}/app.db?mode=rwc", dir.path().display());
    let server = ServerProcess::start_at(
        &[
            ("AUTH_SECRET", "base-path-test-secret-0123456789abcdef"),
            ("DATABASE_URL", &database),
        ],
        Some(BASE),
    )
    .await;
    let origin = server.base.clone();
    let auth = format!("{origin}{BASE}");
    let browser = common::http_client();

    // The built-in pages, their forms and the path handed to the browser.
    for page in ["signin", "signout", "verify-request"] {
        let res = browser.get(format!("{auth}/{page}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{page}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!(r#"<meta name="auth-base-path" content="{BASE}">"#)),
            "{page}: {html}"
        );
        assert!(
            !html.contains("/api/auth"),
            "{page} still names /api/auth: {html}"
        );
    }
    let sign_in = browser
        .get(format!("{auth}/signin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        sign_in.contains(&format!(r#"action="{BASE}/callback/credentials""#)),
        "{sign_in}"
    );
    let error = browser
        .get(format!("{auth}/error?error=Verification"))
        .send()
        .await
        .unwrap();
    assert_eq!(error.status(), 403);

    // The server functions and the axum routes, under the new path only.
    let providers: serde_json::Value = browser
        .get(format!("{auth}/providers"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        providers["credentials"]["callbackUrl"],
        format!("{auth}/callback/credentials")
    );
    assert_eq!(
        providers["credentials"]["signinUrl"],
        format!("{auth}/signin/credentials")
    );
    for old in [
        "csrf",
        "session",
        "providers",
        "signin",
        "callback/credentials",
    ] {
        let res = browser
            .get(format!("{origin}/api/auth/{old}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 404, "/api/auth/{old} still answers");
    }
    let unknown = browser.get(format!("{auth}/nothing")).send().await.unwrap();
    assert_eq!(
        unknown.status(),
        400,
        "Auth.js's UnknownAction under the new path"
    );

    // A whole credentials round: register (the starter's own route), sign out, sign in.
    let res = process::register_at(
        &browser,
        &origin,
        &auth,
        "base@example.com",
        "a long password 1",
    )
    .await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        process::session_at(&browser, &auth).await["user"]["email"],
        "base@example.com"
    );

    let token = process::csrf_at(&browser, &auth).await;
    let out = browser
        .post(format!("{auth}/signout"))
        .form(&[("csrfToken", token.as_str()), ("callbackUrl", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 302);
    assert!(process::session_at(&browser, &auth).await.is_null());

    let token = process::csrf_at(&browser, &auth).await;
    let signed_in = browser
        .post(format!("{auth}/callback/credentials"))
        .form(&[
            ("csrfToken", token.as_str()),
            ("email", "base@example.com"),
            ("password", "a long password 1"),
            ("callbackUrl", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 302);
    assert_eq!(
        signed_in.headers()["location"].to_str().unwrap(),
        format!("{origin}/account")
    );
    assert_eq!(
        process::session_at(&browser, &auth).await["user"]["email"],
        "base@example.com"
    );

    // A guarded page sends a visitor to the sign-in page under the new path.
    let visitor = common::http_client();
    let guarded = visitor
        .get(format!("{origin}/protected"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(guarded.status(), 302);
    assert!(
        guarded.headers()["location"]
            .to_str()
            .unwrap()
            .contains(&format!("{BASE}/signin?callbackUrl=")),
        "{:?}",
        guarded.headers()["location"]
    );
}
