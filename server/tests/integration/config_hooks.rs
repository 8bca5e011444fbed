//! The Auth.js configuration surface: callbacks where Auth.js calls them, events, custom pages,
//! `new_user`, the session update (`POST /session`), `jwt.max_age`, cookie name overrides,
//! `generate_session_token`, the theme, and the starter's own hooks (`app/src/pages/hooks.rs`).
#![allow(clippy::unwrap_used)]

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use app::auth::{
    ssr::{
        adapter::User, Account, Callbacks, CookieOverrides, Events, JwtOptions, JwtParams,
        JwtTrigger, Pages, SessionOptions, SessionParams, SignInDecision, SignInKind, SignInParams,
        Theme, Token,
    },
    types::ColorScheme,
    Session,
};
use app::pages::hooks::{StarterCallbacks, StarterEvents};
use async_trait::async_trait;
use http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{self, config, Backend, Client, TestApp, ORIGIN};

type Log = Arc<Mutex<Vec<String>>>;

fn entries(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// Callbacks that write down every call, and can be told to refuse or redirect.
#[derive(Clone, Default)]
struct Recording {
    log: Log,
    decision: Option<SignInDecision>,
}

#[async_trait]
impl Callbacks for Recording {
    async fn sign_in(&self, params: SignInParams<'_>) -> SignInDecision {
        self.log.lock().unwrap().push(format!(
            "sign_in {} via {}",
            params.user.email().unwrap_or_default(),
            params.account.map(|a| a.provider.as_str()).unwrap_or("-")
        ));
        self.decision.clone().unwrap_or(SignInDecision::Allow)
    }

    fn redirect(&self, url: &str, base_url: &str) -> String {
        self.log.lock().unwrap().push(format!("redirect {url}"));
        if url.contains("/somewhere-else") {
            return format!("{base_url}/rewritten");
        }
        app::auth::ssr::redirect::default_redirect(url, base_url)
    }

    async fn jwt(&self, params: JwtParams<'_>) -> Option<Token> {
        let trigger = match params.trigger {
            Some(JwtTrigger::SignIn) => "signIn",
            Some(JwtTrigger::SignUp) => "signUp",
            Some(JwtTrigger::Update) => "update",
            None => "read",
        };
        self.log.lock().unwrap().push(format!(
            "jwt {trigger} user={} account={} new={} data={}",
            params.user.is_some(),
            params.account.map(|a| a.kind.as_str()).unwrap_or("-"),
            params.trigger == Some(JwtTrigger::SignUp),
            params.session.map(Value::to_string).unwrap_or_default()
        ));
        let mut token = params.token;
        if let Some(level) = params.session.and_then(|d| d.get("level")) {
            token.extra.insert("level".into(), level.clone());
        }
        Some(token)
    }

    async fn session(&self, params: SessionParams<'_>) -> Session {
        let mut session = params.session;
        if let Some(level) = params.token.and_then(|t| t.extra.get("level")) {
            session.extra.insert("level".into(), level.clone());
        }
        if let Some(data) = params.new_session {
            // Database strategy: `new_session` is what update(data) sent.
            session.extra.insert("updated".into(), data.clone());
        }
        session
    }
}

/// Events that write down every call.
#[derive(Clone, Default)]
struct RecordingEvents {
    log: Log,
}

#[async_trait]
impl Events for RecordingEvents {
    async fn sign_in(&self, user: &User, account: Option<&Account>, kind: SignInKind) {
        self.log.lock().unwrap().push(format!(
            "sign_in {} {} new={}",
            user.email.clone().unwrap_or_default(),
            account.map(|a| a.provider.as_str()).unwrap_or("-"),
            kind.is_new_user()
        ));
    }
    async fn sign_out(&self, token: Option<&Token>, user_id: Option<i32>) {
        self.log.lock().unwrap().push(format!(
            "sign_out token={} user={user_id:?}",
            token.and_then(|t| t.email.clone()).unwrap_or_default()
        ));
    }
    async fn create_user(&self, user: &User) {
        self.log.lock().unwrap().push(format!(
            "create_user {}",
            user.email.clone().unwrap_or_default()
        ));
    }
    async fn session(&self, session: &Session) {
        self.log.lock().unwrap().push(format!(
            "session {}",
            session.user.email.clone().unwrap_or_default()
        ));
    }
}

async fn update(client: &mut Client, data: Value, csrf: Option<&str>) -> Value {
    let mut body = json!({ "data": data });
    if let Some(csrf) = csrf {
        body["csrfToken"] = csrf.into();
    }
    let res = client
        .raw(
            Method::POST,
            "/api/auth/session",
            &[("content-type", "application/json")],
            body.to_string().into_bytes(),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    res.json()
}

#[tokio::test]
async fn the_jwt_callback_runs_with_sign_up_sign_in_update_and_plain_reads() {
    let callbacks = Recording::default();
    let log = callbacks.log.clone();
    let app = TestApp::with(&Backend::Sqlite, config().callbacks(callbacks)).await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    client.session().await;
    let csrf = client.csrf().await;
    let updated = update(&mut client, json!({ "level": 7 }), Some(&csrf)).await;
    assert_eq!(updated["level"], 7, "update(data) reached the jwt callback");
    assert_eq!(
        client.session().await["level"],
        7,
        "and the new token was kept"
    );
    let mut other = app.client();
    other.sign_in("ada@example.com", "correct horse 1").await;

    let jwt: Vec<String> = entries(&log)
        .into_iter()
        .filter(|e| e.starts_with("jwt"))
        .collect();
    assert_eq!(
        jwt,
        [
            "jwt signUp user=true account=credentials new=true data=",
            "jwt read user=false account=- new=false data=",
            "jwt update user=false account=- new=false data={\"level\":7}",
            "jwt read user=false account=- new=false data=",
            "jwt signIn user=true account=credentials new=false data=",
        ]
    );
}

#[tokio::test]
async fn an_update_without_a_valid_csrf_token_changes_nothing() {
    let app = TestApp::with(&Backend::Sqlite, config().callbacks(Recording::default())).await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    // As @auth/core 0.41's validateCSRF: 400 with a null body, and nothing changes.
    for body in [
        json!({ "csrfToken": "0".repeat(64), "data": { "level": 9 } }),
        json!({ "data": { "level": 9 } }),
    ] {
        let res = client
            .raw(
                Method::POST,
                "/api/auth/session",
                &[("content-type", "application/json")],
                body.to_string().into_bytes(),
            )
            .await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
        assert_eq!(res.body, "null");
    }
    let session = client.session().await;
    assert_eq!(session["user"]["email"], "ada@example.com");
    assert!(session.get("level").is_none());
    // Garbage bodies are a 400, not a crash.
    let res = client
        .raw(
            Method::POST,
            "/api/auth/session",
            &[("content-type", "application/json")],
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

async fn database_sessions_pass_the_update_to_the_session_callback(backend: Backend) {
    let app = TestApp::with(
        &backend,
        config()
            .callbacks(Recording::default())
            .session(SessionOptions::database()),
    )
    .await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    let csrf = client.csrf().await;
    let answer = update(&mut client, json!({ "theme": "dark" }), Some(&csrf)).await;
    assert_eq!(answer["updated"], json!({ "theme": "dark" }));
    assert!(client.session().await.get("updated").is_none());
}

#[tokio::test]
async fn database_sessions_pass_the_update_to_the_session_callback_sqlite() {
    database_sessions_pass_the_update_to_the_session_callback(Backend::Sqlite).await;
}

#[tokio::test]
async fn database_sessions_pass_the_update_to_the_session_callback_postgres() {
    if let Some(backend) = common::postgres().await {
        database_sessions_pass_the_update_to_the_session_callback(backend).await;
    }
}

#[tokio::test]
async fn the_sign_in_callback_can_refuse_or_send_elsewhere() {
    let refuse = Recording {
        decision: Some(SignInDecision::Deny),
        ..Recording::default()
    };
    let app = TestApp::with(&Backend::Sqlite, config().callbacks(refuse)).await;
    let mut client = app.client();
    let res = client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/api/auth/error?error=AccessDenied"))
    );
    assert!(client.session_cookie().is_none());

    let elsewhere = Recording {
        decision: Some(SignInDecision::RedirectTo("/pending-approval".into())),
        ..Recording::default()
    };
    let app = TestApp::with(&Backend::Sqlite, config().callbacks(elsewhere)).await;
    let mut client = app.client();
    let res = client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/pending-approval")));
    assert!(client.session_cookie().is_none());
}

#[tokio::test]
async fn the_redirect_callback_decides_every_target() {
    let callbacks = Recording::default();
    let log = callbacks.log.clone();
    let app = TestApp::with(&Backend::Sqlite, config().callbacks(callbacks)).await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    let csrf = client.csrf().await;
    let res = client
        .post_form(
            "/api/auth/signout",
            &[("csrfToken", &csrf), ("callbackUrl", "/somewhere-else")],
        )
        .await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/rewritten")));
    assert!(entries(&log).contains(&"redirect /somewhere-else".to_owned()));
}

#[tokio::test]
async fn events_fire_once_each_with_the_user() {
    let events = RecordingEvents::default();
    let log = events.log.clone();
    let app = TestApp::with(&Backend::Sqlite, config().events(events)).await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    client.session().await;
    let csrf = client.csrf().await;
    client
        .post_form(
            "/api/auth/signout",
            &[("csrfToken", &csrf), ("callbackUrl", "/")],
        )
        .await;
    client.sign_in("ada@example.com", "correct horse 1").await;
    assert_eq!(
        entries(&log),
        [
            "create_user ada@example.com",
            "sign_in ada@example.com credentials new=true",
            "session ada@example.com",
            "sign_out token=ada@example.com user=None",
            "sign_in ada@example.com credentials new=false",
        ]
    );
}

#[tokio::test]
async fn custom_pages_receive_every_redirect_and_new_users_go_to_new_user() {
    let pages = Pages {
        sign_in: Some("/login".into()),
        sign_out: Some("/bye".into()),
        error: Some("/oops".into()),
        verify_request: Some("/check-email".into()),
        new_user: Some("/welcome".into()),
        two_factor: Some("/second-step".into()),
    };
    let app = TestApp::with(
        &Backend::Sqlite,
        config().pages(pages).callbacks(StarterCallbacks {
            denied_domains: vec!["blocked.example".into()],
            ..StarterCallbacks::default()
        }),
    )
    .await;
    let mut client = app.client();

    // The guard and the built-in pages send visitors to the custom ones.
    let res = client.get_html("/protected?tab=2").await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(
        res.location(),
        Some("/login?callbackUrl=%2Fprotected%3Ftab%3D2")
    );
    for (builtin, custom) in [
        (
            "/api/auth/signin?callbackUrl=%2Fx",
            "/login?callbackUrl=%2Fx",
        ),
        ("/api/auth/signout", "/bye"),
        (
            "/api/auth/error?error=Configuration",
            "/oops?error=Configuration",
        ),
        ("/api/auth/verify-request", "/check-email"),
        ("/api/auth/two-factor", "/second-step"),
    ] {
        let res = client.get_html(builtin).await;
        assert_eq!(res.location(), Some(custom), "{builtin}");
    }
    // The custom sign-in page is the starter's /login, which renders the provider forms.
    let login = client.get_html("/login?callbackUrl=%2Fx").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Welcome back"));
    assert!(login
        .body
        .contains("action=\"/api/auth/callback/credentials\""));

    // A first sign-in goes to new_user, later ones to their callbackUrl.
    let res = client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/welcome")));
    let mut again = app.client();
    let res = again.sign_in("ada@example.com", "wrong password!").await;
    assert_eq!(
        res.location(),
        Some(&*format!(
            "{ORIGIN}/login?error=CredentialsSignin&code=credentials&callbackUrl=%2F"
        ))
    );
    let res = again.sign_in("ada@example.com", "correct horse 1").await;
    assert_eq!(res.location(), Some(&*format!("{ORIGIN}/")));

    // Errors for the error page go to pages.error.
    let res = again
        .post_form(
            "/api/auth/signout",
            &[("csrfToken", "bad"), ("callbackUrl", "/")],
        )
        .await;
    assert!(res
        .location()
        .unwrap()
        .starts_with(&format!("{ORIGIN}/login?error=MissingCSRF")));
    let mut blocked = app.client();
    let res = blocked
        .register("Eve", "eve@blocked.example", "correct horse 1")
        .await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/oops?error=AccessDenied"))
    );
}

#[tokio::test]
async fn pages_must_be_local_paths() {
    for bad in ["https://evil.example/login", "//evil.example", "login"] {
        let err = config()
            .pages(Pages {
                sign_in: Some(bad.into()),
                ..Pages::default()
            })
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("pages.sign_in"), "{err}");
    }
}

#[tokio::test]
async fn the_starter_hooks_put_a_role_in_the_session_and_guard_admin() {
    let callbacks = StarterCallbacks {
        admin_emails: vec!["root@example.com".into()],
        denied_domains: vec!["blocked.example".into()],
    };
    let app = TestApp::with(
        &Backend::Sqlite,
        config().callbacks(callbacks).events(StarterEvents),
    )
    .await;

    let mut visitor = app.client();
    let res = visitor.get_html("/admin").await;
    assert_eq!(res.status, StatusCode::FOUND);
    assert_eq!(
        res.location(),
        Some("/api/auth/signin?callbackUrl=%2Fadmin")
    );

    let mut user = app.client();
    user.register("Ada", "ada@example.com", "correct horse 1")
        .await;
    let session = user.session().await;
    assert_eq!(session["user"]["role"], "user");
    assert!(session["user"]["id"].as_str().is_some());
    let res = user.get_html("/admin").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(!res.body.contains("Only the admin role"));
    assert_eq!(user.get_html("/protected").await.status, StatusCode::OK);

    // A registration does not prove its address: no role from the admin list. The role comes
    // from the database (`leptos-auth roles grant admin root@example.com`).
    let mut admin = app.client();
    admin
        .register("Root", "root@example.com", "correct horse 1")
        .await;
    assert_eq!(admin.session().await["user"]["role"], "user");
    app.state
        .db
        .set_role("root@example.com", Some("admin"))
        .await
        .unwrap();
    let mut admin = app.client();
    admin.sign_in("root@example.com", "correct horse 1").await;
    assert_eq!(admin.session().await["user"]["role"], "admin");
    let page = admin.get_html("/admin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Only the admin role"), "{}", page.body);

    // update({name}) renames the session through the jwt callback; other fields are ignored.
    let csrf = admin.csrf().await;
    let answer = update(
        &mut admin,
        json!({ "name": "Boss", "role": "user" }),
        Some(&csrf),
    )
    .await;
    assert_eq!(answer["user"]["name"], "Boss");
    assert_eq!(answer["user"]["role"], "admin");

    // sign_in refuses the denied domain.
    let mut blocked = app.client();
    let res = blocked
        .register("Eve", "eve@blocked.example", "correct horse 1")
        .await;
    assert_eq!(
        res.location(),
        Some(&*format!("{ORIGIN}/api/auth/error?error=AccessDenied"))
    );
}

#[tokio::test]
async fn jwt_max_age_sets_the_token_expiry_and_session_max_age_the_cookie() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config()
            .jwt(JwtOptions {
                max_age: Some(Duration::from_secs(600)),
            })
            .session(SessionOptions::default().max_age(Duration::from_secs(3600))),
    )
    .await;
    let mut client = app.client();
    let res = client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    let cookie = res.set_cookie("authjs.session-token").unwrap();
    let now = time::OffsetDateTime::now_utc();
    let raw = client.session_cookie().unwrap();
    let keys = app::auth::ssr::jwt::KeySet::derive(
        &[app::auth::ssr::secret::Secret::new(
            common::SECRET.to_owned(),
        )],
        "authjs.session-token",
    );
    let claims: Value = serde_json::from_slice(&keys.open(raw).unwrap()).unwrap();
    let exp = claims["exp"].as_i64().unwrap();
    assert!((exp - now.unix_timestamp() - 600).abs() <= 5, "exp {exp}");
    // The cookie itself lives session.max_age (an hour).
    let expires = cookie
        .split("Expires=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    let expires =
        time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc2822)
            .unwrap();
    assert!(((expires - now).whole_seconds() - 3600).abs() <= 5);
}

#[tokio::test]
async fn cookie_names_can_be_overridden() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().cookies(CookieOverrides {
            session_token: Some("app.sid".into()),
            csrf_token: Some("app.csrf".into()),
            ..CookieOverrides::default()
        }),
    )
    .await;
    let mut client = app.client();
    let csrf = client.get("/api/auth/csrf").await;
    assert!(csrf.set_cookie("app.csrf").is_some());
    let res = client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    assert!(
        res.set_cookie("app.sid").is_some(),
        "{:?}",
        res.set_cookies()
    );
    assert!(res.set_cookie("authjs.session-token").is_none());
    assert_eq!(client.session().await["user"]["email"], "ada@example.com");
    assert!(config()
        .cookies(CookieOverrides {
            state: Some("bad name;".into()),
            ..CookieOverrides::default()
        })
        .build()
        .is_err());
}

#[tokio::test]
async fn generate_session_token_makes_database_session_tokens() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().session(
            SessionOptions::database()
                .generate_session_token(|| format!("sess_{}", hex::encode(rand_bytes()))),
        ),
    )
    .await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    let token = client.jar.get("authjs.session-token").unwrap().clone();
    assert!(
        token.starts_with("sess_") && token.len() == 5 + 64,
        "{token}"
    );
    assert_eq!(client.session().await["user"]["email"], "ada@example.com");
}

fn rand_bytes() -> [u8; 32] {
    use sha2::Digest;
    let seed = format!(
        "{:?}{:?}",
        std::time::SystemTime::now(),
        std::thread::current().id()
    );
    sha2::Sha256::digest(seed.as_bytes()).into()
}

#[tokio::test]
async fn the_theme_is_applied_to_the_built_in_pages() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().theme(Theme {
            brand_color: Some("#ff0066".into()),
            logo: Some("/logo.svg".into()),
            button_text: Some("#000".into()),
            color_scheme: ColorScheme::Dark,
        }),
    )
    .await;
    let page = app.client().get_html("/api/auth/signin").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("auth-page scheme-dark"), "{}", page.body);
    assert!(page.body.contains("--brand:#ff0066;--brand-text:#000;"));
    assert!(page.body.contains("src=\"/logo.svg\""));

    // A value that is not a colour never reaches the style attribute.
    let app = TestApp::with(
        &Backend::Sqlite,
        config().theme(Theme {
            brand_color: Some("red;} body{display:none".into()),
            ..Theme::default()
        }),
    )
    .await;
    let page = app.client().get_html("/api/auth/signin").await;
    assert!(
        !page.body.contains("--brand:red"),
        "no style from a bad value"
    );
    assert!(page.body.contains("auth-page scheme-auto"));
}

#[tokio::test]
async fn options_come_from_the_environment_too() {
    let vars = [
        ("AUTH_SECRET", common::SECRET),
        ("AUTH_SESSION_MAX_AGE", "3600"),
        ("AUTH_SESSION_UPDATE_AGE", "60"),
        ("AUTH_JWT_MAX_AGE", "600"),
        ("AUTH_PAGES_SIGN_IN", "/login"),
        ("AUTH_PAGES_NEW_USER", "/welcome"),
        ("AUTH_THEME_BRAND_COLOR", "#123456"),
        ("AUTH_THEME_COLOR_SCHEME", "light"),
        (
            "AUTH_CLIENT_ORIGINS",
            "spa=http://127.0.0.1:3300, mobile=https://m.example.com",
        ),
    ];
    let config = app::auth::ssr::AuthConfigBuilder::from_vars(|name| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    })
    .unwrap()
    .build()
    .unwrap();
    assert_eq!(config.session().max_age, Duration::from_secs(3600));
    assert_eq!(config.session().update_age, Duration::from_secs(60));
    assert_eq!(config.jwt_max_age(), Duration::from_secs(600));
    assert_eq!(config.pages().sign_in.as_deref(), Some("/login"));
    assert_eq!(config.pages().new_user.as_deref(), Some("/welcome"));
    assert_eq!(config.theme().brand_color.as_deref(), Some("#123456"));
    assert_eq!(config.theme().color_scheme, ColorScheme::Light);
    let clients: Vec<(&str, &str)> = config
        .client_origins()
        .iter()
        .map(|c| (c.id.as_str(), c.origin.as_str()))
        .collect();
    assert_eq!(
        clients,
        [
            ("spa", "http://127.0.0.1:3300"),
            ("mobile", "https://m.example.com")
        ]
    );
    for (name, value) in [
        ("AUTH_CLIENT_ORIGINS", "http://no-id.example"),
        ("AUTH_CLIENT_ORIGINS", "spa=http://a.example/path"),
        ("AUTH_THEME_COLOR_SCHEME", "purple"),
        ("AUTH_PAGES_SIGN_IN", "https://evil.example"),
        ("AUTH_SESSION_MAX_AGE", "-1"),
    ] {
        let result =
            app::auth::ssr::AuthConfigBuilder::from_vars(|n| (n == name).then(|| value.to_owned()))
                .and_then(|b| b.secret(common::SECRET).build());
        let err = result
            .err()
            .unwrap_or_else(|| panic!("{name}={value} accepted"));
        let text = err.to_string();
        assert!(
            text.contains(name) || text.contains("pages.sign_in"),
            "{name}: {text}"
        );
    }
}

#[tokio::test]
async fn a_session_callback_shapes_sessions_of_page_renders_too() {
    let app = TestApp::with(
        &Backend::Sqlite,
        config().callbacks(StarterCallbacks::default()),
    )
    .await;
    let mut client = app.client();
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    let page = client.get_html("/").await;
    assert!(
        page.body.contains("\\\"role\\\":\\\"user\\\"") || page.body.contains("\"role\":\"user\""),
        "the SSR session (written into the page) went through the session callback"
    );
}

#[tokio::test]
async fn axum_handlers_read_the_session_with_the_extractors() {
    use app::auth::ssr::{MaybeSession, RequireSession};
    use axum::routing::get;
    let app = TestApp::new().await;
    let router =
        axum::Router::new()
            .route(
                "/api/me",
                get(|RequireSession(session): RequireSession| async move {
                    session.user.email.unwrap_or_default()
                }),
            )
            .route(
                "/api/maybe",
                get(|MaybeSession(session): MaybeSession| async move {
                    format!("{}", session.is_some())
                }),
            )
            .with_state(app.state.clone())
            .merge(app.router.clone());
    let mut client = app.client_of(router);
    let res = client.get("/api/me").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.json(), json!({ "error": "SessionRequired" }));
    let res = client.get_html("/api/me?x=1").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.location(),
        Some("/api/auth/signin?callbackUrl=%2Fapi%2Fme%3Fx%3D1")
    );
    assert_eq!(client.get("/api/maybe").await.body, "false");
    client
        .register("Ada", "ada@example.com", "correct horse 1")
        .await;
    assert_eq!(client.get("/api/me").await.body, "ada@example.com");
    assert_eq!(client.get("/api/maybe").await.body, "true");
}
