//! Refusals as Auth.js refuses, and the smaller hardening items of issue 11: the session update
//! without a valid CSRF pair, bodies read only as their `Content-Type` says, the never-set
//! `callback-url` cookie, tokens without `exp`, the form_post bounce, `iss`, caller
//! authorization parameters, links built on configured origins only, email normalisation,
//! password and secret lengths, link lifetimes, and configuration errors that fail closed.
#![allow(clippy::unwrap_used)]

use app::auth::ssr::{
    adapter::AccountTokens,
    jwt::KeySet,
    providers::{EmailProvider, OAuthProvider},
    secret::Secret,
    AuthConfig, ClientOrigin, Provider, SessionOptions,
};
use http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{
    config,
    oidc::{authorize, OidcProvider, OIDC_CLIENT},
    smtp::SmtpServer,
    Backend, Client, Res, TestApp, SECRET,
};

const PASSWORD: &str = "correct horse battery";

async fn post_session(client: &mut Client, content_type: &str, body: &str, uri: &str) -> Res {
    client
        .raw(
            Method::POST,
            uri,
            &[("content-type", content_type)],
            body.as_bytes().to_vec(),
        )
        .await
}

#[tokio::test]
async fn a_session_update_without_a_valid_csrf_pair_is_400_null_and_changes_nothing() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client.register("Ada", "ada@example.com", PASSWORD).await;
    let csrf = client.csrf().await;
    let other_secret_cookie = {
        // A CSRF cookie made with another secret: token|sha256(token + other secret).
        use sha2::{Digest, Sha256};
        let token = "c".repeat(64);
        let hash = hex::encode(Sha256::digest(format!(
            "{token}another-secret-0123456789abcdef"
        )));
        (token.clone(), format!("{token}%7C{hash}"))
    };
    let data = r#"{"name":"Mallory"}"#;
    /// What is wrong, the body, a planted cookie, an `Origin`, where it is posted.
    type Case<'a> = (
        &'a str,
        String,
        Option<(&'a str, String)>,
        Option<&'a str>,
        &'a str,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            "no token",
            format!(r#"{{"data":{data}}}"#),
            None,
            None,
            "/api/auth/session",
        ),
        (
            "wrong token",
            format!(r#"{{"csrfToken":"{}","data":{data}}}"#, "0".repeat(64)),
            None,
            None,
            "/api/auth/session",
        ),
        (
            "a cookie from another secret",
            format!(
                r#"{{"csrfToken":"{}","data":{data}}}"#,
                other_secret_cookie.0
            ),
            Some(("authjs.csrf-token", other_secret_cookie.1.clone())),
            None,
            "/api/auth/session",
        ),
        (
            "only in the query",
            format!(r#"{{"data":{data}}}"#),
            None,
            None,
            "QUERY",
        ),
        (
            "a non-string token",
            format!(r#"{{"csrfToken":["{csrf}"],"data":{data}}}"#),
            None,
            None,
            "/api/auth/session",
        ),
        (
            "a foreign Origin",
            format!(r#"{{"csrfToken":"{csrf}","data":{data}}}"#),
            None,
            Some("https://evil.example"),
            "/api/auth/session",
        ),
        (
            "not an object",
            format!(r#"["{csrf}"]"#),
            None,
            None,
            "/api/auth/session",
        ),
        (
            "not JSON",
            "{oops".to_owned(),
            None,
            None,
            "/api/auth/session",
        ),
    ];
    for (what, body, cookie, origin, uri) in cases {
        let mut attempt = client.clone();
        if let Some((name, value)) = cookie {
            attempt.jar.insert(name.into(), value);
        }
        if let Some(origin) = origin {
            attempt.headers.push(("origin".into(), origin.into()));
        }
        let uri = if uri == "QUERY" {
            format!("/api/auth/session?csrfToken={csrf}")
        } else {
            uri.to_owned()
        };
        let res = post_session(&mut attempt, "application/json", &body, &uri).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{what}: {}", res.body);
        assert_eq!(res.body, "null", "{what}");
        assert!(res.set_cookie("authjs.session-token").is_none(), "{what}");
    }
    // Nothing changed, and the real pair still works.
    assert_eq!(client.session().await["user"]["name"], "Ada");
    let res = post_session(
        &mut client,
        "application/json",
        &format!(r#"{{"csrfToken":"{csrf}","data":{data}}}"#),
        "/api/auth/session",
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

#[tokio::test]
async fn bodies_are_read_only_as_their_content_type_says() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client.register("Ada", "ada@example.com", PASSWORD).await;
    let csrf = client.csrf().await;
    let form = format!("csrfToken={csrf}&email=ada%40example.com&password=correct+horse+battery");
    for content_type in [
        "text/plain",
        "text/plain;charset=UTF-8",
        "multipart/form-data",
    ] {
        let mut fresh = app.client();
        fresh.jar = client.jar.clone();
        fresh.jar.remove("authjs.session-token");
        let res = post_session(
            &mut fresh,
            content_type,
            &form,
            "/api/auth/callback/credentials",
        )
        .await;
        assert_eq!(
            res.status,
            StatusCode::FOUND,
            "{content_type}: {}",
            res.body
        );
        assert!(
            res.location().unwrap().contains("error=MissingCSRF"),
            "{content_type}: {:?}",
            res.location()
        );
        assert!(fresh.session_cookie().is_none());
        // Sign-out is not fooled either: the session stays.
        let res = post_session(
            &mut client,
            content_type,
            &format!("csrfToken={csrf}"),
            "/api/auth/signout",
        )
        .await;
        assert!(res.location().unwrap().contains("error=MissingCSRF"));
        assert_eq!(client.session().await["user"]["name"], "Ada");
    }
}

#[tokio::test]
async fn the_callback_url_cookie_is_never_read() {
    let app = TestApp::new().await;
    let mut client = app.client();
    client.register("Ada", "ada@example.com", PASSWORD).await;
    // Planted (say, by a sibling subdomain): it must not steer where sign-out goes.
    client
        .jar
        .insert("authjs.callback-url".into(), "%2Fplanted".into());
    let csrf = client.csrf().await;
    let res = client
        .post_form("/api/auth/signout", &[("csrfToken", &csrf)])
        .await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/"));
}

#[tokio::test]
async fn session_tokens_without_exp_are_refused() {
    let app = TestApp::new().await;
    let keys = KeySet::derive(&[Secret::new(SECRET.to_owned())], "authjs.session-token");
    let forever = keys
        .encode(&json!({"sub": "1", "name": "Forever", "email": "f@example.com"}))
        .unwrap();
    let mut client = app.client();
    client.jar.insert("authjs.session-token".into(), forever);
    let res = client.get("/api/auth/session").await;
    assert_eq!(res.body, "null");
    assert!(res
        .set_cookie("authjs.session-token")
        .unwrap()
        .contains("Max-Age=0"));
}

fn oidc(idp: &OidcProvider) -> OAuthProvider {
    OAuthProvider::oidc(
        "oidc",
        "Fixture OIDC",
        &idp.issuer,
        OIDC_CLIENT.0,
        OIDC_CLIENT.1,
    )
}

async fn start_oidc(client: &mut Client) -> Res {
    let csrf = client.csrf().await;
    client
        .post_form(
            "/api/auth/signin/oidc",
            &[("csrfToken", &csrf), ("callbackUrl", "/")],
        )
        .await
}

fn query_of(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oauth_callbacks_are_refused_without_promised_iss_or_as_a_stray_post() {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(
        &Backend::Sqlite,
        config().provider(Provider::oauth(oidc(&idp))),
    )
    .await;

    // The fixture promises `iss` (RFC 9207); a callback that lost it is refused.
    let mut client = app.client();
    let start = start_oidc(&mut client).await;
    let back = authorize(start.location().unwrap(), "iris").await;
    assert!(back.contains("iss="), "{back}");
    let stripped: Vec<(String, String)> = query_of(&back)
        .into_iter()
        .filter(|(k, _)| k != "iss")
        .collect();
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&stripped)
        .finish();
    let res = client
        .get(&format!("/api/auth/callback/oidc?{query}"))
        .await;
    assert!(
        res.location().unwrap().contains("error=OAuthCallbackError"),
        "{res:?}"
    );
    assert!(client.session_cookie().is_none());

    // A POST callback for a provider that does not use form_post is not bounced into a GET.
    let mut client = app.client();
    let start = start_oidc(&mut client).await;
    let back = authorize(start.location().unwrap(), "iris").await;
    let fields = query_of(&back);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = client.post_form("/api/auth/callback/oidc", &fields).await;
    assert!(
        res.location().unwrap().contains("error=OAuthCallbackError"),
        "{res:?}"
    );
    assert!(client.session_cookie().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_authorization_parameters_pass_an_allow_list() {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(
        &Backend::Sqlite,
        config()
            .provider(Provider::oauth(oidc(&idp)))
            .provider(Provider::oauth(
                oidc(&idp).with_id("silent").allow_prompt_none(true),
            )),
    )
    .await;
    let mut client = app.client();
    let res = client
        .get(
            "/api/auth/signin/oidc?callbackUrl=%2F&prompt=none&login_hint=ada&redirect_uri=https%3A%2F%2Fevil.example\
             &response_mode=fragment&code_challenge_method=plain&state=fixed",
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    let query = query_of(res.location().unwrap());
    let get = |name: &str| -> Vec<&str> {
        query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(get("login_hint"), ["ada"]);
    assert!(get("prompt").is_empty(), "prompt=none is not configured");
    assert!(get("response_mode").is_empty());
    assert_eq!(get("code_challenge_method"), ["S256"]);
    assert_eq!(
        get("redirect_uri"),
        ["http://127.0.0.1:3000/api/auth/callback/oidc"]
    );
    assert_eq!(get("state").len(), 1);
    assert_ne!(get("state"), ["fixed"]);

    let res = client
        .get("/api/auth/signin/silent?callbackUrl=%2F&prompt=none")
        .await;
    let query = query_of(res.location().unwrap());
    assert!(query.iter().any(|(k, v)| k == "prompt" && v == "none"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redirect_uri_never_comes_from_the_host_header() {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(
        &Backend::Sqlite,
        config().provider(Provider::oauth(oidc(&idp))),
    )
    .await;
    let mut client = app.client();
    client.headers.push(("host".into(), "evil.example".into()));
    let res = start_oidc(&mut client).await;
    let query = query_of(res.location().unwrap());
    let redirect_uri = &query.iter().find(|(k, _)| k == "redirect_uri").unwrap().1;
    assert_eq!(redirect_uri, "http://127.0.0.1:3000/api/auth/callback/oidc");
}

fn email_config(smtp: &SmtpServer) -> app::auth::ssr::AuthConfigBuilder {
    config().provider(Provider::email(EmailProvider::new(
        smtp.url(),
        "Leptos Auth <no-reply@example.com>",
    )))
}

async fn ask_for_link(client: &mut Client, email: &str) -> Res {
    let csrf = client.csrf().await;
    client
        .post_form(
            "/api/auth/signin/email",
            &[("csrfToken", &csrf), ("email", email), ("callbackUrl", "/")],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_links_and_subjects_are_built_on_configured_origins_only() {
    let smtp = SmtpServer::start(None).await;
    // No AUTH_URL, host trusted (as in development): a forged Host does not reach the link.
    let app = TestApp::with(
        &Backend::Sqlite,
        email_config(&smtp)
            .client_origin(ClientOrigin::parse("spa=http://127.0.0.1:3300").unwrap()),
    )
    .await;
    let mut client = app.client();
    client.headers.push(("host".into(), "evil.example".into()));
    ask_for_link(&mut client, "ada@example.com").await;
    let mail = smtp.messages("ada@example.com").await.pop().unwrap();
    assert!(
        mail.link()
            .starts_with("http://127.0.0.1:3000/api/auth/callback/email?"),
        "{}",
        mail.link()
    );
    assert_eq!(mail.subject, "Sign in to 127.0.0.1:3000");
    assert!(!mail.html.contains("evil.example") && !mail.text.contains("evil.example"));
    // A host on the allow-list (a listed client origin) is kept.
    let mut spa = app.client();
    spa.headers.push(("host".into(), "127.0.0.1:3300".into()));
    ask_for_link(&mut spa, "bea@example.com").await;
    let mail = smtp.messages("bea@example.com").await.pop().unwrap();
    assert!(
        mail.link().starts_with("http://127.0.0.1:3300/"),
        "{}",
        mail.link()
    );

    // With AUTH_URL, only AUTH_URL.
    let app = TestApp::with(
        &Backend::Sqlite,
        email_config(&smtp).url("https://app.example.com").unwrap(),
    )
    .await;
    let mut client = app.client();
    client
        .headers
        .push(("host".into(), "127.0.0.1:3000".into()));
    ask_for_link(&mut client, "cy@example.com").await;
    let mail = smtp.messages("cy@example.com").await.pop().unwrap();
    assert!(
        mail.link()
            .starts_with("https://app.example.com/api/auth/callback/email?"),
        "{}",
        mail.link()
    );
    assert_eq!(mail.subject, "Sign in to app.example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_links_live_one_hour_by_default() {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(&Backend::Sqlite, email_config(&smtp)).await;
    let before = time::OffsetDateTime::now_utc();
    ask_for_link(&mut app.client(), "ada@example.com").await;
    let app::auth::ssr::Db::Sqlite(pool) = &app.state.db else {
        unreachable!()
    };
    let expires: time::OffsetDateTime = sqlx::query_scalar(
        "SELECT expires FROM verification_token WHERE identifier = 'ada@example.com'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let lifetime = expires - before;
    assert!(
        lifetime > time::Duration::minutes(59) && lifetime <= time::Duration::minutes(61),
        "{lifetime}"
    );
}

async fn look_alike_addresses_are_one_account(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    // Fullwidth `ａ` and `＠`: NFKC makes them `a` and `@` before anything looks at them.
    let res = app
        .client()
        .register("Ada", "\u{FF41}da\u{FF20}example.com", PASSWORD)
        .await;
    assert!(!res.location().unwrap().contains("error="), "{res:?}");
    assert!(app
        .state
        .db
        .get_user_by_email("ada@example.com")
        .await
        .unwrap()
        .is_some());
    let res = app
        .client()
        .register("Ada 2", "ADA@example.com", PASSWORD)
        .await;
    assert!(
        res.location().unwrap().contains("error=EmailTaken"),
        "{res:?}"
    );
    let mut client = app.client();
    client.sign_in("ada@ex\u{FF41}mple.com", PASSWORD).await;
    assert_eq!(client.session().await["user"]["email"], "ada@example.com");
}

#[tokio::test]
async fn passwords_need_12_characters_or_the_configured_minimum() {
    let app = TestApp::new().await;
    let res = app
        .client()
        .register("Ada", "ada@example.com", "elevenchars")
        .await;
    assert!(
        res.location().unwrap().contains("error=WeakPassword"),
        "{res:?}"
    );
    let res = app
        .client()
        .register("Ada", "ada@example.com", "twelve chars")
        .await;
    assert!(!res.location().unwrap().contains("error="), "{res:?}");

    let strict = TestApp::with(&Backend::Sqlite, config().password_min_length(16)).await;
    let res = strict
        .client()
        .register("Bo", "bo@example.com", "fifteen chars!!")
        .await;
    assert!(
        res.location().unwrap().contains("error=WeakPassword"),
        "{res:?}"
    );
}

#[tokio::test]
async fn secrets_need_32_characters() {
    let err = AuthConfig::builder()
        .secret("x".repeat(31))
        .build()
        .unwrap_err();
    assert!(err.to_string().starts_with("AUTH_SECRET"), "{err}");
}

async fn a_refresh_swap_keeps_only_the_result_of_the_first_refresh(backend: Backend) {
    let app = TestApp::with(&backend, config()).await;
    let user = app
        .state
        .db
        .create_user(&app::auth::ssr::adapter::NewUser {
            email: Some("rita@example.com".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let account = app::auth::ssr::Account {
        provider: "oidc".into(),
        kind: "oidc".into(),
        provider_account_id: "rita".into(),
        access_token: Some("old-access".into()),
        refresh_token: Some("old-refresh".into()),
        ..Default::default()
    };
    app.state.db.link_account(user.id, &account).await.unwrap();
    let first = AccountTokens {
        access_token: "first-access",
        expires_at: Some(1),
        refresh_token: Some("first-refresh"),
        id_token: None,
    };
    let second = AccountTokens {
        access_token: "second-access",
        refresh_token: Some("second-refresh"),
        ..first
    };
    // Two instances spent the same refresh token; the first to store wins.
    assert!(app
        .state
        .db
        .swap_refreshed_tokens("oidc", "rita", "old-refresh", &first)
        .await
        .unwrap());
    assert!(!app
        .state
        .db
        .swap_refreshed_tokens("oidc", "rita", "old-refresh", &second)
        .await
        .unwrap());
    let row = app
        .state
        .db
        .account_by_provider_id("oidc", "rita")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.access_token.as_deref(), Some("first-access"));
    assert_eq!(row.refresh_token.as_deref(), Some("first-refresh"));
}

#[tokio::test]
async fn configuration_errors_fail_closed() {
    // A redirect callback that answers garbage or another site: the browser stays home.
    struct Garbage;
    #[async_trait::async_trait]
    impl app::auth::ssr::Callbacks for Garbage {
        fn redirect(&self, _url: &str, _base_url: &str) -> String {
            "javascript:alert(1)".into()
        }
        async fn jwt(
            &self,
            params: app::auth::ssr::JwtParams<'_>,
        ) -> Option<app::auth::ssr::Token> {
            // Refuses every sign-in of this address: no session may be made.
            (params.token.email.as_deref() != Some("denied@example.com")).then_some(params.token)
        }
    }
    let app = TestApp::with(&Backend::Sqlite, config().callbacks(Garbage)).await;
    let mut client = app.client();
    let res = client.register("Ada", "ada@example.com", PASSWORD).await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/"));
    let mut denied = app.client();
    let res = denied.register("No", "denied@example.com", PASSWORD).await;
    assert!(
        res.location().unwrap().contains("error=AccessDenied"),
        "{res:?}"
    );
    assert!(denied.session_cookie().is_none());

    // A session-token generator that returns nothing usable: no session, a Configuration error.
    let app = TestApp::with(
        &Backend::Sqlite,
        config().session(SessionOptions::database().generate_session_token(String::new)),
    )
    .await;
    let mut client = app.client();
    let res = client.register("Ada", "ada@example.com", PASSWORD).await;
    assert!(
        res.location().unwrap().contains("error=Configuration"),
        "{res:?}"
    );
    assert!(client.session_cookie().is_none());
    assert_eq!(client.session().await, Value::Null);
}

on_both_databases!(
    look_alike_addresses_are_one_account,
    a_refresh_swap_keeps_only_the_result_of_the_first_refresh,
);
