//! Multi-client (the Auth.js multi-client seed): listed client origins get CORS with
//! credentials on `/session`, `/csrf`, `/providers`, `/signout` and may be a `callbackUrl`;
//! sessions carry `provider`, `clientOrigin`, `clientId`; `create_auth_config` shapes a
//! client's configuration. The browser side is end2end/tests/multi-client.spec.ts.
#![allow(clippy::unwrap_used)]

use app::auth::{
    ssr::{Callbacks, ClientOrigin, SessionParams},
    Session,
};
use async_trait::async_trait;
use http::{Method, StatusCode};

use crate::common::{self, config, Backend, Client, TestApp, ORIGIN};

const SPA: &str = "http://127.0.0.1:3300";

fn spa() -> ClientOrigin {
    ClientOrigin::parse(&format!("spa={SPA}")).unwrap()
}

/// The configuration hook's mark on the SPA's sessions.
struct MarkSessions;

#[async_trait]
impl Callbacks for MarkSessions {
    async fn session(&self, params: SessionParams<'_>) -> Session {
        let mut session = params.session;
        session.extra.insert("configuredFor".into(), "spa".into());
        session
    }
}

async fn app() -> TestApp {
    TestApp::with(
        &Backend::Sqlite,
        config()
            .client_origin(spa())
            .create_auth_config(|client, builder| {
                assert_eq!(client.id, "spa");
                builder.callbacks(MarkSessions)
            }),
    )
    .await
}

async fn get_from(client: &mut Client, origin: &str, uri: &str) -> common::Res {
    client
        .raw(Method::GET, uri, &[("origin", origin)], Vec::new())
        .await
}

#[tokio::test]
async fn listed_origins_get_cors_with_credentials_on_the_four_routes_only() {
    let app = app().await;
    let mut client = app.client();
    for route in ["session", "csrf", "providers"] {
        let res = get_from(&mut client, SPA, &format!("/api/auth/{route}")).await;
        assert_eq!(res.status, StatusCode::OK, "{route}");
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some(SPA),
            "{route}"
        );
        assert_eq!(res.header("access-control-allow-credentials"), Some("true"));
        assert_eq!(res.header("vary"), Some("Origin"));
    }
    let preflight = client
        .raw(
            Method::OPTIONS,
            "/api/auth/signout",
            &[
                ("origin", SPA),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "content-type,x-auth-return-redirect",
                ),
            ],
            Vec::new(),
        )
        .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(SPA));
    assert!(preflight
        .header("access-control-allow-headers")
        .unwrap()
        .contains("x-auth-return-redirect"));

    // Other origins, and other routes, get nothing.
    let res = get_from(&mut client, "http://127.0.0.1:4400", "/api/auth/session").await;
    assert!(res.header("access-control-allow-origin").is_none());
    let res = get_from(&mut client, SPA, "/api/auth/linked").await;
    assert!(res.header("access-control-allow-origin").is_none());
    let res = get_from(&mut client, "null", "/api/auth/csrf").await;
    assert!(res.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_listed_origin_may_be_the_callback_url_and_others_may_not() {
    let app = app().await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/auth/signout",
            &[
                ("csrfToken", &csrf),
                ("callbackUrl", &format!("{SPA}/bye?x=1")),
            ],
        )
        .await;
    assert_eq!(res.location(), Some(&*format!("{SPA}/bye?x=1")));

    client.sign_in("ada@example.com", "correct horse 1").await;
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/auth/signout",
            &[
                ("csrfToken", &csrf),
                ("callbackUrl", "http://127.0.0.1:4400/steal"),
            ],
        )
        .await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/")));
}

#[tokio::test]
async fn sessions_carry_provider_client_origin_and_client_id() {
    let app = app().await;

    // Signed in from the SPA (it posted the form, and goes back to it).
    let mut spa_browser = app.client();
    let csrf = spa_browser.csrf().await;
    spa_browser
        .post_form(
            "/api/register",
            &[
                ("csrfToken", &csrf),
                ("name", "Ada"),
                ("email", "ada@example.com"),
                ("password", "correct horse 1"),
                ("callbackUrl", &format!("{SPA}/")),
            ],
        )
        .await;
    let res = get_from(&mut spa_browser, SPA, "/api/auth/session").await;
    let session = res.json();
    assert_eq!(session["user"]["provider"], "credentials");
    assert_eq!(session["user"]["clientOrigin"], SPA);
    assert_eq!(session["user"]["clientId"], "spa");
    assert_eq!(
        session["configuredFor"], "spa",
        "the SPA's requests use the configuration create_auth_config made"
    );

    // Signed in on the app itself.
    let mut browser = app.client();
    browser
        .register("Bob", "bob@example.com", "correct horse 1")
        .await;
    let session = browser.session().await;
    assert_eq!(session["user"]["clientOrigin"], ORIGIN);
    assert_eq!(session["user"]["clientId"], "default");
    assert!(session.get("configuredFor").is_none());
}

#[tokio::test]
async fn a_state_changing_post_from_an_unlisted_origin_is_refused() {
    let app = app().await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    let csrf = client.csrf().await;
    let res = client
        .raw(
            Method::POST,
            "/api/auth/signout",
            &[
                ("origin", "http://127.0.0.1:4400"),
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-auth-return-redirect", "1"),
            ],
            format!("csrfToken={csrf}&callbackUrl=%2F").into_bytes(),
        )
        .await;
    assert!(res.json()["url"]
        .as_str()
        .unwrap()
        .contains("error=MissingCSRF"));
    assert_eq!(client.session().await["user"]["email"], "ada@example.com");

    // The same from the listed origin signs out, with CORS headers on the answer.
    let res = client
        .raw(
            Method::POST,
            "/api/auth/signout",
            &[
                ("origin", SPA),
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-auth-return-redirect", "1"),
            ],
            format!("csrfToken={csrf}&callbackUrl={SPA}/").into_bytes(),
        )
        .await;
    assert_eq!(res.json()["url"], format!("{SPA}/"));
    assert_eq!(res.header("access-control-allow-origin"), Some(SPA));
    assert_eq!(client.session().await, serde_json::Value::Null);
}
