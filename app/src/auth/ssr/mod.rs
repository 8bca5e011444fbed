//! The server half of auth (feature `ssr`): layer 7 of DESIGN.md section 2, the doors. The
//! layers under them are the `auth-core` crate, re-exported here under their own names
//! (`app::auth::ssr::config`, `...::flows`, ...); `app/auth-core/tests/layers.rs` checks that
//! nothing imports upward, here and there.
//!
//! | module | what |
//! |---|---|
//! | `context.rs`, `routes.rs` | the two doors: server functions and axum handlers |
//! | `extract.rs` | axum extractors: the instance, the session, a required session |
//! | `page.rs` | the session in the first HTML, the `authorized` guard |
//! | `cors.rs`, `path.rs`, `security_headers.rs` | per-client CORS, one spelling per path, headers on every page |
//! | `housekeeping.rs` | the periodic purge of expired rows |

// Protocol pieces now in the core crate, under their old names here.
pub use auth_core::protocol::{client_ip, cookies, dates, jwt, password, secret, totp};
// The layers under the doors (2 to 6) are in the core crate, under their names here.
pub use auth_core::{
    adapter, auth, callbacks, config, csrf, error, events, flows, providers, rate_limit, redirect,
    reply, request, revocation, services, session,
};

pub mod context;
pub mod cors;
pub mod extract;
pub mod housekeeping;
pub mod page;
pub mod path;
pub mod routes;
pub mod security_headers;

pub use adapter::{Db, FlowStore};
pub use auth::Auth;
pub use callbacks::{
    Account, Callbacks, JwtParams, JwtTrigger, SessionParams, SignInDecision, SignInKind,
    SignInParams, SignInUser,
};
pub use client_ip::TrustedProxies;
pub use config::{
    AuthConfig, AuthConfigBuilder, ClientOrigin, CookieOverrides, HashLimits, JwtOptions, Pages,
    RateLimits, SessionOptions, SessionStrategy, Theme, TwoFactorOptions,
};
pub use context::auth;
pub use error::{AuthError, ConfigError};
pub use events::Events;
pub use extract::{MaybeSession, RequireSession};
pub use providers::Provider;
pub use request::AuthRequest;
pub use session::Token;
