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
//! The layers above them (configuration, instance, session, flows, doors) live in the `app`
//! crate's `auth::ssr` for now and move here one at a time.
//!
//! With default features the crate holds only what the browser needs ([`protocol::names`],
//! [`protocol::wire`], [`protocol::redirect`]) and compiles for wasm; the `server` feature adds
//! the rest.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

#[cfg(feature = "server")]
pub mod adapter;
pub mod protocol;
