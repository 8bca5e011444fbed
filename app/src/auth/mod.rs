//! Auth.js for Leptos: sessions, sign-in, sign-out and the built-in pages, speaking Auth.js's
//! wire protocol under `/api/auth`.
//!
//! ```
//! use app::auth::use_session;
//! use leptos::prelude::*;
//!
//! #[component]
//! fn Greeting() -> impl IntoView {
//!     let session = use_session();
//!     move || match session.data().get() {
//!         Some(s) => format!("Signed in as {}", s.user.name.unwrap_or_default()),
//!         None => "Not signed in".to_owned(),
//!     }
//! }
//! ```
//!
//! | module | what it holds |
//! |---|---|
//! | `types` | the wire types, both sides |
//! | `client` | `<SessionProvider>`, `use_session`, `sign_in`, `sign_out` |
//! | `server_fns` | the auth routes that are server functions (`get_session`, ...) |
//! | `pages` | the built-in sign-in, sign-out, error and verify-request pages |
//! | `guard` | `<Protected>` for pages that need a session |
//! | `ssr` | the server-only core (`ssr` feature) |
#![warn(missing_docs)]

pub mod client;
pub mod fetch;
pub mod form;
pub mod guard;
pub mod json;
pub mod pages;
pub mod server_fns;
pub mod types;
pub mod url;

#[cfg(feature = "ssr")]
pub mod ssr;

pub use client::{
    sign_in, sign_out, use_session, use_session_required, SessionContext, SessionProvider,
    SignInOptions, SignOutOptions,
};
pub use guard::Protected;
pub use server_fns::{get_csrf_token, get_linked_accounts, get_providers, get_session};
pub use types::{
    AuthErrorCode, AuthFnError, LinkedAccount, Session, SessionStatus, SignInResponse,
    SignOutResponse, User,
};

/// Sets the HTTP status of the page being rendered on the server; nothing in the browser.
#[cfg(feature = "ssr")]
pub(crate) fn http_status(status: u16) {
    ssr::context::set_status(status);
}

/// Sets the HTTP status of the page being rendered on the server; nothing in the browser.
#[cfg(not(feature = "ssr"))]
pub(crate) fn http_status(_status: u16) {}

/// Answers the page being rendered on the server with a 302 to `url`; nothing in the browser.
#[cfg(feature = "ssr")]
pub(crate) fn http_redirect(url: &str) {
    leptos_axum::redirect(url);
}

/// Answers the page being rendered on the server with a 302 to `url`; nothing in the browser.
#[cfg(not(feature = "ssr"))]
pub(crate) fn http_redirect(_url: &str) {}
