//! Session management on the account page: listing a user's database sessions, revoking one
//! or all the others (they stop working at once), and what JWT sessions offer instead.
#![allow(clippy::unwrap_used)]

use app::auth::ssr::{SessionOptions, SessionStrategy};
use http::StatusCode;

use crate::common::{config, Backend, TestApp};

fn database_sessions() -> app::auth::ssr::AuthConfigBuilder {
    config().session(SessionOptions {
        strategy: SessionStrategy::Database,
        ..SessionOptions::default()
    })
}

async fn sessions_are_listed_and_revoked(backend: Backend) {
    let app = TestApp::with(&backend, database_sessions()).await;
    let mut laptop = app.client();
    laptop
        .headers
        .push(("user-agent".into(), "Laptop Browser/1.0".into()));
    laptop
        .register("Mia", "mia@example.com", "correct horse battery")
        .await;
    let mut phone = app.client();
    phone
        .headers
        .push(("user-agent".into(), "Phone Browser/2.0".into()));
    phone
        .sign_in("mia@example.com", "correct horse battery")
        .await;
    let mut tablet = app.client();
    tablet
        .sign_in("mia@example.com", "correct horse battery")
        .await;

    let list = laptop.get("/api/account/sessions").await.json();
    assert_eq!(list["listed"], true);
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "Laptop Browser/1.0");
    assert!(
        !list.to_string().contains(laptop.session_cookie().unwrap()),
        "no token leaves the server"
    );
    let phone_id = sessions
        .iter()
        .find(|s| s["user_agent"] == "Phone Browser/2.0")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    // Revoke the phone: it is signed out at once.
    let csrf = laptop.csrf().await;
    let res = laptop
        .post_form(
            "/api/account/sessions/revoke",
            &[
                ("csrfToken", &csrf),
                ("session", &phone_id.to_string()),
                ("callbackUrl", "/account"),
            ],
        )
        .await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/account"));
    assert_eq!(phone.get("/api/auth/session").await.body, "null");
    assert_eq!(tablet.session().await["user"]["name"], "Mia");

    // Sign out every other session.
    laptop
        .post_form(
            "/api/account/sessions/revoke",
            &[("csrfToken", &csrf), ("session", "others")],
        )
        .await;
    assert_eq!(tablet.get("/api/auth/session").await.body, "null");
    assert_eq!(laptop.session().await["user"]["name"], "Mia");
    let list = laptop.get("/api/account/sessions").await.json();
    assert_eq!(list["sessions"].as_array().unwrap().len(), 1);

    // Someone else's session id cannot be revoked, and CSRF is checked.
    let mut other = app.client();
    other
        .register("Ned", "ned@example.com", "correct horse battery")
        .await;
    let ned_id = other.get("/api/account/sessions").await.json()["sessions"][0]["id"]
        .as_i64()
        .unwrap();
    laptop
        .post_form(
            "/api/account/sessions/revoke",
            &[("csrfToken", &csrf), ("session", &ned_id.to_string())],
        )
        .await;
    assert_eq!(other.session().await["user"]["name"], "Ned");
    let res = laptop
        .post_form(
            "/api/account/sessions/revoke",
            &[("csrfToken", "forged"), ("session", "others")],
        )
        .await;
    assert!(res.location().unwrap().contains("error=MissingCSRF"));

    // The account page lists them (server-rendered).
    let page = laptop.get_html("/account").await;
    assert!(page.body.contains("This session"), "{}", page.body);
    assert!(page.body.contains("Sign out all other sessions"));
}

async fn jwt_sessions_are_not_listed(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let mut client = app.client();
    client
        .register("Oli", "oli@example.com", "correct horse battery")
        .await;
    let list = client.get("/api/account/sessions").await.json();
    assert_eq!(list, serde_json::json!({"listed": false, "sessions": []}));
    let res = app.client().get("/api/account/sessions").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

on_both_databases!(sessions_are_listed_and_revoked, jwt_sessions_are_not_listed);
