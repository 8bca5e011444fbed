//! Sessions end (issue 11): JWT sessions have an absolute lifetime on top of the sliding one;
//! the `jwt` callback decides on every read and on every path that asks who the user is; and a
//! user can sign out everywhere, JWT sessions included.
#![allow(clippy::unwrap_used)]

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use app::auth::ssr::{jwt::KeySet, secret::Secret, Callbacks, JwtParams, SessionOptions, Token};
use http::StatusCode;
use serde_json::{json, Value};

use crate::common::{config, Backend, Client, TestApp, SECRET};

const PASSWORD: &str = "correct horse battery";

fn keys() -> KeySet {
    KeySet::derive(&[Secret::new(SECRET.to_owned())], "authjs.session-token")
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The claims of the session cookie in the jar.
fn claims(client: &Client) -> Value {
    keys()
        .decode(client.session_cookie().unwrap(), now())
        .unwrap()
}

#[tokio::test]
async fn a_session_ends_at_its_absolute_lifetime_however_often_it_is_renewed() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().session(SessionOptions::default().absolute_max_age(Duration::from_secs(3600))),
    )
    .await;
    let mut client = app.client();
    client.register("Ada", "ada@example.com", PASSWORD).await;
    let signed_in = claims(&client)["auth_time"].as_f64().unwrap();
    assert!((signed_in - now() as f64).abs() < 5.0);
    // Renewing keeps the sign-in time, and never pushes `exp` past it + the absolute lifetime.
    let res = client.get("/api/auth/session").await;
    assert_eq!(res.status, StatusCode::OK);
    let renewed = claims(&client);
    assert_eq!(renewed["auth_time"].as_f64().unwrap(), signed_in);
    assert!(renewed["exp"].as_i64().unwrap() <= signed_in as i64 + 3600 + 1);
    assert!(res.set_cookie("authjs.session-token").is_some());

    // A stolen cookie signed in 31 days ago, renewed all along (its `exp` still ahead): dead.
    let stolen = keys()
        .encode(&json!({
            "sub": "1", "name": "Ada", "email": "ada@example.com",
            "auth_time": now() - 31 * 24 * 3600, "iat": now(), "exp": now() + 3600,
        }))
        .unwrap();
    let mut thief = app.client();
    thief.jar.insert("authjs.session-token".into(), stolen);
    assert_eq!(thief.session().await, Value::Null);
    assert!(thief.session_cookie().is_none(), "the cookie is cleared");

    // The default absolute lifetime is 30 days: a token signed in 29 days ago still reads.
    let default_app = TestApp::new().await;
    let recent = keys()
        .encode(&json!({
            "sub": "1", "name": "Ada", "auth_time": now() - 29 * 24 * 3600, "exp": now() + 3600,
        }))
        .unwrap();
    let mut client = default_app.client();
    client.jar.insert("authjs.session-token".into(), recent);
    assert_eq!(client.session().await["user"]["name"], "Ada");
    let exp = claims(&client)["exp"].as_i64().unwrap();
    assert!(
        exp <= now() + 24 * 3600 + 5,
        "capped at the absolute end: {exp}"
    );
}

/// A `jwt` callback that ends the sessions of the users in its set (an app's revocation list).
#[derive(Clone, Default)]
struct Revoking {
    revoked: Arc<Mutex<HashSet<String>>>,
}

#[async_trait::async_trait]
impl Callbacks for Revoking {
    async fn jwt(&self, params: JwtParams<'_>) -> Option<Token> {
        let sub = params.token.sub.clone().unwrap_or_default();
        (!self.revoked.lock().unwrap().contains(&sub)).then_some(params.token)
    }
}

#[tokio::test]
async fn the_jwt_callback_decides_who_the_user_is_on_every_path() {
    let callbacks = Revoking::default();
    let revoked = callbacks.revoked.clone();
    let app = TestApp::with(&Backend::Sqlite, config().callbacks(callbacks)).await;
    let mut client = app.client();
    client.register("Ada", "ada@example.com", PASSWORD).await;
    assert_eq!(client.get("/api/auth/linked").await.status, StatusCode::OK);
    assert_eq!(
        client.get("/api/account/sessions").await.status,
        StatusCode::OK
    );
    let id = client.session().await["user"]["email"].clone();
    assert_eq!(id, "ada@example.com");
    let user = app
        .state
        .db
        .get_user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();

    revoked.lock().unwrap().insert(user.id.to_string());
    // Every path that asks who the user is now says: nobody.
    let res = client.get("/api/auth/linked").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    let res = client.get("/api/account/sessions").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/account/sessions/revoke",
            &[
                ("csrfToken", &csrf),
                ("session", "everywhere"),
                ("callbackUrl", "/account"),
            ],
        )
        .await;
    assert!(
        res.location().unwrap().contains("error=SessionRequired"),
        "{res:?}"
    );
    let page = client.get_html("/account").await;
    assert_eq!(
        page.status,
        StatusCode::FOUND,
        "the guard sends a revoked user to sign in"
    );
    assert_eq!(client.session().await, Value::Null);
}

async fn sign_out_everywhere(client: &mut Client) {
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/account/sessions/revoke",
            &[
                ("csrfToken", &csrf),
                ("session", "everywhere"),
                ("callbackUrl", "/account"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/account"));
}

async fn signing_out_everywhere_ends_every_session(backend: Backend) {
    for options in [SessionOptions::default(), SessionOptions::database()] {
        let app = TestApp::with(&backend, config().session(options.clone())).await;
        let mut laptop = app.client();
        laptop.register("Ada", "ada@example.com", PASSWORD).await;
        let mut phone = app.client();
        phone.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(phone.session().await["user"]["name"], "Ada");

        sign_out_everywhere(&mut laptop).await;
        assert!(laptop.session_cookie().is_none(), "{:?}", options.strategy);
        assert_eq!(phone.session().await, Value::Null, "{:?}", options.strategy);
        // A new sign-in after it works.
        let mut again = app.client();
        again.sign_in("ada@example.com", PASSWORD).await;
        assert_eq!(again.session().await["user"]["name"], "Ada");
    }
}

/// Another instance (sharing the database) notices within `revocation_check`, without a
/// database read on the reads in between.
async fn another_instance_notices_within_the_check_interval(backend: Backend) {
    let first = TestApp::with(
        &backend,
        config().session(SessionOptions::default().revocation_check(Duration::from_secs(2))),
    )
    .await;
    let second = TestApp::on_db(
        first.state.db.clone(),
        config().session(SessionOptions::default().revocation_check(Duration::from_secs(2))),
    )
    .await;
    let mut laptop = first.client();
    laptop.register("Ada", "ada@example.com", PASSWORD).await;
    let mut phone = second.client_of(second.router.clone());
    phone.jar = laptop.jar.clone();
    assert_eq!(phone.session().await["user"]["name"], "Ada");

    sign_out_everywhere(&mut laptop).await;
    // Within the window the other instance may still answer; after it, never.
    tokio::time::sleep(Duration::from_millis(4500)).await;
    assert_eq!(phone.session().await, Value::Null);
}

on_both_databases!(
    signing_out_everywhere_ends_every_session,
    another_instance_notices_within_the_check_interval,
);

/// A token minted by Auth.js has no `auth_time`: its `iat` stands in, so signing out
/// everywhere ends it too, and the absolute lifetime counts from it.
#[tokio::test]
async fn tokens_without_a_sign_in_time_count_from_their_iat() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client.register("Ada", "ada@example.com", PASSWORD).await;
    let id = app
        .state
        .db
        .get_user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let minted_at = now() - 120;
    let authjs = |iat: i64| {
        keys()
            .encode(&json!({"sub": id.to_string(), "name": "Ada", "iat": iat, "exp": now() + 3600}))
            .unwrap()
    };
    // Signed out everywhere a minute ago (on another instance: the database only).
    app.state
        .db
        .revoke_sessions_before(id, (now() - 60) * 1000)
        .await
        .unwrap();
    let mut old = app.client();
    old.jar
        .insert("authjs.session-token".into(), authjs(minted_at));
    assert_eq!(old.session().await, Value::Null);
    let mut fresh = app.client();
    fresh
        .jar
        .insert("authjs.session-token".into(), authjs(now()));
    assert_eq!(fresh.session().await["user"]["name"], "Ada");
    // Re-issued by us, it keeps that time as its `auth_time`.
    let renewed = claims(&fresh)["auth_time"].as_f64().unwrap() as i64;
    assert!((renewed - now()).abs() < 5, "{renewed}");
}
