//! Starts the server: configuration from the environment (`.env` in development), database
//! and migrations, then the router of `lib.rs` until Ctrl-C or SIGTERM. With arguments, runs an
//! operator command instead (`leptos-auth roles ...`, see `cli.rs`).

use anyhow::Context;
use app::auth::ssr::{AuthConfig, Provider};
use app::pages::hooks::{StarterCallbacks, StarterEvents};
use leptos::config::get_configuration;
use tracing_subscriber::EnvFilter;

/// The embedded default: a SQLite file created on first run.
const DEFAULT_DATABASE_URL: &str = "sqlite://data/app.db?mode=rwc";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if cfg!(debug_assertions) {
        // `.env` is a development convenience; production sets real variables.
        let _ = dotenvy::dotenv();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = server::cli::parse(&args).map_err(anyhow::Error::msg)?;
    if command != server::cli::Command::Serve {
        let database_url =
            std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
        let db = app::auth::ssr::Db::connect(&database_url)
            .await
            .context("DATABASE_URL")?;
        db.migrate().await.context("DATABASE_URL: migrations")?;
        let output = server::cli::run(&command, &db)
            .await
            .map_err(anyhow::Error::msg)?;
        db.close().await;
        use std::io::Write as _;
        writeln!(std::io::stdout(), "{output}")?;
        return Ok(());
    }
    let limits = server::serve::Limits::from_vars(|name| std::env::var(name).ok())
        .map_err(anyhow::Error::msg)?;
    // AUTH_DEBUG turns on the auth flows' debug logs (which provider, which check failed; never
    // a secret, token or password) unless RUST_LOG says otherwise.
    let auth_debug = std::env::var("AUTH_DEBUG")
        .ok()
        .and_then(|v| app::auth::ssr::providers::env::flag(&v))
        == Some(true);
    let default_filter = if auth_debug {
        "info,sqlx=warn,app::auth=debug,auth_core=debug"
    } else {
        "info,sqlx=warn"
    };
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        // Colours only on a terminal: log files and collectors get plain text.
        tracing_subscriber::fmt()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .with_env_filter(filter)
            .init();
    }

    let mut leptos_options = get_configuration(None)
        .context("reading the Leptos configuration (LEPTOS_* variables)")?
        .leptos_options;
    if std::env::var_os("LEPTOS_SITE_ROOT").is_none() {
        // Leptos defaults to ".", which would serve the working folder (and the SQLite file in
        // it) as static files. The site is in target/site (or inside the binary).
        leptos_options.site_root = "target/site".into();
    }
    let addr = leptos_options.site_addr;
    let auth_config = AuthConfig::from_env()?
        .site_addr(addr)
        .provider(Provider::credentials())
        .callbacks(StarterCallbacks::from_vars(|name| std::env::var(name).ok()))
        .events(StarterEvents)
        .build()?;
    let database_url =
        std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());

    let state = server::state(leptos_options, auth_config, &database_url).await?;
    server::spawn_cleanup(state.auth.clone(), server::CLEANUP_INTERVAL);
    let app = server::router(state);

    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("binding {addr} (LEPTOS_SITE_ADDR)"))?;
    tracing::info!("listening on http://{addr}");
    server::serve::serve(listener, app, limits, shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
