//! Byte compatibility with the real `@auth/core` (what NextAuth v5 runs): a session token it
//! mints signs the user in here, and the cookie this app sets decodes with its `decode`.
//! Needs Node.js and the root `node_modules` (`scripts/setup` installs both).
#![allow(clippy::unwrap_used)]

use std::{path::PathBuf, process::Command};

use crate::common::{TestApp, SECRET};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../app/tests/fixtures/authjs.mjs")
}

fn node(args: &[&str]) -> String {
    let output = Command::new("node")
        .arg(fixture())
        .args(args)
        .output()
        .expect("node must be installed (scripts/setup)");
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn a_token_minted_by_auth_core_signs_the_user_in() {
    let token = node(&[
        "encode",
        SECRET,
        "authjs.session-token",
        r#"{"name":"Grace","email":"grace@example.com","picture":"https://example.com/g.png","sub":"42","role":"admin"}"#,
    ]);
    let app = TestApp::new().await;
    let mut client = app.client();
    client.jar.insert("authjs.session-token".into(), token);
    let session = client.session().await;
    assert_eq!(
        session["user"],
        serde_json::json!({"name": "Grace", "email": "grace@example.com", "image": "https://example.com/g.png"})
    );

    // The re-issued cookie keeps the claims @auth/core put in, and @auth/core reads it back.
    let reissued = client.session_cookie().unwrap().clone();
    let decoded: serde_json::Value = serde_json::from_str(&node(&[
        "decode",
        SECRET,
        "authjs.session-token",
        &reissued,
    ]))
    .unwrap();
    assert_eq!(decoded["sub"], "42");
    assert_eq!(decoded["role"], "admin");
}

#[tokio::test]
async fn the_cookie_this_app_sets_decodes_with_auth_core() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse battery")
        .await;
    let cookie = client.session_cookie().unwrap().clone();
    let decoded: serde_json::Value =
        serde_json::from_str(&node(&["decode", SECRET, "authjs.session-token", &cookie])).unwrap();
    assert_eq!(decoded["name"], "Ada");
    assert_eq!(decoded["email"], "ada@example.com");
    assert!(decoded["sub"].as_str().unwrap().parse::<i32>().is_ok());
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((decoded["exp"].as_i64().unwrap() - (now + 30 * 86400)).abs() < 10);
    assert!(decoded["jti"].is_string());

    // With another secret @auth/core refuses it, as we refuse its tokens.
    let foreign = node(&[
        "decode",
        "some-other-secret-0123456789abc",
        "authjs.session-token",
        &cookie,
    ]);
    assert_eq!(foreign, "null");
}

#[tokio::test]
async fn secure_cookie_names_are_the_salt_on_both_sides() {
    let token = node(&[
        "encode",
        SECRET,
        "__Secure-authjs.session-token",
        r#"{"name":"Grace","sub":"7"}"#,
    ]);
    let app = TestApp::new().await;
    let mut client = app.client();
    client
        .headers
        .push(("x-forwarded-proto".into(), "https".into()));
    client
        .jar
        .insert("__Secure-authjs.session-token".into(), token);
    assert_eq!(client.session().await["user"]["name"], "Grace");
}

#[tokio::test]
async fn an_expired_auth_core_token_is_refused() {
    let token = node(&[
        "encode",
        SECRET,
        "authjs.session-token",
        r#"{"name":"Old","sub":"1"}"#,
        "-60",
    ]);
    let app = TestApp::new().await;
    let mut client = app.client();
    client.jar.insert("authjs.session-token".into(), token);
    assert_eq!(client.get("/api/auth/session").await.body, "null");
}
