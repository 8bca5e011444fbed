//! OAuth 2 and OpenID Connect against a real provider (npm `oidc-provider` on loopback): sign-in
//! with discovery and id_token, sign-in through userinfo, account creation and linking,
//! unlinking, token refresh, and every way a callback can go wrong.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use app::auth::ssr::{
    adapter::AccountTokens,
    providers::{ClientAuth, OAuthProvider},
    session::provider_tokens as tokens,
    AuthConfigBuilder, Provider,
};
use http::StatusCode;

use crate::common::{
    config,
    oidc::{authorize, OidcProvider, OAUTH_CLIENT, OIDC_CLIENT},
    Backend, Client, Res, TestApp, ORIGIN,
};

fn oidc(provider: &OidcProvider) -> OAuthProvider {
    OAuthProvider::oidc(
        "oidc",
        "Fixture OIDC",
        &provider.issuer,
        OIDC_CLIENT.0,
        OIDC_CLIENT.1,
    )
    .with_scopes(&["openid", "email", "profile", "offline_access"])
    .with_authorization_param("prompt", "consent")
}

fn plain_oauth(provider: &OidcProvider) -> OAuthProvider {
    OAuthProvider::oauth(
        "oauth",
        "Fixture OAuth",
        OAUTH_CLIENT.0,
        OAUTH_CLIENT.1,
        provider.authorization_url(),
        provider.token_url(),
        provider.userinfo_url(),
    )
    .with_scopes(&["openid", "email", "profile"])
    .with_client_auth(ClientAuth::Post)
}

fn with_providers(provider: &OidcProvider) -> AuthConfigBuilder {
    config()
        .provider(Provider::oauth(oidc(provider)))
        .provider(Provider::oauth(plain_oauth(provider)))
}

/// Starts a sign-in with `provider_id` and returns the app's answer to the provider's callback.
async fn sign_in_with(client: &mut Client, provider_id: &str, login: &str) -> Res {
    let csrf = client.csrf().await;
    let start = client
        .post_form(
            &format!("/api/auth/signin/{provider_id}"),
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    assert_eq!(start.status, StatusCode::FOUND, "{}", start.body);
    let back = authorize(start.location().unwrap(), login).await;
    client.get(back.strip_prefix(ORIGIN).unwrap()).await
}

fn expect_error(res: &Res, code: &str) {
    assert_eq!(res.status, StatusCode::FOUND, "{}", res.body);
    let location = res.location().unwrap();
    assert!(location.contains(&format!("error={code}")), "{location}");
}

async fn oidc_sign_in_creates_the_user_then_finds_them(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    let mut client = app.client();
    let res = sign_in_with(&mut client, "oidc", "alice").await;
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/account"),
        "{}",
        res.body
    );
    let session = client.session().await;
    assert_eq!(session["user"]["name"], "Alice");
    assert_eq!(session["user"]["email"], "alice@example.com");
    assert_eq!(session["user"]["image"], "https://example.com/alice.png");

    let user = app
        .state
        .db
        .get_user_by_email("alice@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(
        user.email_verified.is_some(),
        "the provider verified the address"
    );
    let account = app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (account.kind.as_str(), account.provider_account_id.as_str()),
        ("oidc", "alice")
    );
    assert!(account.access_token.is_some() && account.id_token.is_some());
    assert!(
        account.refresh_token.is_some(),
        "offline_access gives a refresh token"
    );
    assert!(account.expires_at.unwrap() > time::OffsetDateTime::now_utc().unix_timestamp());

    // Again, in a fresh browser: the same user, no second account.
    let mut other = app.client();
    sign_in_with(&mut other, "oidc", "alice").await;
    assert_eq!(other.session().await["user"]["email"], "alice@example.com");
    assert_eq!(app.state.db.accounts_of(user.id).await.unwrap().len(), 1);
    // Check cookies are single use: the callback cleared them.
    assert!(!other
        .jar
        .keys()
        .any(|k| k.starts_with("authjs.state") || k.starts_with("authjs.pkce")));
}

async fn plain_oauth_reads_the_profile_from_userinfo(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    let mut client = app.client();
    let res = sign_in_with(&mut client, "oauth", "carol").await;
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/account"),
        "{}",
        res.body
    );
    assert_eq!(client.session().await["user"]["email"], "carol@example.com");
    let user = app
        .state
        .db
        .get_user_by_email("carol@example.com")
        .await
        .unwrap()
        .unwrap();
    let account = app
        .state
        .db
        .account_of(user.id, "oauth")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.kind, "oauth");
    assert!(
        account.id_token.is_none(),
        "plain OAuth does not read the id_token"
    );
}

async fn a_signed_in_user_links_another_provider_and_can_unlink_it(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    let mut client = app.client();
    client
        .register("Dana", "dana@example.com", "correct horse battery")
        .await;
    let res = sign_in_with(&mut client, "oidc", "dana-at-idp").await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/account"));
    let user = app
        .state
        .db
        .get_user_by_email("dana@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .is_some());
    assert_eq!(client.session().await["user"]["email"], "dana@example.com");

    let linked = client.get("/api/auth/linked").await.json();
    let state = |id: &str| {
        linked
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == id)
            .unwrap()["linked"]
            .clone()
    };
    assert_eq!(state("credentials"), true);
    assert_eq!(state("oidc"), true);
    assert_eq!(state("oauth"), false);

    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/auth/unlink/oidc",
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/account"));
    assert!(app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .is_none());
    // Signing in with that provider account now makes a new user (it is free again).
    let mut other = app.client();
    sign_in_with(&mut other, "oidc", "dana-at-idp").await;
    assert_eq!(
        other.session().await["user"]["email"],
        "dana-at-idp@example.com"
    );
}

async fn the_last_way_to_sign_in_cannot_be_unlinked(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    let mut client = app.client();
    sign_in_with(&mut client, "oidc", "erin").await;
    sign_in_with(&mut client, "oauth", "erin-two").await;
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/auth/unlink/oauth",
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/account"));
    let res = client
        .post_form(
            "/api/auth/unlink/oidc",
            &[("csrfToken", &csrf), ("callbackUrl", "/account")],
        )
        .await;
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/account?error=LastSignInMethod")
    );
    let user = app
        .state
        .db
        .get_user_by_email("erin@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .is_some());
    // And CSRF is checked.
    let res = client
        .post_form("/api/auth/unlink/oidc", &[("csrfToken", "forged")])
        .await;
    expect_error(&res, "MissingCSRF");
    // Without a session there is nothing to list.
    let res = app.client().get("/api/auth/linked").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

/// Marks a user's address as verified (as an email link would).
async fn verify_address(app: &TestApp, email: &str) {
    let user = app
        .state
        .db
        .get_user_by_email(email)
        .await
        .unwrap()
        .unwrap();
    app.state
        .db
        .set_email_verified(user.id, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
}

async fn an_existing_email_is_not_linked_unless_the_provider_allows_it(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    app.client()
        .register("Frank", "frank@example.com", "correct horse battery")
        .await;
    // Proven address (an unproven one would be reclaimed instead: see identity.rs).
    verify_address(&app, "frank@example.com").await;
    let mut client = app.client();
    let res = sign_in_with(&mut client, "oidc", "frank").await;
    expect_error(&res, "OAuthAccountNotLinked");
    assert!(client.session_cookie().is_none());

    let trusting = config().provider(Provider::oauth(
        oidc(&idp).allow_dangerous_email_account_linking(true),
    ));
    let app = TestApp::with(&backend, trusting).await;
    app.client()
        .register("Frank", "frank@example.com", "correct horse battery")
        .await;
    verify_address(&app, "frank@example.com").await;
    let mut client = app.client();
    let res = sign_in_with(&mut client, "oidc", "frank").await;
    assert_eq!(res.location(), Some("http://127.0.0.1:3000/account"));
    let user = app
        .state
        .db
        .get_user_by_email("frank@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .is_some());
}

async fn an_account_of_another_user_is_refused(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    sign_in_with(&mut app.client(), "oidc", "gina").await;
    let mut other = app.client();
    other
        .register("Hugo", "hugo@example.com", "correct horse battery")
        .await;
    let res = sign_in_with(&mut other, "oidc", "gina").await;
    expect_error(&res, "OAuthAccountNotLinked");
    assert_eq!(other.session().await["user"]["email"], "hugo@example.com");
}

async fn access_tokens_are_refreshed_once_and_saved(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    let mut client = app.client();
    sign_in_with(&mut client, "oidc", "ivan").await;
    let user = app
        .state
        .db
        .get_user_by_email("ivan@example.com")
        .await
        .unwrap()
        .unwrap();
    let before = app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .unwrap();

    // A fresh token is returned as is.
    let (token, _) = tokens::access_token(&app.state.auth, user.id, "oidc")
        .await
        .unwrap();
    assert_eq!(Some(token), before.access_token);

    // An expired one is refreshed by the first of several concurrent callers; the others wait
    // and reuse its result.
    app.state
        .db
        .store_account_tokens(
            "oidc",
            &before.provider_account_id,
            &AccountTokens {
                access_token: before.access_token.as_deref().unwrap(),
                expires_at: Some(0),
                ..AccountTokens::default()
            },
        )
        .await
        .unwrap();
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let auth = app.state.auth.clone();
            tokio::spawn(async move { tokens::access_token(&auth, user.id, "oidc").await.unwrap() })
        })
        .collect();
    let mut results = Vec::new();
    for call in calls {
        results.push(call.await.unwrap());
    }
    let after = app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(after.access_token, before.access_token, "refreshed");
    assert_ne!(
        after.refresh_token, before.refresh_token,
        "the rotated refresh token is saved"
    );
    assert!(after.expires_at.unwrap() > time::OffsetDateTime::now_utc().unix_timestamp() + 3000);
    assert!(
        results
            .iter()
            .all(|(token, _)| Some(token) == after.access_token.as_ref()),
        "one refresh: every caller got the same new token"
    );
}

async fn a_failed_refresh_shows_on_the_session(backend: Backend) {
    // Tokens that live 2 s are always within the refresh margin, so reading the session
    // refreshes them.
    let idp = OidcProvider::start(2).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    let mut client = app.client();
    sign_in_with(&mut client, "oidc", "judy").await;
    let user = app
        .state
        .db
        .get_user_by_email("judy@example.com")
        .await
        .unwrap()
        .unwrap();
    let first = app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .unwrap();
    let session = client.session().await;
    assert!(session.get("error").is_none(), "{session}");
    let refreshed = app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        refreshed.access_token, first.access_token,
        "reading the session refreshed it"
    );

    // The provider refuses the next refresh: the session says so, and stays signed in.
    app.state
        .db
        .store_account_tokens(
            "oidc",
            &refreshed.provider_account_id,
            &AccountTokens {
                access_token: "stale",
                expires_at: Some(0),
                refresh_token: Some("not-a-refresh-token"),
                id_token: None,
            },
        )
        .await
        .unwrap();
    let session = client.session().await;
    assert_eq!(session["error"], "RefreshTokenError");
    assert_eq!(session["user"]["email"], "judy@example.com");
    // And it is not retried on every read.
    assert_eq!(client.session().await["error"], "RefreshTokenError");
    let untouched = app
        .state
        .db
        .account_of(user.id, "oidc")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(untouched.access_token.as_deref(), Some("stale"));
}

async fn provider_errors_end_on_auth_js_error_pages(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;

    // The user says no at the provider.
    let mut client = app.client();
    let csrf = client.csrf().await;
    client
        .post_form("/api/auth/signin/oidc", &[("csrfToken", &csrf)])
        .await;
    let state = last_state(&client);
    let res = client
        .get(&format!(
            "/api/auth/callback/oidc?error=access_denied&state={state}"
        ))
        .await;
    expect_error(&res, "AccessDenied");
    assert!(res.location().unwrap().contains("/api/auth/error?"));

    // A tampered state.
    let mut client = app.client();
    let csrf = client.csrf().await;
    let start = client
        .post_form("/api/auth/signin/oidc", &[("csrfToken", &csrf)])
        .await;
    let back = authorize(start.location().unwrap(), "jo").await;
    let tampered = back.replace("state=", "state=x");
    let res = client.get(tampered.strip_prefix(ORIGIN).unwrap()).await;
    expect_error(&res, "OAuthCallbackError");

    // No state cookie (another browser, or cookies cleared), and a replayed callback.
    let mut client = app.client();
    let csrf = client.csrf().await;
    let start = client
        .post_form("/api/auth/signin/oidc", &[("csrfToken", &csrf)])
        .await;
    let back = authorize(start.location().unwrap(), "jo").await;
    let path = back.strip_prefix(ORIGIN).unwrap().to_owned();
    let mut stranger = app.client();
    expect_error(&stranger.get(&path).await, "OAuthCallbackError");
    let first = client.get(&path).await;
    assert_eq!(
        first.location(),
        Some("http://127.0.0.1:3000/"),
        "{:?}",
        first.location()
    );
    let replay = client.get(&path).await;
    expect_error(&replay, "OAuthCallbackError");

    // A PKCE verifier and a nonce from another flow: the provider and the id_token check refuse.
    for cookie in ["authjs.pkce.code_verifier", "authjs.nonce"] {
        let mut client = app.client();
        let csrf = client.csrf().await;
        client
            .post_form("/api/auth/signin/oidc", &[("csrfToken", &csrf)])
            .await;
        let foreign = client.jar[cookie].clone();
        let start = client
            .post_form("/api/auth/signin/oidc", &[("csrfToken", &csrf)])
            .await;
        client.jar.insert(cookie.into(), foreign);
        let back = authorize(start.location().unwrap(), "kim").await;
        let res = client.get(back.strip_prefix(ORIGIN).unwrap()).await;
        expect_error(&res, "OAuthCallbackError");
        assert!(client.session_cookie().is_none(), "{cookie}");
    }

    // A callback naming another issuer (RFC 9207 mix-up).
    let mut client = app.client();
    let csrf = client.csrf().await;
    let start = client
        .post_form("/api/auth/signin/oidc", &[("csrfToken", &csrf)])
        .await;
    let back = authorize(start.location().unwrap(), "lou").await;
    let mixed = back.replace("iss=", "iss=https%3A%2F%2Fevil.example&was=");
    expect_error(
        &client.get(mixed.strip_prefix(ORIGIN).unwrap()).await,
        "OAuthCallbackError",
    );

    // A garbage check cookie, and unknown providers.
    let mut client = app.client();
    client.jar.insert("authjs.state".into(), "garbage".into());
    let res = client
        .get("/api/auth/callback/oidc?code=x&state=garbage")
        .await;
    expect_error(&res, "OAuthCallbackError");
    let res = client.get("/api/auth/signin/nope").await;
    expect_error(&res, "Default");
    let res = client.get("/api/auth/callback/nope?code=x").await;
    expect_error(&res, "Default");

    // Still serving.
    assert_eq!(
        client.get("/api/auth/providers").await.status,
        StatusCode::OK
    );
}

fn last_state(client: &Client) -> String {
    // The value is sealed; what matters to the app is that the cookie exists, so any string
    // stands in for the provider's echo when the provider answers with an error.
    assert!(client.jar.contains_key("authjs.state"));
    "whatever".into()
}

async fn providers_and_the_sign_in_page_list_them(backend: Backend) {
    let idp = OidcProvider::start(3600).await;
    let app = TestApp::with(&backend, with_providers(&idp)).await;
    let mut client = app.client();
    let providers = client.get("/api/auth/providers").await.json();
    assert_eq!(providers["oidc"]["type"], "oidc");
    assert_eq!(providers["oauth"]["type"], "oauth");
    assert_eq!(
        providers["oidc"]["callbackUrl"],
        "http://127.0.0.1:3000/api/auth/callback/oidc"
    );
    let page = client.get_html("/api/auth/signin").await;
    assert!(
        page.body.contains(r#"action="/api/auth/signin/oidc""#),
        "{}",
        page.body
    );
    assert!(page.body.contains("Fixture OIDC"));
    // GET /signin/<id> starts the flow directly, still with state and PKCE.
    let res = client
        .get("/api/auth/signin/oidc?callbackUrl=%2Fprotected")
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    let url = url::Url::parse(res.location().unwrap()).unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["response_type"], "code");
    assert!(query["state"].len() >= 43 && query["nonce"].len() >= 43);
    assert_eq!(
        query["redirect_uri"],
        "http://127.0.0.1:3000/api/auth/callback/oidc"
    );
    for cookie in ["authjs.state", "authjs.pkce.code_verifier", "authjs.nonce"] {
        let set = res.set_cookie(cookie).unwrap();
        assert!(
            set.contains("Max-Age=900") && set.contains("HttpOnly"),
            "{set}"
        );
    }
    // POST needs the CSRF token.
    let res = client
        .post_form("/api/auth/signin/oidc", &[("csrfToken", "forged")])
        .await;
    expect_error(&res, "MissingCSRF");
}

on_both_databases!(
    oidc_sign_in_creates_the_user_then_finds_them,
    plain_oauth_reads_the_profile_from_userinfo,
    a_signed_in_user_links_another_provider_and_can_unlink_it,
    the_last_way_to_sign_in_cannot_be_unlinked,
    an_existing_email_is_not_linked_unless_the_provider_allows_it,
    an_account_of_another_user_is_refused,
    access_tokens_are_refreshed_once_and_saved,
    a_failed_refresh_shows_on_the_session,
    provider_errors_end_on_auth_js_error_pages,
    providers_and_the_sign_in_page_list_them,
);

/// Providers that cannot be reached, or answer too slowly: the sign-in fails cleanly.
#[tokio::test]
async fn unreachable_and_slow_providers_fail_cleanly() {
    // A port nobody listens on.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    // A server that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let app = TestApp::with(
        &Backend::Sqlite,
        config()
            .http_timeout(Duration::from_millis(500))
            .provider(Provider::oauth(OAuthProvider::oidc(
                "down",
                "Down",
                format!("http://127.0.0.1:{closed}"),
                "id",
                "secret",
            )))
            .provider(Provider::oauth(OAuthProvider::oidc(
                "slow",
                "Slow",
                format!("http://127.0.0.1:{silent_port}"),
                "id",
                "secret",
            ))),
    )
    .await;
    let mut client = app.client();
    for id in ["down", "slow"] {
        let started = std::time::Instant::now();
        let res = client.get(&format!("/api/auth/signin/{id}")).await;
        expect_error(&res, "OAuthSignin");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{id} took {:?}",
            started.elapsed()
        );
    }
    assert_eq!(client.get("/api/auth/session").await.status, StatusCode::OK);
}

/// GitHub answers token errors with HTTP 200: that is an error too, not a token.
#[tokio::test]
async fn a_token_error_with_http_200_is_an_error() {
    use axum::{routing::post, Json, Router};
    let stub = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", stub.local_addr().unwrap().port());
    tokio::spawn(async move {
        let app = Router::new().route(
            "/login/oauth/access_token",
            post(|| async {
                Json(serde_json::json!({
                    "error": "bad_verification_code",
                    "error_description": "The code passed is incorrect or expired."
                }))
            }),
        );
        axum::serve(stub, app).await.unwrap();
    });
    let github_like = OAuthProvider::oauth(
        "github",
        "GitHub",
        "id",
        "secret",
        format!("{base}/login/oauth/authorize"),
        format!("{base}/login/oauth/access_token"),
        format!("{base}/user"),
    );
    let app = TestApp::with(
        &Backend::Sqlite,
        config().provider(Provider::oauth(github_like)),
    )
    .await;
    let mut client = app.client();
    let start = client.get("/api/auth/signin/github").await;
    let url = url::Url::parse(start.location().unwrap()).unwrap();
    let state = url
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let res = client
        .get(&format!("/api/auth/callback/github?code=abc&state={state}"))
        .await;
    expect_error(&res, "OAuthCallbackError");
    assert!(client.session_cookie().is_none());
}

/// Apple's `response_mode=form_post`: the POST is turned into a GET, which carries the cookies.
#[tokio::test]
async fn form_post_callbacks_are_turned_into_get_navigations() {
    let apple = app::auth::ssr::providers::apple::apple("id", "secret");
    let app = TestApp::with(&Backend::Sqlite, config().provider(Provider::oauth(apple))).await;
    let mut client = app.client();
    let res = client
        .post_form(
            "/api/auth/callback/apple",
            &[("code", "c"), ("state", "s"), ("user", "{}")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(
        res.location(),
        Some("http://127.0.0.1:3000/api/auth/callback/apple?code=c&state=s&user=%7B%7D")
    );
}

/// The `jwt` callback gets the account and the provider's profile on an OAuth sign-in, and the
/// events see the user created and the account linked.
#[tokio::test]
async fn oauth_sign_in_hands_the_account_and_profile_to_callbacks_and_events() {
    use std::sync::{Arc, Mutex};

    use app::auth::{
        ssr::{
            adapter::User, Account, Callbacks, Events, JwtParams, JwtTrigger, SignInKind, Token,
        },
        Session,
    };

    #[derive(Clone, Default)]
    struct Record(Arc<Mutex<Vec<String>>>);

    #[async_trait::async_trait]
    impl Callbacks for Record {
        async fn jwt(&self, params: JwtParams<'_>) -> Option<Token> {
            if let (Some(trigger), Some(account)) = (params.trigger, params.account) {
                let email = params
                    .profile
                    .and_then(|p| p.get("email"))
                    .and_then(|e| e.as_str())
                    .unwrap_or("-");
                self.0.lock().unwrap().push(format!(
                    "jwt {} {}/{} profile={email} access_token={}",
                    if trigger == JwtTrigger::SignUp {
                        "signUp"
                    } else {
                        "signIn"
                    },
                    account.provider,
                    account.kind,
                    account.access_token.is_some()
                ));
            }
            Some(params.token)
        }
    }

    #[async_trait::async_trait]
    impl Events for Record {
        async fn create_user(&self, user: &User) {
            self.0.lock().unwrap().push(format!(
                "create_user {}",
                user.email.clone().unwrap_or_default()
            ));
        }
        async fn link_account(&self, user: &User, account: &Account) {
            self.0.lock().unwrap().push(format!(
                "link_account {} {}",
                user.email.clone().unwrap_or_default(),
                account.provider
            ));
        }
        async fn sign_in(&self, _user: &User, account: Option<&Account>, kind: SignInKind) {
            self.0.lock().unwrap().push(format!(
                "sign_in {} new={}",
                account.map(|a| a.provider.as_str()).unwrap_or("-"),
                kind.is_new_user()
            ));
        }
        async fn session(&self, _session: &Session) {}
    }

    let idp = OidcProvider::start(3600).await;
    let record = Record::default();
    let app = TestApp::with(
        &Backend::Sqlite,
        with_providers(&idp)
            .callbacks(record.clone())
            .events(record.clone()),
    )
    .await;
    let mut client = app.client();
    sign_in_with(&mut client, "oidc", "erin").await;
    assert_eq!(client.session().await["user"]["email"], "erin@example.com");
    let mut again = app.client();
    sign_in_with(&mut again, "oidc", "erin").await;
    assert_eq!(
        record.0.lock().unwrap().clone(),
        [
            "create_user erin@example.com",
            "link_account erin@example.com oidc",
            "jwt signUp oidc/oidc profile=erin@example.com access_token=true",
            "sign_in oidc new=true",
            "jwt signIn oidc/oidc profile=erin@example.com access_token=true",
            "sign_in oidc new=false",
        ]
    );
}
