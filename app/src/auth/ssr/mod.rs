//! The server half of auth: compiled with the `ssr` feature only, in layers that import only
//! downward (DESIGN.md section 2; `app/auth-core/tests/layers.rs` checks it on every test run).
//! Layers 1 and 2 (protocol, adapter) are in the `auth-core` crate; the rest is here:
//!
//! | layer | module | Auth.js piece |
//! |---|---|---|
//! | 3 configuration | `config.rs`, `error.rs` | `NextAuthConfig`, `AUTH_*` variables |
//! | | `providers/` | provider settings and presets (data only) |
//! | | `callbacks.rs`, `events.rs` | `callbacks`, `events` (traits over the model types) |
//! | | `request.rs` | what a core operation reads: the request, its site |
//! | services | `services/` | the provider's HTTP client, the mailer, refresh locks |
//! | 4 instance | `auth.rs` | the configured instance, `auth()` |
//! | | `reply.rs` | what a core operation returns |
//! | | `csrf.rs`, `redirect.rs` | the double-submit token; the `redirect` callback, error URLs |
//! | | `rate_limit.rs`, `revocation.rs` | limits; the cache that keeps sign-out-everywhere cheap |
//! | 5 session | `session/` | `GET /session`, create, update, destroy; provider tokens |
//! | 6 flows | `flows/` | `dispatch.rs` (provider and CSRF once), `finish.rs` (where every flow ends), `credentials/`, `oauth/`, `email/`, `sign_out.rs`, `linked_accounts.rs` |
//! | 7 doors | `context.rs`, `routes.rs` | the two doors: server functions and axum handlers |
//! | | `extract.rs`, `page.rs` | axum extractors; the session in the first HTML, `authorized` |
//! | | `cors.rs`, `path.rs`, `security_headers.rs` | per-client CORS, one spelling per path, headers on every page |
//! | | `housekeeping.rs` | the periodic purge of expired rows |

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
