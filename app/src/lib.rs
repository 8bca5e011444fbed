//! The Leptos auth starter: a full-stack Leptos app with Auth.js-compatible authentication.
//!
//! - [`auth`]: sessions, sign-in and sign-out, the built-in pages, the server core (`ssr`).
//! - [`pages`]: the starter's own pages (home, register, a protected page).
//! - [`app`]: the root component, routes and HTML shell.
//! - `state` (`ssr`): the state the server's router shares with handlers and SSR.
//!
//! Built twice: with `ssr` into the server binary, with `hydrate` into the browser's wasm.
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod state;

pub use app::{shell, App};

/// The browser entry point: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_body(App);
}
