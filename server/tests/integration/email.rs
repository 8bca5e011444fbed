//! Sign-in links by email, through a real SMTP server (npm `smtp-server` on loopback): the
//! message, single use, expiry, altered links, existing users, SMTP failures, limits.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use app::auth::ssr::{
    providers::{EmailProvider, SendLimits},
    AuthConfigBuilder, Provider,
};
use http::StatusCode;
use sha2::{Digest, Sha256};

use crate::common::{config, smtp::SmtpServer, Backend, Client, Res, TestApp, ORIGIN, SECRET};

fn with_email(smtp: &str, tune: impl FnOnce(EmailProvider) -> EmailProvider) -> AuthConfigBuilder {
    config().provider(Provider::email(tune(EmailProvider::new(
        smtp,
        "Leptos Auth <no-reply@example.com>",
    ))))
}

async fn ask_for_link(client: &mut Client, email: &str) -> Res {
    let csrf = client.csrf().await;
    client
        .post_form(
            "/api/auth/signin/email",
            &[
                ("csrfToken", &csrf),
                ("email", email),
                ("callbackUrl", "/account"),
            ],
        )
        .await
}

fn expect_error(res: &Res, page: &str, query: &str) {
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    let location = res.location().unwrap();
    assert!(
        location.starts_with(&format!("{ORIGIN}{page}?")) && location.contains(query),
        "{location}"
    );
}

/// The `token` column as stored, read straight from the table.
async fn stored_tokens(app: &TestApp, identifier: &str) -> Vec<String> {
    let sql = "SELECT token FROM verification_token WHERE identifier = $1";
    match &app.state.db {
        app::auth::ssr::Db::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(identifier)
            .fetch_all(pool)
            .await
            .unwrap(),
        app::auth::ssr::Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(identifier)
            .fetch_all(pool)
            .await
            .unwrap(),
    }
}

fn path_of(link: &str) -> &str {
    link.strip_prefix(ORIGIN).unwrap()
}

async fn a_link_is_sent_and_signs_a_new_user_in_once(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(&backend, with_email(&smtp.url(), |p| p)).await;
    let mut client = app.client();
    let res = ask_for_link(&mut client, "New.User@Example.com").await;
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/api/auth/verify-request?provider=email&type=email")
    );

    let mail = smtp.messages("new.user@example.com").await.remove(0);
    assert_eq!(mail.subject, "Sign in to 127.0.0.1:3000");
    assert!(mail.from.contains("no-reply@example.com"));
    let link = mail.link();
    assert!(link.starts_with("http://127.0.0.1:3000/api/auth/callback/email?"));
    assert!(
        mail.html.contains(&link.replace('&', "&amp;")),
        "the HTML part has the same link"
    );
    let url = url::Url::parse(&link).unwrap();
    let token = url
        .query_pairs()
        .find(|(k, _)| k == "token")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(token.len(), 64, "32 random bytes, hex");

    // Only the hash is stored: sha256(token + secret), as Auth.js.
    let expected_hash = hex::encode(Sha256::digest(format!("{token}{SECRET}")));
    assert_eq!(
        stored_tokens(&app, "new.user@example.com").await,
        [expected_hash]
    );

    // Another browser opens the link: it is signed in, the user created with a verified email.
    let mut browser = app.client();
    let res = browser.get(path_of(&link)).await;
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/account"),
        "{:?}",
        res.location()
    );
    assert_eq!(
        browser.session().await["user"]["email"],
        "new.user@example.com"
    );
    let user = app
        .state
        .db
        .get_user_by_email("new.user@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(user.email_verified.is_some());
    assert_eq!(
        app.state
            .db
            .count_verification_tokens("new.user@example.com")
            .await
            .unwrap(),
        0
    );

    // Once only.
    let mut again = app.client();
    expect_error(
        &again.get(path_of(&link)).await,
        "/api/auth/error",
        "error=Verification",
    );
    assert!(again.session_cookie().is_none());
    let page = again.get_html("/api/auth/error?error=Verification").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

async fn altered_expired_or_misdirected_links_are_refused(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(&backend, with_email(&smtp.url(), |p| p)).await;
    ask_for_link(&mut app.client(), "kim@example.com").await;
    let link = smtp.messages("kim@example.com").await.remove(0).link();

    let altered = link.replace("token=", "token=0");
    let other_email = link.replace("kim%40example.com", "eve%40example.com");
    let no_token = link.split("&token=").next().unwrap().to_owned();
    for bad in [&altered, &other_email, &no_token] {
        let res = app.client().get(path_of(bad)).await;
        expect_error(&res, "/api/auth/error", "error=Verification");
    }
    // None of that used the real link up.
    let res = app.client().get(path_of(&link)).await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/account"));

    // A link older than max_age.
    let app = TestApp::with(
        &backend,
        with_email(&smtp.url(), |p| p.with_max_age(Duration::from_secs(1))),
    )
    .await;
    ask_for_link(&mut app.client(), "late@example.com").await;
    let link = smtp.messages("late@example.com").await.remove(0).link();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    expect_error(
        &app.client().get(path_of(&link)).await,
        "/api/auth/error",
        "error=Verification",
    );
}

async fn an_existing_user_signs_in_and_gets_a_verified_email(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(&backend, with_email(&smtp.url(), |p| p)).await;
    app.client()
        .register("Lena", "lena@example.com", "correct horse battery")
        .await;
    let before = app
        .state
        .db
        .get_user_by_email("lena@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(before.email_verified.is_none());

    let mut client = app.client();
    let res = ask_for_link(&mut client, "lena@example.com").await;
    // The same answer as for an unknown address: nothing tells whether an account exists.
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/api/auth/verify-request?provider=email&type=email")
    );
    let link = smtp.messages("lena@example.com").await.remove(0).link();
    client.get(path_of(&link)).await;
    let session = client.session().await;
    assert_eq!(session["user"]["email"], "lena@example.com");
    // Signed in by a browser that is not the registrant's: the address is reclaimed, and what
    // the unverified registration set up (the name, the password) is gone (see identity.rs).
    assert!(session["user"].get("name").is_none(), "{session}");
    let after = app
        .state
        .db
        .get_user_by_email("lena@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.id, before.id);
    assert!(after.email_verified.is_some());
}

async fn a_failing_smtp_server_leaves_no_usable_token(backend: Backend) {
    // Nobody listens there.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let app = TestApp::with(
        &backend,
        with_email(&format!("smtp://127.0.0.1:{closed}"), |p| p),
    )
    .await;
    let res = ask_for_link(&mut app.client(), "nobody@example.com").await;
    expect_error(&res, "/api/auth/signin", "error=EmailSignin");
    assert_eq!(
        app.state
            .db
            .count_verification_tokens("nobody@example.com")
            .await
            .unwrap(),
        0
    );

    // A server that refuses the recipient.
    let smtp = SmtpServer::start(Some("refused@example.com")).await;
    let app = TestApp::with(&backend, with_email(&smtp.url(), |p| p)).await;
    let res = ask_for_link(&mut app.client(), "refused@example.com").await;
    expect_error(&res, "/api/auth/signin", "error=EmailSignin");
    assert!(
        !res.location().unwrap().contains("refused"),
        "nothing leaked into the URL"
    );
    assert_eq!(
        app.state
            .db
            .count_verification_tokens("refused@example.com")
            .await
            .unwrap(),
        0
    );
    // The server keeps serving, and other addresses still work.
    let res = ask_for_link(&mut app.client(), "fine@example.com").await;
    assert!(res.location().unwrap().contains("/verify-request"));
}

async fn sending_is_limited_per_address_and_per_ip(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let limits = SendLimits {
        per_address: 2,
        per_ip: 100,
        window: Duration::from_secs(600),
    };
    let app = TestApp::with(&backend, with_email(&smtp.url(), |p| p.with_limits(limits))).await;
    for _ in 0..2 {
        let res = ask_for_link(&mut app.client(), "busy@example.com").await;
        assert!(res.location().unwrap().contains("/verify-request"));
    }
    let res = ask_for_link(&mut app.client(), "busy@example.com").await;
    expect_error(
        &res,
        "/api/auth/signin",
        "error=EmailSignin&code=rate_limited",
    );
    assert_eq!(smtp.messages("busy@example.com").await.len(), 2);
    // Another address is not affected.
    let res = ask_for_link(&mut app.client(), "calm@example.com").await;
    assert!(res.location().unwrap().contains("/verify-request"));
}

async fn bad_addresses_and_missing_csrf_get_clear_errors(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(&backend, with_email(&smtp.url(), |p| p)).await;
    for bad in [
        "",
        "not-an-email",
        "a@b",
        "<script>@x.com",
        "x@y.com\r\nBcc: evil@example.com",
    ] {
        let res = ask_for_link(&mut app.client(), bad).await;
        expect_error(
            &res,
            "/api/auth/signin",
            "error=EmailSignin&code=invalid_email",
        );
    }
    let res = app
        .client()
        .post_form("/api/auth/signin/email", &[("email", "x@example.com")])
        .await;
    expect_error(&res, "/api/auth/signin", "error=MissingCSRF");
    assert!(smtp.messages("x@example.com").await.is_empty());
    // next-auth's client asks for {url}.
    let mut client = app.client();
    let csrf = client.csrf().await;
    let res = client
        .post_json_redirect(
            "/api/auth/signin/email",
            &[("csrfToken", &csrf), ("email", "js@example.com")],
        )
        .await;
    assert_eq!(
        res.json()["url"],
        "http://127.0.0.1:3000/api/auth/verify-request?provider=email&type=email"
    );
    // The sign-in page has the email form, and explains the errors.
    let page = client.get_html("/api/auth/signin").await;
    assert!(page.body.contains(r#"action="/api/auth/signin/email""#));
    let page = client
        .get_html("/api/auth/signin?error=EmailSignin&code=invalid_email")
        .await;
    assert!(page.body.contains("Enter a valid email address."));
    let providers = client.get("/api/auth/providers").await.json();
    assert_eq!(providers["email"]["type"], "email");
}

on_both_databases!(
    a_link_is_sent_and_signs_a_new_user_in_once,
    altered_expired_or_misdirected_links_are_refused,
    an_existing_user_signs_in_and_gets_a_verified_email,
    a_failing_smtp_server_leaves_no_usable_token,
    sending_is_limited_per_address_and_per_ip,
    bad_addresses_and_missing_csrf_get_clear_errors,
);

/// With a custom `verify_request` page and a theme: the send lands on that page, the email
/// carries the theme, and verifying an existing user's address fires `update_user`.
#[tokio::test]
async fn the_verify_request_page_theme_and_update_user_event_apply_to_email_sign_in() {
    use std::sync::{Arc, Mutex};

    use app::auth::{
        ssr::{adapter::User, Events, Pages, Theme},
        Session,
    };

    #[derive(Clone, Default)]
    struct Updated(Arc<Mutex<Vec<String>>>);

    #[async_trait::async_trait]
    impl Events for Updated {
        async fn update_user(&self, user: &User) {
            self.0
                .lock()
                .unwrap()
                .push(user.email.clone().unwrap_or_default());
        }
        async fn session(&self, _session: &Session) {}
    }

    let smtp = SmtpServer::start(None).await;
    let updated = Updated::default();
    let app = TestApp::with(
        &Backend::Sqlite,
        with_email(&smtp.url(), |p| p)
            .pages(Pages {
                verify_request: Some("/check-your-inbox".into()),
                ..Pages::default()
            })
            .theme(Theme {
                brand_color: Some("#0f766e".into()),
                logo: Some("https://example.com/logo.png".into()),
                ..Theme::default()
            })
            .events(updated.clone()),
    )
    .await;
    app.client()
        .register("Mia", "mia@example.com", "correct horse battery")
        .await;
    let mut client = app.client();
    let res = ask_for_link(&mut client, "mia@example.com").await;
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/check-your-inbox?provider=email&type=email")
    );
    let mail = smtp.messages("mia@example.com").await.remove(0);
    assert!(mail.html.contains("#0f766e"), "{}", mail.html);
    assert!(mail.html.contains("https://example.com/logo.png"));
    client.get(path_of(&mail.link())).await;
    assert_eq!(client.session().await["user"]["email"], "mia@example.com");
    assert_eq!(updated.0.lock().unwrap().clone(), ["mia@example.com"]);
}

/// The `sign_in` callback is asked before a link is sent (Auth.js's `verificationRequest`): a
/// refused address gets `AccessDenied` and no email, no token.
#[tokio::test]
async fn a_refused_address_gets_no_link() {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(
        &Backend::Sqlite,
        with_email(&smtp.url(), |p| p).callbacks(app::pages::hooks::StarterCallbacks {
            denied_domains: vec!["blocked.example".into()],
            ..Default::default()
        }),
    )
    .await;
    let mut client = app.client();
    let res = ask_for_link(&mut client, "eve@blocked.example").await;
    expect_error(&res, "/api/auth/error", "error=AccessDenied");
    assert_eq!(
        app.state
            .db
            .count_verification_tokens("eve@blocked.example")
            .await
            .unwrap(),
        0
    );
    // Others still get theirs.
    let res = ask_for_link(&mut client, "ok@example.com").await;
    assert!(res.location().unwrap().contains("/verify-request"));
    assert_eq!(smtp.messages("ok@example.com").await.len(), 1);
    assert!(smtp.messages("eve@blocked.example").await.is_empty());
}
