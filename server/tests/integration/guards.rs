//! Pages are guarded on every path (issue 11): a variant of a path is redirected to its one
//! spelling before anything routes it, so the `authorized` guard cannot be walked around; the
//! fallback (the 404 page) runs the page middleware too; and every response carries the
//! security headers (anti-framing, nosniff, referrer policy, HSTS over https, no-store pages).
#![allow(clippy::unwrap_used)]

use app::pages::hooks::StarterCallbacks;
use http::StatusCode;

use crate::common::{config, Backend, TestApp};

const PASSWORD: &str = "correct horse battery";

const VARIANTS: [&str; 12] = [
    "/admin/",
    "//admin",
    "/admin//",
    "/./admin",
    "/x/../admin",
    "/x/%2e%2e/admin",
    "/%61dmin",
    "/adm%69n",
    "/%2E%2E/admin",
    "/protected/../admin",
    "/admin/.",
    "///admin///",
];

#[tokio::test]
async fn path_variants_are_redirected_to_the_one_the_guard_sees() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().callbacks(StarterCallbacks::default()),
    )
    .await;
    let mut user = app.client();
    user.register("Ada", "ada@example.com", PASSWORD).await;
    for variant in VARIANTS {
        for (who, client) in [("visitor", &mut app.client()), ("user", &mut user.clone())] {
            let res = client.get_html(&format!("{variant}?x=1")).await;
            assert_eq!(
                res.status,
                StatusCode::PERMANENT_REDIRECT,
                "{who} {variant}: {}",
                res.status
            );
            assert_eq!(res.location(), Some("/admin?x=1"), "{who} {variant}");
            assert!(!res.body.contains("Only the admin role"), "{who} {variant}");
        }
    }
    // The canonical path is guarded: sign in first, and a non-admin gets a 403.
    let res = app.client().get_html("/admin").await;
    assert_eq!(res.status, StatusCode::FOUND);
    let res = user.get_html("/admin").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(!res.body.contains("Only the admin role"));
    // POSTs are redirected with their method kept (308), never run on the variant.
    let res = user
        .post_form("/api/auth//signout", &[("csrfToken", "x")])
        .await;
    assert_eq!(res.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.location(), Some("/api/auth/signout"));
}

#[tokio::test]
async fn odd_paths_the_router_does_not_know_never_render_a_guarded_page() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().callbacks(StarterCallbacks::default()),
    )
    .await;
    let mut user = app.client();
    user.register("Ada", "ada@example.com", PASSWORD).await;
    for odd in [
        "/ADMIN",
        "/admin%2F",
        "/admin%00",
        "/admin;x",
        "/Admin",
        "/admin%20",
    ] {
        let res = user.get_html(odd).await;
        assert!(
            !res.body.contains("Only the admin role"),
            "{odd}: {} {}",
            res.status,
            res.body
        );
        assert_ne!(res.status, StatusCode::OK, "{odd}");
    }
    // The 404 page still knows the visitor (the page middleware runs on the fallback).
    let res = user.get_html("/no/such/page").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(
        res.body.contains("Signed in as <strong>Ada"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn every_page_gets_the_security_headers() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().callbacks(StarterCallbacks::default()),
    )
    .await;
    let mut user = app.client();
    user.register("Ada", "ada@example.com", PASSWORD).await;
    for (path, status) in [
        ("/", StatusCode::OK),
        ("/api/auth/signin", StatusCode::OK),
        (
            "/api/auth/error?error=Configuration",
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        ("/account", StatusCode::OK),
        ("/admin", StatusCode::FORBIDDEN),
        ("/no/such/page", StatusCode::NOT_FOUND),
    ] {
        let res = user.get_html(path).await;
        assert_eq!(res.status, status, "{path}");
        assert_eq!(res.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            res.header("content-security-policy"),
            Some("frame-ancestors 'none'"),
            "{path}"
        );
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(res.header("referrer-policy"), Some("same-origin"), "{path}");
        assert_eq!(
            res.header("cache-control"),
            Some("private, no-store"),
            "{path}"
        );
        assert!(
            res.header("strict-transport-security").is_none(),
            "{path}: http"
        );
    }
    // JSON answers get nosniff and anti-framing too.
    let res = user.get("/api/auth/session").await;
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("x-frame-options"), Some("DENY"));

    // Over https: HSTS.
    let https = TestApp::with(
        &Backend::Sqlite,
        config().url("https://example.com").unwrap(),
    )
    .await;
    let res = https.client().get_html("/api/auth/signin").await;
    assert_eq!(
        res.header("strict-transport-security"),
        Some("max-age=31536000")
    );
}
