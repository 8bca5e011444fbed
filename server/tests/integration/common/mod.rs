//! Shared test harness: an app on a fresh database (SQLite file or a private PostgreSQL
//! schema), driven in-process with `oneshot`, with a cookie jar like a browser's.
#![allow(dead_code, clippy::unwrap_used)]

use std::{
    collections::BTreeMap,
    sync::atomic::{AtomicUsize, Ordering},
};

use app::{
    auth::ssr::{AuthConfig, AuthConfigBuilder, Provider},
    state::AppState,
};
use axum::{body::Body, Router};
use http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

/// The secret every test app uses unless it says otherwise.
pub const SECRET: &str = "test-secret-0123456789abcdef-0123456789";
/// The origin the test apps believe they are served at.
pub const ORIGIN: &str = "http://127.0.0.1:3000";

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A fresh schema in the PostgreSQL database at this URL.
    Postgres(String),
}

/// The PostgreSQL backend, or `None` (printing why) when the server is not reachable and
/// `REQUIRE_POSTGRES` is not set. With `REQUIRE_POSTGRES=1` an unreachable server fails the test.
pub async fn postgres() -> Option<Backend> {
    let url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let required = std::env::var("REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let reachable = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        sqlx::PgPool::connect(&url),
    )
    .await;
    match reachable {
        Ok(Ok(pool)) => {
            pool.close().await;
            Some(Backend::Postgres(url))
        }
        _ if required => panic!("REQUIRE_POSTGRES=1 but PostgreSQL is not reachable at {url}"),
        _ => {
            eprintln!("PostgreSQL suite SKIPPED: no server at {url} (set TEST_POSTGRES_URL, or REQUIRE_POSTGRES=1 to fail instead)");
            None
        }
    }
}

/// A database for one test; dropped with it.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, schema)) = self.schema.take() {
            // Drop runs outside async; clean up on a thread with its own runtime.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    if let Ok(pool) = sqlx::PgPool::connect(&admin_url).await {
                        let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                            .execute(&pool)
                            .await;
                        pool.close().await;
                    }
                });
            })
            .join();
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty database of the given backend.
pub async fn test_db(backend: &Backend) -> TestDb {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            let url = format!("sqlite://{}/test.db?mode=rwc", dir.path().display());
            TestDb {
                url,
                _dir: Some(dir),
                schema: None,
            }
        }
        Backend::Postgres(admin_url) => {
            let schema = format!("t_{}_{}_{}", std::process::id(), n, rand_suffix());
            let pool = sqlx::PgPool::connect(admin_url).await.unwrap();
            sqlx::query(&format!("CREATE SCHEMA {schema}"))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let sep = if admin_url.contains('?') { '&' } else { '?' };
            let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
            TestDb {
                url,
                _dir: None,
                schema: Some((admin_url.clone(), schema)),
            }
        }
    }
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
}

/// The default auth configuration of the tests: credentials provider, fixed secret, the host
/// trusted (so `Host` decides the origin) unless a test says otherwise.
pub fn config() -> AuthConfigBuilder {
    AuthConfig::builder()
        .secret(SECRET)
        .provider(Provider::credentials())
        .trust_host(true)
        .allow_ephemeral_secret(false)
}

/// An app on a fresh database.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub db: TestDb,
}

impl TestApp {
    /// An app with [`config`] on SQLite.
    pub async fn new() -> Self {
        Self::with(&Backend::Sqlite, config()).await
    }

    /// An app with this configuration and backend.
    pub async fn with(backend: &Backend, config: AuthConfigBuilder) -> Self {
        let db = test_db(backend).await;
        let leptos_options = LeptosOptions::builder()
            .output_name("leptos-auth")
            .site_root("target/site")
            .build();
        let state = server::state(leptos_options, config.build().unwrap(), &db.url)
            .await
            .unwrap();
        Self {
            router: server::router(state.clone()),
            state,
            db,
        }
    }

    /// An app on an open database (a test that manages the database itself).
    pub async fn on_db(db: app::auth::ssr::Db, config: AuthConfigBuilder) -> Self {
        let leptos_options = LeptosOptions::builder()
            .output_name("leptos-auth")
            .site_root("target/site")
            .build();
        let state = server::state_with_db(leptos_options, config.build().unwrap(), db)
            .await
            .unwrap();
        Self {
            router: server::router(state.clone()),
            state,
            db: TestDb {
                url: String::new(),
                _dir: None,
                schema: None,
            },
        }
    }

    /// A client of another router (the app's routes plus a test's own), sharing nothing.
    pub fn client_of(&self, router: Router) -> Client {
        Client {
            router,
            jar: BTreeMap::new(),
            headers: Vec::new(),
            peer: None,
        }
    }

    /// A browser-like client of this app (its own cookie jar).
    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            jar: BTreeMap::new(),
            headers: Vec::new(),
            peer: None,
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The body's bytes, as sent (compressed, if the answer says so).
    pub bytes: Vec<u8>,
}

impl Res {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The `Set-Cookie` line for `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// How long one request may take before the test fails (a hang must fail the test with the
/// request's name, not stall the suite).
pub const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// `future`, or a panic naming the request and what it was waiting for after [`REQUEST_LIMIT`].
async fn within<F: std::future::Future>(what: &str, waiting_for: &str, future: F) -> F::Output {
    tokio::time::timeout(REQUEST_LIMIT, future)
        .await
        .unwrap_or_else(|_| panic!("{what}: no {waiting_for} after {REQUEST_LIMIT:?}"))
}

/// An HTTP client for tests over loopback: a cookie jar, redirects not followed (the tests
/// read them), and every request bounded by [`REQUEST_LIMIT`].
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_LIMIT)
        .build()
        .unwrap()
}

/// A client with a cookie jar, like one browser tab.
#[derive(Clone)]
pub struct Client {
    router: Router,
    pub jar: BTreeMap<String, String>,
    pub headers: Vec<(String, String)>,
    /// The socket address the requests come from (as `axum::serve` would tell the app);
    /// `None`: unknown, as for in-process requests.
    pub peer: Option<std::net::SocketAddr>,
}

impl Client {
    /// This client, its requests coming from `peer` (`"203.0.113.5:4711"`).
    pub fn with_peer(mut self, peer: &str) -> Self {
        self.peer = Some(peer.parse().unwrap());
        self
    }

    /// Sends a request with the jar's cookies; stores the cookies the answer sets.
    pub async fn send(&mut self, request: Request<Body>) -> Res {
        let (mut parts, body) = request.into_parts();
        if !self.jar.is_empty() && !parts.headers.contains_key(header::COOKIE) {
            let cookie = self
                .jar
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            parts
                .headers
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        if !parts.headers.contains_key(header::HOST) {
            parts
                .headers
                .insert(header::HOST, "127.0.0.1:3000".parse().unwrap());
        }
        if let Some(peer) = self.peer {
            parts.extensions.insert(axum::extract::ConnectInfo(peer));
        }
        for (k, v) in &self.headers {
            parts.headers.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        let what = format!("{} {}", parts.method, parts.uri);
        let response = within(
            &what,
            "the response",
            self.router
                .clone()
                .oneshot(Request::from_parts(parts, body)),
        )
        .await
        .unwrap();
        let (parts, body) = response.into_parts();
        let bytes = within(&what, "the body", body.collect())
            .await
            .unwrap()
            .to_bytes();
        let res = Res {
            status: parts.status,
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        };
        for cookie in res.set_cookies() {
            let pair = cookie.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || cookie.contains("Max-Age=0") {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_owned(), value.to_owned());
            }
        }
        res
    }

    pub async fn get(&mut self, uri: &str) -> Res {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// A page navigation (`Accept: text/html`).
    pub async fn get_html(&mut self, uri: &str) -> Res {
        self.send(
            Request::get(uri)
                .header(header::ACCEPT, "text/html,application/xhtml+xml")
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    /// A form POST as a browser without JavaScript makes it.
    pub async fn post_form(&mut self, uri: &str, fields: &[(&str, &str)]) -> Res {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// A form POST as `next-auth/react` makes it (`X-Auth-Return-Redirect: 1`).
    pub async fn post_json_redirect(&mut self, uri: &str, fields: &[(&str, &str)]) -> Res {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-auth-return-redirect", "1")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// A raw request.
    pub async fn raw(
        &mut self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Res {
        let mut request = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }

    /// The CSRF token (fetching `/api/auth/csrf`, which sets the cookie).
    pub async fn csrf(&mut self) -> String {
        let res = self.get("/api/auth/csrf").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        res.json()["csrfToken"].as_str().unwrap().to_owned()
    }

    /// Registers (and so signs in) a user through `POST /api/register`.
    pub async fn register(&mut self, name: &str, email: &str, password: &str) -> Res {
        let csrf = self.csrf().await;
        self.post_form(
            "/api/register",
            &[
                ("csrfToken", &csrf),
                ("name", name),
                ("email", email),
                ("password", password),
                ("callbackUrl", "/"),
            ],
        )
        .await
    }

    /// Signs in with the credentials provider; returns the answer (302).
    pub async fn sign_in(&mut self, email: &str, password: &str) -> Res {
        let csrf = self.csrf().await;
        self.post_form(
            "/api/auth/callback/credentials",
            &[
                ("csrfToken", &csrf),
                ("email", email),
                ("password", password),
                ("callbackUrl", "/"),
            ],
        )
        .await
    }

    /// `GET /api/auth/session` as JSON.
    pub async fn session(&mut self) -> serde_json::Value {
        let res = self.get("/api/auth/session").await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        res.json()
    }

    /// The session cookie in the jar.
    pub fn session_cookie(&self) -> Option<&String> {
        self.jar.get("authjs.session-token")
    }
}

/// Defines each listed `async fn name(backend: Backend)` as a test on SQLite and on PostgreSQL
/// (in scope in every test module: `main.rs` declares `common` first, with `#[macro_use]`).
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(backend) = $crate::common::postgres().await {
                        super::$name(backend).await;
                    }
                }
            )+
        }
    };
}
pub mod oidc;
pub mod process;
pub mod smtp;
