//! Server-rendered pages: the session is in the first HTML, the guard redirects, the built-in
//! pages have Auth.js's statuses, and query values are never echoed unchecked.
#![allow(clippy::unwrap_used)]

use http::StatusCode;

use crate::common::TestApp;

#[tokio::test]
async fn the_first_html_already_knows_the_user() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let page = client.get_html("/").await;
    assert!(page.body.contains("You are not signed in."));
    client
        .register("Ada Lovelace", "ada@example.com", "correct horse battery")
        .await;
    let page = client.get_html("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Signed in as <strong>Ada Lovelace"),
        "{}",
        page.body
    );
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    // The session is in the page for the islands and the page script, so the browser does
    // not fetch it again: one JSON script, with the session and the page's CSRF token.
    let script = page
        .body
        .split_once(r#"<script type="application/json" id="auth-session""#)
        .and_then(|(_, rest)| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</script>"))
        .map(|(json, _)| json)
        .expect("the session script");
    let embedded: serde_json::Value = serde_json::from_str(script).unwrap();
    assert_eq!(embedded["session"]["user"]["name"], "Ada Lovelace");
    assert_eq!(embedded["session"]["user"]["email"], "ada@example.com");
    assert!(embedded["csrfToken"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    // The page script is loaded, told where the islands' wasm is.
    assert!(page.body.contains(r#"src="/enhance.js""#));
    assert!(page.body.contains("data-wasm=\"/pkg/"));
    // Rendering a page renews the session cookie too (sliding expiry without JavaScript).
    assert!(page.set_cookie("authjs.session-token").is_some());
}

#[tokio::test]
async fn protected_pages_redirect_to_sign_in_and_back() {
    let app = TestApp::new().await;
    let mut client = app.client();
    for accept in ["text/html", "*/*"] {
        let res = client
            .raw(
                http::Method::GET,
                "/protected?tab=1",
                &[("accept", accept)],
                Vec::new(),
            )
            .await;
        assert_eq!(res.status, StatusCode::FOUND, "{accept}");
        assert_eq!(
            res.location(),
            Some("/api/auth/signin?callbackUrl=%2Fprotected%3Ftab%3D1")
        );
    }
    let sign_in = client
        .get_html("/api/auth/signin?callbackUrl=%2Fprotected")
        .await;
    assert!(
        sign_in
            .body
            .contains(r#"name="callbackUrl" value="/protected""#),
        "{}",
        sign_in.body
    );

    client
        .register("Ada", "ada@example.com", "correct horse battery")
        .await;
    let page = client.get_html("/protected").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Protected page"));
    assert!(page.body.contains("ada@example.com"));
}

#[tokio::test]
async fn the_sign_in_page_lists_providers_and_carries_a_csrf_token() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let page = client.get_html("/api/auth/signin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains(r#"action="/api/auth/callback/credentials""#));
    assert!(
        page.body.contains("Sign in with <!>Credentials")
            || page.body.contains("Sign in with Credentials")
    );
    let csrf = page.set_cookie("authjs.csrf-token").unwrap();
    let token = csrf
        .trim_start_matches("authjs.csrf-token=")
        .split("%7C")
        .next()
        .unwrap();
    // The page carries the cookie's token masked (a fresh pad per page, against BREACH), never
    // bare; it stands for the cookie's token, so the form posts work without JS.
    let field = r#"name="csrfToken" value=""#;
    let start = page.body.find(field).unwrap() + field.len();
    let page_token = page.body[start..].split('"').next().unwrap();
    assert_eq!(page_token.len(), 128, "{page_token}");
    assert!(!page.body.contains(token));
    let res = client
        .post_form(
            "/api/auth/callback/credentials",
            &[
                ("csrfToken", page_token),
                ("email", "x@example.com"),
                ("password", "whatever"),
            ],
        )
        .await;
    assert!(res.location().unwrap().contains("error=CredentialsSignin"));
}

#[tokio::test]
async fn query_values_are_never_echoed_unchecked() {
    let app = TestApp::new().await;
    let mut client = app.client();
    for (uri, forbidden) in [
        (
            "/api/auth/signin?callbackUrl=javascript:alert(1)",
            "javascript:",
        ),
        (
            "/api/auth/signin?callbackUrl=%2F%2Fevil.example",
            "evil.example",
        ),
        (
            "/api/auth/signin?callbackUrl=https://evil.example/x",
            "evil.example",
        ),
        (
            "/api/auth/signin?error=%3Cscript%3Ealert(1)%3C/script%3E",
            "<script>alert",
        ),
        ("/api/auth/error?error=%3Cimg%20src=x%3E", "<img"),
        (
            "/register?error=%3Cb%3Ex&callbackUrl=//evil.example",
            "evil.example",
        ),
        (
            "/api/auth/signout?callbackUrl=https://evil.example",
            "evil.example",
        ),
    ] {
        let page = client.get_html(uri).await;
        assert!(page.status.is_success(), "{uri}: {}", page.status);
        assert!(!page.body.contains(forbidden), "{uri} echoed {forbidden}");
    }
    let page = client
        .get_html("/api/auth/error?error=%3Cimg%20src=x%3E")
        .await;
    assert!(page.body.contains("Unable to sign in."));
}

#[tokio::test]
async fn error_page_statuses_follow_auth_js() {
    let app = TestApp::new().await;
    let mut client = app.client();
    for (code, status, text) in [
        (
            "Configuration",
            500,
            "problem with the server configuration",
        ),
        (
            "AccessDenied",
            403,
            "You do not have permission to sign in.",
        ),
        ("Verification", 403, "no longer valid"),
        (
            "OAuthSignin",
            200,
            "Try signing in with a different account.",
        ),
        ("Default", 200, "Unable to sign in."),
    ] {
        let page = client
            .get_html(&format!("/api/auth/error?error={code}"))
            .await;
        assert_eq!(page.status.as_u16(), status, "{code}");
        assert!(page.body.contains(text), "{code}");
    }
    let page = client
        .get_html("/api/auth/signin?error=CredentialsSignin&code=credentials")
        .await;
    assert!(page
        .body
        .contains("Sign in failed. Check the details you provided are correct."));
    let page = client.get_html("/api/auth/signin?error=MissingCSRF").await;
    assert!(page.body.contains("The form expired. Please try again."));
}

#[tokio::test]
async fn sign_out_and_verify_request_pages_render() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let page = client.get_html("/api/auth/signout").await;
    assert!(page.body.contains("Are you sure you want to sign out?"));
    assert!(page.body.contains(r#"action="/api/auth/signout""#));
    let page = client.get_html("/api/auth/verify-request").await;
    assert!(page.body.contains("Check your email"));
    let page = client.get_html("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn garbage_cookies_on_pages_are_harmless() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client.jar.insert(
        "authjs.session-token".into(),
        "\u{1}garbage".replace('\u{1}', "x"),
    );
    client
        .jar
        .insert("authjs.csrf-token".into(), "%7C%7C%7C".into());
    client
        .jar
        .insert("leptos-auth.flow".into(), "not-a-session-id".into());
    let page = client.get_html("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("You are not signed in."));
    assert!(page
        .set_cookie("authjs.session-token")
        .unwrap()
        .contains("Max-Age=0"));
}

/// Building a router lists the app's routes, and Leptos lists them with resource loading
/// switched off process-wide; a page whose `<Suspense>` started meanwhile used to wait forever
/// (leptos#4773). Routers built while pages render must not stall them.
#[tokio::test]
async fn building_routers_never_stalls_a_page_rendering_meanwhile() {
    let app = TestApp::new().await;
    let state = app.state.clone();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let builder = std::thread::spawn({
        let done = done.clone();
        move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let _entered = runtime.enter();
            for _ in 0..300 {
                drop(server::router(state.clone()));
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let mut client = app.client();
    let mut renders = 0;
    while !done.load(std::sync::atomic::Ordering::SeqCst) || renders < 20 {
        // The sign-in page awaits a resource (the provider list) in a `<Suspense>`; the
        // client fails the test if a response takes longer than its limit.
        let page = client.get_html("/api/auth/signin").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("/api/auth/callback/credentials"));
        renders += 1;
    }
    builder.join().unwrap();
}
