//! Registration and the credentials provider, on SQLite and PostgreSQL: success, Auth.js's
//! error redirects, CSRF and Origin checks, open redirects, rate limits and malformed bodies.
#![allow(clippy::unwrap_used)]

use app::auth::ssr::config::RateLimits;
use http::{header, Method, StatusCode};

use crate::common::{self, config, Backend, TestApp};

const PASSWORD: &str = "correct horse battery";

async fn app_with_user(backend: &Backend) -> TestApp {
    let app = TestApp::with(backend, config()).await;
    let res = app
        .client()
        .register("Ada", "ada@example.com", PASSWORD)
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    app
}

async fn register_signs_the_user_in(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let mut client = app.client();
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/register",
            &[
                ("csrfToken", &csrf),
                ("name", " Ada Lovelace "),
                ("email", "Ada@Example.com"),
                ("password", PASSWORD),
                ("callbackUrl", "/protected"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/protected"));
    let session = client.session().await;
    assert_eq!(session["user"]["name"], "Ada Lovelace");
    assert_eq!(session["user"]["email"], "ada@example.com");

    // Stored: an argon2id hash, never the password.
    let (user, hash) = app
        .state
        .db
        .get_user_and_password_hash("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.name.as_deref(), Some("Ada Lovelace"));
    assert!(hash.starts_with("$argon2id$"));
    assert!(!hash.contains(PASSWORD));
}

async fn a_taken_email_is_refused_and_the_values_come_back(backend: Backend) {
    let app = app_with_user(&backend).await;
    let mut client = app.client();
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/register",
            &[
                ("csrfToken", &csrf),
                ("name", "Second Ada"),
                ("email", "ADA@example.com"),
                ("password", PASSWORD),
                ("callbackUrl", "/protected"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/register?error=EmailTaken&callbackUrl=%2Fprotected")
    );
    assert_eq!(client.get("/api/auth/session").await.body, "null");

    // Without JavaScript the page is rendered again with what was typed (not the password).
    let page = client.get_html(res.location().unwrap()).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("An account with this email address already exists"));
    assert!(page.body.contains(r#"value="Second Ada""#), "{}", page.body);
    assert!(page.body.contains(r#"value="ADA@example.com""#));
    assert!(!page.body.contains(PASSWORD));
    // Shown once only.
    let again = client.get_html("/register").await;
    assert!(!again.body.contains("Second Ada"));

    // With JavaScript: {url} with the error, nothing kept server-side.
    let res = client
        .post_json_redirect(
            "/api/register",
            &[
                ("csrfToken", &csrf),
                ("name", "A"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.json()["url"],
        "http://127.0.0.1:3000/register?error=EmailTaken"
    );
}

async fn invalid_registrations_get_a_clear_error(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let mut client = app.client();
    let csrf = client.csrf().await;
    let long_name = "x".repeat(101);
    let long_password = "p".repeat(129);
    for (name, email, password, error) in [
        ("Ada", "not-an-email", PASSWORD, "InvalidEmail"),
        ("Ada", "ada@example.com", "short", "WeakPassword"),
        (
            "Ada",
            "ada@example.com",
            long_password.as_str(),
            "WeakPassword",
        ),
        ("  ", "ada@example.com", PASSWORD, "InvalidName"),
        (
            long_name.as_str(),
            "ada@example.com",
            PASSWORD,
            "InvalidName",
        ),
    ] {
        let res = client
            .post_json_redirect(
                "/api/register",
                &[
                    ("csrfToken", &csrf),
                    ("name", name),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(
            res.json()["url"],
            format!("http://127.0.0.1:3000/register?error={error}"),
            "{name:?} {email:?}"
        );
    }
    assert!(app
        .state
        .db
        .get_user_by_email("ada@example.com")
        .await
        .unwrap()
        .is_none());
}

async fn sign_in_and_out_with_credentials(backend: Backend) {
    let app = app_with_user(&backend).await;
    let mut client = app.client();
    let res = client.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/"));
    assert_eq!(client.session().await["user"]["name"], "Ada");

    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/auth/signout",
            &[("csrfToken", &csrf), ("callbackUrl", "/bye")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/bye"));
    assert!(res
        .set_cookie("authjs.session-token")
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(client.get("/api/auth/session").await.body, "null");
}

async fn the_client_protocol_answers_with_urls(backend: Backend) {
    let app = app_with_user(&backend).await;
    let mut client = app.client();
    let csrf = client.csrf().await;
    let res = client
        .post_json_redirect(
            "/api/auth/callback/credentials",
            &[
                ("csrfToken", &csrf),
                ("email", "ada@example.com"),
                ("password", "wrong password"),
                ("callbackUrl", "/x"),
                ("json", "true"),
                ("redirect", "false"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.json()["url"],
        "http://127.0.0.1:3000/api/auth/signin?error=CredentialsSignin&code=credentials&callbackUrl=%2Fx"
    );
    let res = client
        .post_json_redirect(
            "/api/auth/callback/credentials",
            &[
                ("csrfToken", &csrf),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
                ("callbackUrl", "/x"),
            ],
        )
        .await;
    assert_eq!(
        res.json(),
        serde_json::json!({"url": "http://127.0.0.1:3000/x"})
    );
    assert!(res.set_cookie("authjs.session-token").is_some());
    let res = client
        .post_json_redirect(
            "/api/auth/signout",
            &[("csrfToken", &csrf), ("callbackUrl", "/")],
        )
        .await;
    assert_eq!(
        res.json(),
        serde_json::json!({"url": "http://127.0.0.1:3000/"})
    );
}

async fn wrong_password_and_unknown_user_look_the_same(backend: Backend) {
    let app = app_with_user(&backend).await;
    for (email, password) in [
        ("ada@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
        ("not an email", PASSWORD),
        ("ada@example.com", ""),
    ] {
        let mut client = app.client();
        let res = client.sign_in(email, password).await;
        assert_eq!(res.status, StatusCode::FOUND, "{email}");
        assert_eq!(
            res.location(),
            Some("http://127.0.0.1:3000/api/auth/signin?error=CredentialsSignin&code=credentials&callbackUrl=%2F"),
            "{email}"
        );
        assert!(client.session_cookie().is_none());
    }
}

async fn missing_forged_or_cross_origin_csrf_is_refused(backend: Backend) {
    let app = app_with_user(&backend).await;
    let login = |csrf: &str| {
        vec![
            ("csrfToken".to_owned(), csrf.to_owned()),
            ("email".to_owned(), "ada@example.com".to_owned()),
            ("password".to_owned(), PASSWORD.to_owned()),
        ]
    };
    let expect_missing_csrf = |res: &common::Res| {
        assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
        assert!(
            res.location()
                .unwrap()
                .starts_with("http://127.0.0.1:3000/api/auth/signin?error=MissingCSRF"),
            "{:?}",
            res.location()
        );
        assert!(res.set_cookie("authjs.session-token").is_none());
    };

    // No CSRF cookie at all.
    let mut client = app.client();
    let fields = login(&"a".repeat(64));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    expect_missing_csrf(
        &client
            .post_form("/api/auth/callback/credentials", &pairs)
            .await,
    );

    // A cookie, but the wrong field (or none).
    let mut client = app.client();
    let csrf = client.csrf().await;
    let mut wrong = csrf.clone();
    wrong.replace_range(0..1, if wrong.starts_with('a') { "b" } else { "a" });
    for token in [wrong.as_str(), ""] {
        let fields = login(token);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        expect_missing_csrf(
            &client
                .post_form("/api/auth/callback/credentials", &pairs)
                .await,
        );
    }
    let res = client
        .post_form(
            "/api/auth/callback/credentials",
            &[("email", "ada@example.com"), ("password", PASSWORD)],
        )
        .await;
    expect_missing_csrf(&res);

    // A forged cookie: token|hash that we did not sign.
    let mut client = app.client();
    let token = "c".repeat(64);
    client.jar.insert(
        "authjs.csrf-token".into(),
        format!("{token}%7C{}", "d".repeat(64)),
    );
    let fields = login(&token);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    expect_missing_csrf(
        &client
            .post_form("/api/auth/callback/credentials", &pairs)
            .await,
    );

    // Right token, foreign or opaque Origin.
    for origin in ["https://evil.example", "null", "http://127.0.0.1:3001"] {
        let mut client = app.client();
        let csrf = client.csrf().await;
        client.headers.push(("origin".into(), origin.into()));
        let fields = login(&csrf);
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        expect_missing_csrf(
            &client
                .post_form("/api/auth/callback/credentials", &pairs)
                .await,
        );
    }

    // Same origin is fine.
    let mut client = app.client();
    let csrf = client.csrf().await;
    client
        .headers
        .push(("origin".into(), "http://127.0.0.1:3000".into()));
    let fields = login(&csrf);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = client
        .post_form("/api/auth/callback/credentials", &pairs)
        .await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/"));

    // Sign-out and registration check CSRF too.
    let res = client
        .post_form("/api/auth/signout", &[("csrfToken", "nope")])
        .await;
    expect_missing_csrf(&res);
    assert_eq!(client.session().await["user"]["name"], "Ada");
    let res = client
        .post_form(
            "/api/register",
            &[
                ("name", "Eve"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    expect_missing_csrf(&res);
    assert!(app
        .state
        .db
        .get_user_by_email("eve@example.com")
        .await
        .unwrap()
        .is_none());
}

async fn callback_urls_never_leave_the_site(backend: Backend) {
    let app = app_with_user(&backend).await;
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
        "%2F%2Fevil.example",
        "https:evil.example",
        "http://127.0.0.1:3000@evil.example",
        "\t//evil.example",
        "/%2F%2Fevil.example",
        "///evil.example",
        "data:text/html,hi",
    ] {
        let mut client = app.client();
        let csrf = client.csrf().await;
        let res = client
            .post_form(
                "/api/auth/callback/credentials",
                &[
                    ("csrfToken", &csrf),
                    ("email", "ada@example.com"),
                    ("password", PASSWORD),
                    ("callbackUrl", evil),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FOUND, "{evil}");
        let location = url::Url::parse(res.location().unwrap()).unwrap();
        assert_eq!(
            location.origin().ascii_serialization(),
            "http://127.0.0.1:3000",
            "{evil} -> {location}"
        );
        assert!(!location.path().starts_with("//"), "{evil} -> {location}");
    }
}

async fn repeated_failures_are_rate_limited(backend: Backend) {
    let app = TestApp::with(
        &backend,
        config().rate_limits(RateLimits {
            per_account: 3,
            per_ip: 100,
            window: std::time::Duration::from_secs(600),
            ..RateLimits::default()
        }),
    )
    .await;
    app.client()
        .register("Ada", "ada@example.com", PASSWORD)
        .await;
    for _ in 0..3 {
        let res = app
            .client()
            .sign_in("ada@example.com", "wrong password")
            .await;
        assert!(res.location().unwrap().contains("code=credentials"));
    }
    // Now even the right password is refused for this account, with a distinct code.
    let mut client = app.client();
    let res = client.sign_in("ada@example.com", PASSWORD).await;
    assert!(
        res.location()
            .unwrap()
            .contains("error=CredentialsSignin&code=rate_limited"),
        "{:?}",
        res.location()
    );
    assert!(client.session_cookie().is_none());
}

async fn malformed_bodies_get_auth_errors_not_500s(backend: Backend) {
    let app = app_with_user(&backend).await;
    let mut client = app.client();
    let csrf = client.csrf().await;
    let many_fields = (0..5000)
        .map(|i| format!("f{i}=v"))
        .collect::<Vec<_>>()
        .join("&");
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        (
            "application/x-www-form-urlencoded",
            b"\xff\xfe\xfd=\x00\x01".to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            b"csrfToken[a][b]=1&email[]=x".to_vec(),
        ),
        ("application/x-www-form-urlencoded", b"%%%%&&&===".to_vec()),
        ("application/json", b"{not json".to_vec()),
        ("application/json", b"[1,2,3]".to_vec()),
        ("text/plain", b"hello".to_vec()),
        (
            "application/x-www-form-urlencoded",
            many_fields.into_bytes(),
        ),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\n\r\n--x--".to_vec(),
        ),
    ];
    for route in [
        "/api/auth/callback/credentials",
        "/api/auth/signout",
        "/api/register",
    ] {
        for (content_type, body) in &bodies {
            let res = client
                .raw(
                    Method::POST,
                    route,
                    &[(header::CONTENT_TYPE.as_str(), content_type)],
                    body.clone(),
                )
                .await;
            assert_eq!(
                res.status,
                StatusCode::FOUND,
                "{route} {content_type}: {}",
                res.body
            );
            assert!(
                res.location().unwrap().contains("error=MissingCSRF"),
                "{route}"
            );
        }
    }
    // A JSON body with the right token works (next-auth's `update` sends JSON).
    let body =
        serde_json::json!({"csrfToken": csrf, "email": "ada@example.com", "password": PASSWORD});
    let res = client
        .raw(
            Method::POST,
            "/api/auth/callback/credentials",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/"));

    // Oversized bodies are refused before they are read (413), or, streamed without a length,
    // cut off at the limit and treated as an empty form.
    let huge = vec![b'a'; server::BODY_LIMIT + 1];
    let length = huge.len().to_string();
    let res = client
        .raw(
            Method::POST,
            "/api/auth/callback/credentials",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("content-length", &length),
            ],
            huge.clone(),
        )
        .await;
    assert_eq!(res.status, StatusCode::PAYLOAD_TOO_LARGE);
    let res = client
        .raw(
            Method::POST,
            "/api/auth/callback/credentials",
            &[("content-type", "application/x-www-form-urlencoded")],
            huge,
        )
        .await;
    assert!(res.location().unwrap().contains("error=MissingCSRF"));
    // An overlong password is refused without hashing a megabyte.
    let long = "p".repeat(60_000);
    let res = client.sign_in("ada@example.com", &long).await;
    assert!(res.location().unwrap().contains("error=CredentialsSignin"));

    // And the server keeps serving.
    assert_eq!(
        client.get("/api/auth/providers").await.status,
        StatusCode::OK
    );
}

on_both_databases!(
    register_signs_the_user_in,
    a_taken_email_is_refused_and_the_values_come_back,
    invalid_registrations_get_a_clear_error,
    sign_in_and_out_with_credentials,
    the_client_protocol_answers_with_urls,
    wrong_password_and_unknown_user_look_the_same,
    missing_forged_or_cross_origin_csrf_is_refused,
    callback_urls_never_leave_the_site,
    repeated_failures_are_rate_limited,
    malformed_bodies_get_auth_errors_not_500s,
);
