//! Identity is only what was proven (issue 11): roles from the database, never from an
//! unproven address; a password registration does not own its address until it is verified,
//! and the first verified sign-in by someone else reclaims it; unverified provider addresses
//! are never stored or linked on; accounts are linked only on an intent the signed-in user
//! started; check cookies are bound to their browser and provider, `__Host-` over https.
#![allow(clippy::unwrap_used)]

use app::auth::ssr::{
    providers::{EmailProvider, OAuthProvider},
    AuthConfigBuilder, Provider,
};
use app::pages::hooks::{StarterCallbacks, StarterEvents};
use http::StatusCode;
use server::cli;

use crate::common::{
    config,
    oidc::{authorize, OidcProvider, OIDC_CLIENT},
    smtp::SmtpServer,
    Backend, Client, Res, TestApp, ORIGIN,
};

const PASSWORD: &str = "correct horse battery";

pub(crate) fn oidc(idp: &OidcProvider) -> OAuthProvider {
    OAuthProvider::oidc(
        "oidc",
        "Fixture OIDC",
        &idp.issuer,
        OIDC_CLIENT.0,
        OIDC_CLIENT.1,
    )
    .with_authorization_param("prompt", "consent")
}

pub(crate) fn with_email(smtp: &SmtpServer) -> AuthConfigBuilder {
    config().provider(Provider::email(EmailProvider::new(
        smtp.url(),
        "Leptos Auth <no-reply@example.com>",
    )))
}

/// Asks for a sign-in link for `email` in `client` and follows it there; returns the answer.
pub(crate) async fn follow_email_link(client: &mut Client, smtp: &SmtpServer, email: &str) -> Res {
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/auth/signin/email",
            &[("csrfToken", &csrf), ("email", email), ("callbackUrl", "/")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    let mail = smtp.messages(email).await.pop().unwrap();
    client.get(mail.link().strip_prefix(ORIGIN).unwrap()).await
}

/// A POST /signin/<id> (as the sign-in page or the account page's Link button does it),
/// through the provider's pages, back to the app's callback.
pub(crate) async fn oauth_post(client: &mut Client, provider: &str, login: &str) -> Res {
    let csrf = client.csrf().await;
    let start = client
        .post_form(
            &format!("/api/auth/signin/{provider}"),
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    let back = authorize(start.location().unwrap(), login).await;
    client.get(back.strip_prefix(ORIGIN).unwrap()).await
}

fn error_of(res: &Res) -> Option<String> {
    let location = res.location()?;
    let url = url::Url::parse(&format!("{ORIGIN}/"))
        .unwrap()
        .join(location)
        .ok()?;
    let error = url
        .query_pairs()
        .find(|(k, _)| k == "error")?
        .1
        .into_owned();
    Some(error)
}

async fn user_id_of(app: &TestApp, email: &str) -> i32 {
    app.state
        .db
        .get_user_by_email(email)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn an_unproven_address_gets_no_role_from_the_admin_list(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let callbacks = StarterCallbacks {
        admin_emails: vec!["root@example.com".into()],
        ..StarterCallbacks::default()
    };
    let app = TestApp::with(&backend, with_email(&smtp).callbacks(callbacks)).await;
    let mut squatter = app.client();
    squatter
        .register("Root?", "root@example.com", PASSWORD)
        .await;
    assert_eq!(squatter.session().await["user"]["role"], "user");
    assert_eq!(
        squatter.get_html("/admin").await.status,
        StatusCode::FORBIDDEN
    );

    // The owner of the mailbox follows a link: the address is proven, the role applies.
    let mut owner = app.client();
    follow_email_link(&mut owner, &smtp, "root@example.com").await;
    assert_eq!(owner.session().await["user"]["role"], "admin");
    assert_eq!(owner.get_html("/admin").await.status, StatusCode::OK);
}

async fn roles_live_in_the_database(backend: Backend) {
    let app = TestApp::with(
        &backend,
        config()
            .callbacks(StarterCallbacks::default())
            .events(StarterEvents),
    )
    .await;
    let mut ada = app.client();
    ada.register("Ada", "ada@example.com", PASSWORD).await;
    assert_eq!(ada.session().await["user"]["role"], "user");

    let grant =
        cli::parse(&["roles", "grant", "admin", "Ada@Example.com"].map(String::from)).unwrap();
    let said = cli::run(&grant, &app.state.db).await.unwrap();
    assert!(said.contains("now has the role admin"), "{said}");
    let listed = cli::run(&cli::Command::List, &app.state.db).await.unwrap();
    assert!(listed.contains("ada@example.com\tadmin"), "{listed}");
    // A JWT session carries the role from the next sign-in on.
    let mut again = app.client();
    again.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(again.session().await["user"]["role"], "admin");
    assert_eq!(again.get_html("/admin").await.status, StatusCode::OK);

    let revoke = cli::parse(&["roles", "revoke", "ada@example.com"].map(String::from)).unwrap();
    cli::run(&revoke, &app.state.db).await.unwrap();
    let mut later = app.client();
    later.sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(later.session().await["user"]["role"], "user");
    let unknown =
        cli::parse(&["roles", "grant", "admin", "nobody@example.com"].map(String::from)).unwrap();
    assert!(cli::run(&unknown, &app.state.db).await.is_err());
}

async fn a_verified_email_sign_in_reclaims_a_password_registration(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(
        &backend,
        with_email(&smtp).provider(Provider::oauth(oidc(&idp))),
    )
    .await;
    // The attacker registers the victim's address, and links an account of their own to it.
    let mut attacker = app.client();
    attacker.register("Vic", "vic@example.com", PASSWORD).await;
    let linked = oauth_post(&mut attacker, "oidc", "mallory").await;
    assert_eq!(linked.location(), Some("http://127.0.0.1:3000/account"));
    let id = user_id_of(&app, "vic@example.com").await;
    assert_eq!(app.state.db.accounts_of(id).await.unwrap().len(), 1);
    assert_eq!(attacker.session().await["user"]["email"], "vic@example.com");
    // ...and a second factor that would lock the owner out.
    crate::second_factor::enable_totp(&mut attacker).await;
    assert!(app.state.db.totp_of(id).await.unwrap().is_some());

    // The victim signs in with a link from their mailbox: at once, no second step.
    let mut victim = app.client();
    follow_email_link(&mut victim, &smtp, "vic@example.com").await;
    assert!(app.state.db.totp_of(id).await.unwrap().is_none());
    let session = victim.session().await;
    assert_eq!(session["user"]["email"], "vic@example.com");
    assert!(
        session["user"].get("name").is_none(),
        "the attacker's name went: {session}"
    );
    let user = app.state.db.get_user(id).await.unwrap().unwrap();
    assert!(user.email_is_verified());
    // What the attacker set up is gone: the password, the linked account, the session.
    assert!(!app.state.db.has_password(id).await.unwrap());
    assert!(app.state.db.accounts_of(id).await.unwrap().is_empty());
    assert_eq!(attacker.session().await, serde_json::Value::Null);
    let res = app.client().sign_in("vic@example.com", PASSWORD).await;
    assert_eq!(error_of(&res).as_deref(), Some("CredentialsSignin"));
    // The attacker's provider account is free again: signing in with it is a new user.
    let mut mallory = app.client();
    oauth_post(&mut mallory, "oidc", "mallory").await;
    assert_eq!(
        mallory.session().await["user"]["email"],
        "mallory@example.com"
    );
}

async fn reclaiming_ends_database_sessions_too(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(
        &backend,
        with_email(&smtp).session(app::auth::ssr::SessionOptions::database()),
    )
    .await;
    let mut attacker = app.client();
    attacker.register("Vic", "vic@example.com", PASSWORD).await;
    assert_eq!(attacker.session().await["user"]["email"], "vic@example.com");
    let mut victim = app.client();
    follow_email_link(&mut victim, &smtp, "vic@example.com").await;
    assert_eq!(attacker.session().await, serde_json::Value::Null);
    assert_eq!(victim.session().await["user"]["email"], "vic@example.com");
}

async fn the_registrant_confirming_their_own_address_keeps_it(backend: Backend) {
    let smtp = SmtpServer::start(None).await;
    let app = TestApp::with(&backend, with_email(&smtp)).await;
    let mut ada = app.client();
    ada.register("Ada", "ada@example.com", PASSWORD).await;
    // Signed in as that user, in that browser: the same person proves the mailbox.
    follow_email_link(&mut ada, &smtp, "ada@example.com").await;
    let id = user_id_of(&app, "ada@example.com").await;
    assert!(app
        .state
        .db
        .get_user(id)
        .await
        .unwrap()
        .unwrap()
        .email_is_verified());
    assert!(app.state.db.has_password(id).await.unwrap());
    let res = app.client().sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(error_of(&res), None, "{res:?}");
}

async fn a_verified_provider_sign_in_reclaims_a_password_registration(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, config().provider(Provider::oauth(oidc(&idp)))).await;
    let mut attacker = app.client();
    attacker
        .register("Frank?", "frank@example.com", PASSWORD)
        .await;
    let id = user_id_of(&app, "frank@example.com").await;

    let mut owner = app.client();
    let res = oauth_post(&mut owner, "oidc", "frank").await;
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/account"),
        "{res:?}"
    );
    let session = owner.session().await;
    assert_eq!(session["user"]["email"], "frank@example.com");
    assert_eq!(
        session["user"]["name"], "Frank",
        "the provider's name, not the squatter's"
    );
    assert_eq!(user_id_of(&app, "frank@example.com").await, id);
    assert!(!app.state.db.has_password(id).await.unwrap());
    assert_eq!(attacker.session().await, serde_json::Value::Null);
}

async fn unverified_provider_addresses_are_never_trusted(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let trusting = oidc(&idp).allow_dangerous_email_account_linking(true);
    let app = TestApp::with(&backend, config().provider(Provider::oauth(trusting))).await;
    // A new user: the address the provider did not verify is not stored.
    let mut visitor = app.client();
    oauth_post(&mut visitor, "oidc", "unverified-una").await;
    let session = visitor.session().await;
    assert_eq!(session["user"]["name"], "Unverified-una");
    assert!(session["user"].get("email").is_none(), "{session}");
    assert!(app
        .state
        .db
        .get_user_by_email("unverified-una@example.com")
        .await
        .unwrap()
        .is_none());

    // An existing, verified user with that address is not linked on, even with dangerous
    // linking allowed: the provider does not vouch for the address.
    let owner = app
        .state
        .db
        .create_user(&app::auth::ssr::adapter::NewUser {
            name: Some("Owner".into()),
            email: Some("unverified-otto@example.com".into()),
            email_verified: Some(time::OffsetDateTime::now_utc()),
            image: None,
        })
        .await
        .unwrap();
    let mut stranger = app.client();
    oauth_post(&mut stranger, "oidc", "unverified-otto").await;
    assert!(app.state.db.accounts_of(owner.id).await.unwrap().is_empty());
    assert_ne!(
        stranger.session().await["user"]["email"],
        "unverified-otto@example.com"
    );
}

async fn dangerous_linking_needs_both_addresses_verified(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let strict = TestApp::with(&backend, config().provider(Provider::oauth(oidc(&idp)))).await;
    let trusting = TestApp::with(
        &backend,
        config().provider(Provider::oauth(
            oidc(&idp).allow_dangerous_email_account_linking(true),
        )),
    )
    .await;
    for app in [&strict, &trusting] {
        app.state
            .db
            .create_user(&app::auth::ssr::adapter::NewUser {
                name: Some("Gus".into()),
                email: Some("gus@example.com".into()),
                email_verified: Some(time::OffsetDateTime::now_utc()),
                image: None,
            })
            .await
            .unwrap();
    }
    // Without the flag: the owner must sign in as before and link.
    let res = oauth_post(&mut strict.client(), "oidc", "gus").await;
    assert_eq!(error_of(&res).as_deref(), Some("OAuthAccountNotLinked"));
    // With it, both addresses verified: linked.
    let mut client = trusting.client();
    let res = oauth_post(&mut client, "oidc", "gus").await;
    assert_eq!(error_of(&res), None, "{res:?}");
    let id = user_id_of(&trusting, "gus@example.com").await;
    assert_eq!(trusting.state.db.accounts_of(id).await.unwrap().len(), 1);
}

async fn only_a_post_by_the_signed_in_user_links_an_account(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, config().provider(Provider::oauth(oidc(&idp)))).await;
    let mut ada = app.client();
    ada.register("Ada", "ada@example.com", PASSWORD).await;
    let ada_id = user_id_of(&app, "ada@example.com").await;

    // A plain link (GET, no CSRF) while signed in: a sign-in as the provider's user, no link.
    let start = ada
        .get("/api/auth/signin/oidc?callbackUrl=%2Faccount")
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    let back = authorize(start.location().unwrap(), "ivy").await;
    ada.get(back.strip_prefix(ORIGIN).unwrap()).await;
    assert!(app.state.db.accounts_of(ada_id).await.unwrap().is_empty());
    assert_eq!(ada.session().await["user"]["email"], "ivy@example.com");

    // The POST of a signed-in user links.
    let mut ben = app.client();
    ben.register("Ben", "ben@example.com", PASSWORD).await;
    let ben_id = user_id_of(&app, "ben@example.com").await;
    oauth_post(&mut ben, "oidc", "ben-at-idp").await;
    assert_eq!(app.state.db.accounts_of(ben_id).await.unwrap().len(), 1);
    assert_eq!(ben.session().await["user"]["email"], "ben@example.com");
}

async fn a_linking_flow_needs_the_session_that_started_it(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, config().provider(Provider::oauth(oidc(&idp)))).await;
    let mut cy = app.client();
    cy.register("Cy", "cy@example.com", PASSWORD).await;
    let cy_id = user_id_of(&app, "cy@example.com").await;
    let csrf = cy.csrf().await;
    let start = cy
        .post_form(
            "/api/auth/signin/oidc",
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    let back = authorize(start.location().unwrap(), "cy-at-idp").await;
    // The session went away meanwhile (signed out; or the callback reached another browser
    // profile with the same cookies but no session).
    cy.jar.remove("authjs.session-token");
    let res = cy.get(back.strip_prefix(ORIGIN).unwrap()).await;
    assert_eq!(error_of(&res).as_deref(), Some("OAuthCallbackError"));
    assert!(app.state.db.accounts_of(cy_id).await.unwrap().is_empty());
    assert!(app
        .state
        .db
        .get_user_by_email("cy-at-idp@example.com")
        .await
        .unwrap()
        .is_none());
    assert!(cy.session_cookie().is_none());
}

async fn check_cookies_are_bound_to_their_browser_and_provider(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let second = oidc(&idp).with_id("oidc2").with_name("Second");
    let app = TestApp::with(
        &backend,
        config()
            .provider(Provider::oauth(oidc(&idp)))
            .provider(Provider::oauth(second)),
    )
    .await;
    let mut victim = app.client();
    let csrf = victim.csrf().await;
    let start = victim
        .post_form(
            "/api/auth/signin/oidc",
            &[("csrfToken", &csrf), ("callbackUrl", "/")],
        )
        .await;
    let back = authorize(start.location().unwrap(), "kim").await;
    let path = back.strip_prefix(ORIGIN).unwrap().to_owned();

    // The flow's check cookies carried to another browser (one with its own CSRF cookie).
    let mut other = app.client();
    other.csrf().await;
    for name in ["authjs.state", "authjs.pkce.code_verifier", "authjs.nonce"] {
        other
            .jar
            .insert(name.into(), victim.jar.get(name).unwrap().clone());
    }
    let res = other.get(&path).await;
    assert_eq!(error_of(&res).as_deref(), Some("OAuthCallbackError"));
    assert!(other.session_cookie().is_none());

    // The same cookies at another provider's callback.
    let mut same = victim.clone();
    let res = same
        .get(&path.replace("/callback/oidc?", "/callback/oidc2?"))
        .await;
    assert_eq!(error_of(&res).as_deref(), Some("OAuthCallbackError"));
    assert!(same.session_cookie().is_none());

    // In the browser that started it, the flow completes.
    let res = victim.get(&path).await;
    assert_eq!(error_of(&res), None, "{res:?}");
    assert_eq!(victim.session().await["user"]["email"], "kim@example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_cookies_are_host_prefixed_over_https() {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(
        &Backend::Sqlite,
        config()
            .url("https://example.com")
            .unwrap()
            .provider(Provider::oauth(oidc(&idp))),
    )
    .await;
    let mut client = app.client();
    let csrf = client.csrf().await;
    assert!(client.jar.contains_key("__Host-authjs.csrf-token"));
    let start = client
        .post_form(
            "/api/auth/signin/oidc",
            &[("csrfToken", &csrf), ("callbackUrl", "/")],
        )
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    for name in [
        "__Host-authjs.state",
        "__Host-authjs.pkce.code_verifier",
        "__Host-authjs.nonce",
    ] {
        let cookie = start
            .set_cookie(name)
            .unwrap_or_else(|| panic!("no {name}"));
        assert!(cookie.contains("; Secure"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    }
    // The redirect_uri is AUTH_URL's, whatever the Host header said.
    let authorize_url = url::Url::parse(start.location().unwrap()).unwrap();
    let redirect_uri = authorize_url
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    assert_eq!(redirect_uri, "https://example.com/api/auth/callback/oidc");
}

#[tokio::test]
async fn the_roles_command_of_the_binary_sets_a_role() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/roles.db?mode=rwc", dir.path().display());
    let app = TestApp::on_db(app::auth::ssr::Db::connect(&url).await.unwrap(), config()).await;
    app.client()
        .register("Ada", "ada@example.com", PASSWORD)
        .await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(args)
            .env("DATABASE_URL", &url)
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    let out = run(&["roles", "grant", "admin", "ada@example.com"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("now has the role admin"));
    let user = app
        .state
        .db
        .get_user_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.role.as_deref(), Some("admin"));
    let out = run(&["roles", "grant", "admin", "nobody@example.com"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no user has the address"));
    let out = run(&["roles", "bogus"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage"));
}

on_both_databases!(
    an_unproven_address_gets_no_role_from_the_admin_list,
    roles_live_in_the_database,
    a_verified_email_sign_in_reclaims_a_password_registration,
    reclaiming_ends_database_sessions_too,
    the_registrant_confirming_their_own_address_keeps_it,
    a_verified_provider_sign_in_reclaims_a_password_registration,
    unverified_provider_addresses_are_never_trusted,
    dangerous_linking_needs_both_addresses_verified,
    only_a_post_by_the_signed_in_user_links_an_account,
    a_linking_flow_needs_the_session_that_started_it,
    check_cookies_are_bound_to_their_browser_and_provider,
);
