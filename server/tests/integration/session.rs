//! `GET /api/auth/session`, `/csrf`, `/providers`: shapes, cookies, and the JWT strategy's
//! checks (tampered, expired, foreign and garbage tokens; rotation; sliding expiry; chunking).
#![allow(clippy::unwrap_used)]

use app::auth::ssr::{jwt::KeySet, secret::Secret};
use http::{header, Method, StatusCode};
use serde_json::json;

use crate::common::{self, config, TestApp, SECRET};

fn keys(secret: &str) -> KeySet {
    KeySet::derive(&[Secret::new(secret.to_owned())], "authjs.session-token")
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[tokio::test]
async fn session_without_cookie_is_null_and_never_cached() {
    let app = TestApp::new().await;
    let res = app.client().get("/api/auth/session").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, "null");
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(
        res.header("cache-control"),
        Some("private, no-cache, no-store")
    );
    assert!(res.set_cookies().is_empty());
}

#[tokio::test]
async fn csrf_returns_a_token_and_its_hashed_cookie_once() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let res = client.get("/api/auth/csrf").await;
    let token = res.json()["csrfToken"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64);
    assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
    let cookie = res.set_cookie("authjs.csrf-token").unwrap();
    assert!(cookie.starts_with(&format!("authjs.csrf-token={token}%7C")));
    assert!(cookie.contains("Path=/; HttpOnly; SameSite=Lax"));
    assert!(!cookie.contains("Secure"));

    // The same token comes back while the cookie is valid, without a new cookie.
    let again = client.get("/api/auth/csrf").await;
    assert_eq!(again.json()["csrfToken"], token.as_str());
    assert!(again.set_cookie("authjs.csrf-token").is_none());
}

#[tokio::test]
async fn a_forged_csrf_cookie_is_replaced() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let forged = format!("{}%7C{}", "a".repeat(64), "b".repeat(64));
    client.jar.insert("authjs.csrf-token".into(), forged);
    let res = client.get("/api/auth/csrf").await;
    assert_ne!(res.json()["csrfToken"], "a".repeat(64));
    assert!(res.set_cookie("authjs.csrf-token").is_some());
}

#[tokio::test]
async fn providers_lists_credentials_with_absolute_urls() {
    let app = TestApp::new().await;
    let res = app.client().get("/api/auth/providers").await;
    assert_eq!(
        res.json(),
        json!({"credentials": {
            "id": "credentials", "name": "Credentials", "type": "credentials",
            "signinUrl": "http://127.0.0.1:3000/api/auth/signin/credentials",
            "callbackUrl": "http://127.0.0.1:3000/api/auth/callback/credentials"
        }})
    );
}

#[tokio::test]
async fn a_signed_in_session_has_the_auth_js_shape_and_slides() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse")
        .await;
    let first_cookie = client.session_cookie().unwrap().clone();

    let res = client.get("/api/auth/session").await;
    let body = res.json();
    assert_eq!(
        body["user"],
        json!({"name": "Ada", "email": "ada@example.com"})
    );
    let expires = time::OffsetDateTime::parse(
        body["expires"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let in_30_days = time::OffsetDateTime::now_utc() + time::Duration::days(30);
    assert!((expires - in_30_days).abs() < time::Duration::seconds(5));

    // Sliding expiry: a new token with a fresh exp every time.
    let set = res.set_cookie("authjs.session-token").unwrap();
    assert!(set.contains("Path=/;") && set.contains("HttpOnly") && set.contains("SameSite=Lax"));
    assert!(set.contains("Expires="));
    assert_ne!(client.session_cookie().unwrap(), &first_cookie);
    let claims: serde_json::Value = keys(SECRET)
        .decode(client.session_cookie().unwrap(), now())
        .unwrap();
    assert_eq!(claims["name"], "Ada");
    assert!(claims["sub"].as_str().unwrap().parse::<i32>().is_ok());
    assert!((claims["exp"].as_i64().unwrap() - (now() + 30 * 86400)).abs() < 5);
    assert!(claims["jti"].is_string() && claims["iat"].is_i64());
}

#[tokio::test]
async fn tampered_expired_and_foreign_tokens_are_no_session_and_get_cleared() {
    let app = TestApp::new().await;
    let valid = keys(SECRET)
        .encode(&json!({"name": "Ada", "sub": "1", "exp": now() + 3600}))
        .unwrap();
    let mut tampered: Vec<char> = valid.chars().collect();
    let i = tampered.len() - 60;
    tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    let expired = keys(SECRET)
        .encode(&json!({"name": "Ada", "sub": "1", "exp": now() - 60}))
        .unwrap();
    let foreign = keys("another-secret-0123456789abcdef")
        .encode(&json!({"name": "Eve", "sub": "1", "exp": now() + 3600}))
        .unwrap();
    let oversized = "a".repeat(100_000);

    for (label, token) in [
        ("tampered", tampered.as_str()),
        ("expired", expired.as_str()),
        ("other secret", foreign.as_str()),
        ("garbage", "not-a-jwe"),
        ("five dots", "....."),
        ("oversized", oversized.as_str()),
        ("percent junk", "%00%ff%fe"),
    ] {
        let mut client = app.client();
        client
            .jar
            .insert("authjs.session-token".into(), token.to_owned());
        let res = client.get("/api/auth/session").await;
        assert_eq!(res.status, StatusCode::OK, "{label}");
        assert_eq!(res.body, "null", "{label}");
        let cleared = res.set_cookie("authjs.session-token").unwrap();
        assert!(cleared.contains("Max-Age=0"), "{label}: {cleared}");
    }

    // Still serving, and the valid token still works.
    let mut client = app.client();
    client.jar.insert("authjs.session-token".into(), valid);
    assert_eq!(client.session().await["user"]["name"], "Ada");
}

#[tokio::test]
async fn an_expired_token_within_the_clock_skew_still_works() {
    let app = TestApp::new().await;
    let token = keys(SECRET)
        .encode(&json!({"name": "Ada", "sub": "1", "exp": now() - 5}))
        .unwrap();
    let mut client = app.client();
    client.jar.insert("authjs.session-token".into(), token);
    assert_eq!(client.session().await["user"]["name"], "Ada");
}

#[tokio::test]
async fn secret_rotation_reads_old_tokens_and_reissues_with_the_new_secret() {
    let old = "old-secret-0123456789abcdef0123456789";
    let new = "new-secret-0123456789abcdef0123456789";
    let app = TestApp::with(
        &common::Backend::Sqlite,
        app::auth::ssr::AuthConfig::builder()
            .secret(new)
            .secret(old)
            .provider(app::auth::ssr::Provider::credentials())
            .trust_host(true),
    )
    .await;
    let token = keys(old)
        .encode(&json!({"name": "Ada", "sub": "1", "exp": now() + 3600}))
        .unwrap();
    let mut client = app.client();
    client.jar.insert("authjs.session-token".into(), token);
    assert_eq!(client.session().await["user"]["name"], "Ada");
    let reissued = client.session_cookie().unwrap();
    assert!(keys(new)
        .decode::<serde_json::Value>(reissued, now())
        .is_ok());
    assert!(keys(old)
        .decode::<serde_json::Value>(reissued, now())
        .is_err());
}

#[tokio::test]
async fn long_tokens_are_chunked_and_read_back() {
    let app = TestApp::new().await;
    let long_name = "N".repeat(6000);
    let token = keys(SECRET)
        .encode(&json!({"name": long_name, "sub": "1", "exp": now() + 3600}))
        .unwrap();
    assert!(token.len() > 3936);
    let (a, b) = token.split_at(3936);
    let mut client = app.client();
    client
        .jar
        .insert("authjs.session-token.0".into(), a.to_owned());
    client
        .jar
        .insert("authjs.session-token.1".into(), b.to_owned());
    let res = client.get("/api/auth/session").await;
    assert_eq!(res.json()["user"]["name"], long_name.as_str());
    let chunks: Vec<String> = res
        .set_cookies()
        .into_iter()
        .filter(|c| c.starts_with("authjs.session-token"))
        .collect();
    assert!(chunks
        .iter()
        .any(|c| c.starts_with("authjs.session-token.0=")));
    assert!(chunks
        .iter()
        .any(|c| c.starts_with("authjs.session-token.1=")));
    assert!(chunks
        .iter()
        .all(|c| !c.starts_with("authjs.session-token=")));
}

#[tokio::test]
async fn a_short_token_clears_stale_chunks() {
    let app = TestApp::new().await;
    let token = keys(SECRET)
        .encode(&json!({"name": "Ada", "sub": "1", "exp": now() + 3600}))
        .unwrap();
    let mut client = app.client();
    client.jar.insert("authjs.session-token".into(), token);
    client
        .jar
        .insert("authjs.session-token.3".into(), "stale".into());
    let res = client.get("/api/auth/session").await;
    assert_eq!(res.json()["user"]["name"], "Ada");
    let stale = res.set_cookie("authjs.session-token.3").unwrap();
    assert!(stale.contains("Max-Age=0"));
}

#[tokio::test]
async fn https_origins_get_secure_prefixed_cookies() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client
        .headers
        .push(("x-forwarded-proto".into(), "https".into()));
    let res = client.get("/api/auth/csrf").await;
    let cookie = res.set_cookie("__Host-authjs.csrf-token").unwrap();
    assert!(cookie.ends_with("; Secure"));
    let providers = client.get("/api/auth/providers").await.json();
    assert_eq!(
        providers["credentials"]["signinUrl"],
        "https://127.0.0.1:3000/api/auth/signin/credentials"
    );

    // A token under the plain name is not read over https.
    let token = keys(SECRET)
        .encode(&json!({"name": "Ada", "sub": "1", "exp": now() + 3600}))
        .unwrap();
    client
        .jar
        .insert("authjs.session-token".into(), token.clone());
    assert_eq!(client.get("/api/auth/session").await.body, "null");
    let secure_token = KeySet::derive(
        &[Secret::new(SECRET.into())],
        "__Secure-authjs.session-token",
    )
    .encode(&json!({"name": "Ada", "sub": "1", "exp": now() + 3600}))
    .unwrap();
    client
        .jar
        .insert("__Secure-authjs.session-token".into(), secure_token);
    let res = client.get("/api/auth/session").await;
    assert_eq!(res.json()["user"]["name"], "Ada");
    assert!(res
        .set_cookie("__Secure-authjs.session-token")
        .unwrap()
        .ends_with("; Secure"));
}

#[tokio::test]
async fn an_untrusted_host_cannot_steer_urls() {
    let app = TestApp::with(&common::Backend::Sqlite, config().trust_host(false)).await;
    let mut client = app.client();
    client.headers.push(("host".into(), "evil.example".into()));
    client
        .headers
        .push(("x-forwarded-host".into(), "evil.example".into()));
    let providers = client.get("/api/auth/providers").await.json();
    assert_eq!(
        providers["credentials"]["signinUrl"],
        "http://127.0.0.1:3000/api/auth/signin/credentials"
    );
}

#[tokio::test]
async fn query_strings_never_break_the_get_routes() {
    let app = TestApp::new().await;
    let mut client = app.client();
    for uri in [
        "/api/auth/session?a[b]]=1&&=",
        "/api/auth/csrf?%ff%fe=%00",
        "/api/auth/providers?x=1&x=2",
    ] {
        let res = client.get(uri).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}: {}", res.body);
    }
}

#[tokio::test]
async fn a_browser_opening_the_session_route_gets_json_not_a_redirect() {
    let app = TestApp::new().await;
    let res = app.client().get_html("/api/auth/session").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, "null");
    assert!(res.location().is_none());
}

#[tokio::test]
async fn unknown_actions_are_400_and_wrong_methods_are_4xx() {
    let app = TestApp::new().await;
    let mut client = app.client();
    let res = client.get("/api/auth/does-not-exist").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(res.json()["error"], "UnknownAction");
    let res = client
        .raw(Method::DELETE, "/api/auth/session", &[], Vec::new())
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
    let res = client
        .raw(
            Method::GET,
            "/api/auth/callback/credentials",
            &[(header::ACCEPT.as_str(), "text/html")],
            Vec::new(),
        )
        .await;
    assert!(res.status.is_client_error(), "{}", res.status);
}
