//! The server: builds the state once and the axum router that serves the app.
//!
//! [`router`] is all the wiring: the Leptos pages (behind the page middleware that resolves the
//! session for SSR), the server functions (the auth routes among them), the axum-only auth
//! routes, static files, and the layers (canonical paths, security headers, flow sessions, body
//! limit, tracing). [`serve::serve`] adds the connection limits and timeouts. `main.rs` reads the
//! configuration and serves it; the integration tests call [`router`] directly.

use std::{sync::OnceLock, time::Duration};

use app::{
    auth::ssr::{
        housekeeping, page, routes as auth_routes, security_headers, Auth, AuthConfig, Db,
        FlowStore,
    },
    shell,
    state::AppState,
    App,
};
use axum::{
    body::Body,
    extract::{MatchedPath, State},
    http::{header, Request, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, on, MethodFilter},
    Json, Router,
};
use leptos::{config::LeptosOptions, prelude::provide_context};
use leptos_axum::{
    generate_route_list, handle_server_fns_with_context, AxumRouteListing, LeptosRoutes,
};
use tower_http::{limit::RequestBodyLimitLayer, trace::TraceLayer};
use tower_sessions::SessionManagerLayer;

mod assets;
pub mod cli;
mod compression;
pub mod serve;

/// Request bodies above this size are refused with 413 (auth forms are tiny).
pub const BODY_LIMIT: usize = 64 * 1024;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Bad auth configuration.
    #[error(transparent)]
    Config(#[from] app::auth::ssr::ConfigError),
    /// The database could not be opened or migrated.
    #[error("DATABASE_URL: {0}")]
    Database(#[from] app::auth::ssr::adapter::AdapterError),
    /// This process already serves the auth routes under another base path.
    #[error("base path {wanted}: this process already serves its auth routes under {serving}")]
    BasePath {
        /// The base path asked for.
        wanted: String,
        /// The one set first.
        serving: &'static str,
    },
}

/// Opens the database, runs the migrations and builds the state.
///
/// # Errors
/// [`StartError`] naming what is wrong.
pub async fn state(
    leptos_options: LeptosOptions,
    config: AuthConfig,
    database_url: &str,
) -> Result<AppState, StartError> {
    state_with_db(leptos_options, config, Db::connect(database_url).await?).await
}

/// [`state`] on an open database.
///
/// # Errors
/// [`StartError`] naming what is wrong.
pub async fn state_with_db(
    leptos_options: LeptosOptions,
    config: AuthConfig,
    db: Db,
) -> Result<AppState, StartError> {
    // The pages and the browser's client read the base path from the process (`auth::url`).
    app::auth::url::set_base_path(config.base_path()).map_err(|serving| StartError::BasePath {
        wanted: config.base_path().to_owned(),
        serving,
    })?;
    db.migrate().await?;
    let auth = Auth::new(config, db.clone())?;
    Ok(AppState {
        leptos_options,
        auth,
        db,
    })
}

/// The app's routes, listed once per process.
///
/// Listing them renders the app with resource loading switched off through a process-wide
/// flag (leptos_server's `SuppressResourceLoad`), and a resource that first polls while the flag
/// is up waits forever (leptos#4773): a page with a `<Suspense>` rendered by another router in
/// the same process at that moment would never finish. Listing once, before the first router
/// exists, means no page can be rendering while it happens, however many routers a process
/// builds (the integration tests build one per test).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole app as an axum router.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let context = {
        let auth = state.auth.clone();
        move || provide_context(auth.clone())
    };
    let render =
        leptos_axum::render_route_with_context::<AppState, _>(routes.clone(), context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        });
    // Flow state (a refused form's values) is only needed by pages and form posts, so the
    // tower-sessions layer wraps those and not the hot JSON routes.
    let flow_sessions = page::flow_sessions(&state.auth, state.db.clone());

    Router::new()
        .leptos_routes_with_handler(routes, render)
        .route_layer(middleware::from_fn_with_state(
            state.auth.clone(),
            page::middleware,
        ))
        .route_layer(flow_sessions.clone())
        .merge(server_fn_routes(
            &state.auth,
            context.clone(),
            flow_sessions,
        ))
        // The axum auth routes need only the auth instance; as their own state it spares every
        // request (`GET /session` is the hot path) a clone of the whole `AppState`.
        .merge(auth_routes::router::<Auth>(&state.auth).with_state(state.auth.clone()))
        .route("/api/health", get(health))
        .fallback_service(
            site_files(&state.leptos_options, context)
                .layer(middleware::from_fn_with_state(
                    state.auth.clone(),
                    page::fallback,
                ))
                .with_state::<()>(state.clone()),
        )
        .layer(middleware::from_fn_with_state(
            state.auth.clone(),
            app::auth::ssr::cors::middleware,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(compression::pages())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or(request.uri().path(), MatchedPath::as_str);
                tracing::debug_span!("request", method = %request.method(), route)
            }),
        )
        // Every request, routed or not, passes here first: a variant of a path is redirected
        // before any handler or guard sees it, and every answer gets the security headers.
        .layer(security_headers::SecurityLayer::new(state.auth.clone()))
        .with_state(state)
}

/// `GET /api/health`: 200 when the database answers, 503 when it does not (for load balancers
/// and orchestrators).
async fn health(State(db): State<Db>) -> Response {
    match db.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": "ok" })).into_response(),
        Err(error) => {
            tracing::warn!(%error, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({ "status": "unavailable", "database": "unavailable" })),
            )
                .into_response()
        }
    }
}

/// The fallback: static files from the site folder (`LEPTOS_SITE_ROOT`), else the 404 page.
#[cfg(not(feature = "embed-site"))]
fn site_files(
    _options: &LeptosOptions,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> axum::routing::MethodRouter<AppState> {
    axum::routing::any(leptos_axum::file_and_error_handler_with_context::<
        AppState,
        _,
    >(context, shell))
}

/// The fallback: static files compiled into the binary, else the 404 page. Nothing is read
/// from the disk, so the binary runs alone in any folder.
#[cfg(feature = "embed-site")]
fn site_files(
    options: &LeptosOptions,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> axum::routing::MethodRouter<AppState> {
    let options = options.clone();
    let not_found =
        leptos_axum::render_app_to_stream_with_context(context, move || shell(options.clone()));
    axum::routing::any(move |request: Request<Body>| async move {
        if let Some(file) = assets::serve(&request) {
            return file;
        }
        let mut response = not_found(request).await;
        if response.status() == StatusCode::OK {
            *response.status_mut() = StatusCode::NOT_FOUND;
        }
        response
    })
}

/// Every server function at its own path and method (so a page and a server function can share
/// a path, as `GET /api/auth/signout` and `POST /api/auth/signout` do).
///
/// The auth server functions are declared under `/api/auth` and mounted under the configured
/// base path (`auth::url::rebase`); a request there is handed to Leptos at the declared path.
/// Form posts (POST) get the flow-session layer; the GET routes stay lean.
fn server_fn_routes(
    auth: &Auth,
    context: impl Fn() + Clone + Send + Sync + 'static,
    flow_sessions: SessionManagerLayer<FlowStore>,
) -> Router<AppState> {
    let mut router = Router::new();
    for (declared, method) in leptos::server_fn::axum::server_fn_paths() {
        let path = app::auth::url::rebase(declared, auth.config().base_path());
        if auth_routes::serves(auth, &path, &method) {
            continue;
        }
        let Ok(filter) = MethodFilter::try_from(method.clone()) else {
            continue;
        };
        let context = context.clone();
        let moved = *path != *declared;
        let route = on(filter, move |mut request: Request<Body>| async move {
            if moved {
                to_declared_path(&mut request, declared);
            }
            drop_form_redirect(handle_server_fns_with_context(context, request).await)
        });
        router = if method == axum::http::Method::POST {
            router.route(&path, route.layer(flow_sessions.clone()))
        } else {
            router.route(&path, route)
        };
    }
    router
}

/// Points a request at the path its server function is declared under, keeping the query.
fn to_declared_path(request: &mut Request<Body>, declared: &str) {
    let target = match request.uri().query() {
        Some(query) => format!("{declared}?{query}"),
        None => declared.to_owned(),
    };
    if let Ok(uri) = target.parse() {
        *request.uri_mut() = uri;
    }
}

/// A server function called with `Accept: text/html` is answered with a redirect to its
/// Referer (form support); the auth routes set their own status, so a 2xx keeps no `Location`.
fn drop_form_redirect(response: impl axum::response::IntoResponse) -> Response {
    let mut response = response.into_response();
    if response.status().is_success() {
        response.headers_mut().remove(header::LOCATION);
    }
    response
}

/// How often [`spawn_cleanup`] purges expired rows in production.
pub const CLEANUP_INTERVAL: Duration = Duration::from_secs(300);

/// Deletes expired rows (rate-limit windows, sign-in links, database sessions, flow sessions)
/// now and then every `every`, for as long as the runtime lives.
pub fn spawn_cleanup(auth: Auth, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            if let Err(error) = housekeeping::purge_expired(&auth).await {
                error.log();
            }
        }
    })
}
