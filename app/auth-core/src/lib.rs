//! The auth core of the Leptos auth starter: Auth.js's protocol in Rust, with no Leptos in it,
//! so a plain axum app (or a test) can use it alone.
//!
//! It is built in layers that only import downward (a test, `tests/layers.rs`, fails when one
//! imports a higher one):
//!
//! 1. [`protocol`]: names, wire shapes, JWE, cookies, CSRF, OAuth checks, redirect rules,
//!    password hashing, email normalisation. No instance, no configuration.
//! 2. [`adapter`] (feature `server`): the database (SQLite, PostgreSQL), returning the public
//!    model types of [`adapter::model`] ([`adapter::User`], [`adapter::Account`]), never rows.
//!
//! 3. configuration: [`config`], [`error`], [`providers`] (data), [`callbacks`] and [`events`]
//!    (traits over the model types), [`request`] (what a flow reads from a request); and
//!    [`services`], what talks to the outside (providers' HTTP, SMTP).
//! 4. instance: [`auth::Auth`], built from the layers below, with what needs it: [`csrf`],
//!    [`redirect`], [`rate_limit`], [`revocation`], [`reply`].
//! 5. [`session`]: read, update, create, destroy.
//! 6. [`flows`]: one folder per flow, one dispatcher, one finisher.
//!
//! The doors (layer 7: the axum handlers and the Leptos server functions) are the `app` crate's
//! `auth::ssr`, which re-exports these modules under their own names.
//!
//! With default features the crate holds only what the browser needs ([`protocol::names`],
//! [`protocol::wire`], [`protocol::redirect`]) and compiles for wasm; the `server` feature adds
//! the rest.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "server")]
pub mod adapter;
pub mod protocol;

#[cfg(feature = "server")]
pub mod auth;
#[cfg(feature = "server")]
pub mod callbacks;
#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod csrf;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod events;
#[cfg(feature = "server")]
pub mod flows;
#[cfg(feature = "server")]
pub mod providers;
#[cfg(feature = "server")]
pub mod rate_limit;
#[cfg(feature = "server")]
pub mod redirect;
#[cfg(feature = "server")]
pub mod reply;
#[cfg(feature = "server")]
pub mod request;
#[cfg(feature = "server")]
pub mod revocation;
#[cfg(feature = "server")]
pub mod services;
#[cfg(feature = "server")]
pub mod session;
