//! The state the server's router shares: handlers get its parts with `State<_>`, SSR and
//! server functions get them from the Leptos context.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::auth::ssr::{Auth, Db};

/// Everything a request may need.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    /// Leptos's options (site root, addresses).
    pub leptos_options: LeptosOptions,
    /// The auth instance.
    pub auth: Auth,
    /// The database pool.
    pub db: Db,
}
