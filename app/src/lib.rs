//! The Leptos auth starter: a full-stack Leptos app with Auth.js-compatible authentication.
//!
//! - [`auth`]: sessions, sign-in and sign-out, the built-in pages, the server core (`ssr`).
//! - [`pages`]: the starter's own pages (home, register, a protected page).
//! - [`app`]: the root component, routes and HTML shell.
//! - `state` (`ssr`): the state the server's router shares with handlers and SSR.
//!
//! Built twice: with `ssr` into the server binary, with `hydrate` into the browser's wasm,
//! which holds only the islands (Leptos islands mode; README, "Interactive pages").
#![forbid(unsafe_code)]

pub mod app;
pub mod auth;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod state;

pub use app::{shell, App};

/// The browser entry point, called once the wasm has loaded (by `public/enhance.js`, on pages
/// that have islands): prepares the islands' hydration. The page script then hydrates each
/// `<leptos-island>` through its exported function.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    let base = leptos::prelude::document()
        .query_selector(&format!("meta[name={}]", auth::url::BASE_PATH_META))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"));
    if let Some(base) = base {
        // First and only call in the browser, so it cannot be refused.
        let _ = auth::url::set_base_path(&base);
    }
    leptos::mount::hydrate_islands();
}
