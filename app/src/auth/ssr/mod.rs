//! The server half of auth: compiled with the `ssr` feature only, one file per concern.
//!
//! | file | Auth.js piece |
//! |---|---|
//! | `config.rs` | `NextAuthConfig`, `AUTH_*` variables |
//! | `auth.rs` | the configured instance, `auth()` |
//! | `request.rs`, `reply.rs` | what a core operation reads and returns |
//! | `csrf.rs` | the double-submit CSRF token |
//! | `session.rs` | `GET /session`, session creation and deletion, sign-out-everywhere |
//! | `revocation.rs` | the cache that keeps sign-out-everywhere off the hot path |
//! | `redirect.rs` | the `redirect` callback and error-page URLs |
//! | `providers/` | provider settings and presets (data), the starter's `authorize` |
//! | `flows/` | one folder per flow: credentials, OAuth, email; the dispatcher, the finisher, sign-out, linked accounts |
//! | `callbacks.rs`, `events.rs` | `callbacks`, `events` |
//! | `page.rs` | SSR: the session in the first HTML, the `authorized` guard |
//! | `cors.rs` | CORS for listed client origins (multi-client) |
//! | `path.rs` | one spelling per path: variants redirect before routing |
//! | `security_headers.rs` | anti-framing, nosniff, referrer, HSTS, no-store on every page |
//! | `context.rs`, `routes.rs` | the two doors: server functions and axum handlers |
//! | `extract.rs` | axum extractors |
//! | `housekeeping.rs` | the periodic purge of expired rows |

// Protocol pieces now in the core crate, under their old names here.
pub use auth_core::protocol::{client_ip, cookies, dates, jwt, password, secret};
// The database adapter (layer 2) is in the core crate too.
pub use auth_core::adapter;

pub mod auth;
pub mod callbacks;
pub mod config;
pub mod context;
pub mod cors;
pub mod csrf;
pub mod error;
pub mod events;
pub mod extract;
pub mod flows;
pub mod housekeeping;
pub mod page;
pub mod path;
pub mod providers;
pub mod rate_limit;
pub mod redirect;
pub mod reply;
pub mod request;
pub mod revocation;
pub mod routes;
pub mod security_headers;
pub mod services;
pub mod session;

pub use adapter::{Db, FlowStore};
pub use auth::Auth;
pub use callbacks::{
    Account, Callbacks, JwtParams, JwtTrigger, SessionParams, SignInDecision, SignInKind,
    SignInParams, SignInUser,
};
pub use client_ip::TrustedProxies;
pub use config::{
    AuthConfig, AuthConfigBuilder, ClientOrigin, CookieOverrides, HashLimits, JwtOptions, Pages,
    RateLimits, SessionOptions, SessionStrategy, Theme,
};
pub use context::auth;
pub use error::{AuthError, ConfigError};
pub use events::Events;
pub use extract::{MaybeSession, RequireSession};
pub use providers::Provider;
pub use request::AuthRequest;
pub use session::Token;
