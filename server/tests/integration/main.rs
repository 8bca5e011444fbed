//! The server's integration tests, one binary: each module is one area (its own doc says what
//! it proves), and `common` is the harness they share (an app on a fresh SQLite or PostgreSQL
//! database driven in-process, a real server process, an SMTP sink, an OpenID provider).
//!
//! One binary rather than one per file: each test binary links the whole app, so 21 of them
//! took 36-38 s to build after `cargo clean -p server` (30 s after a change in the core) where
//! this one takes 21-24 s (15 s). Run one area with a filter on its module path, e.g.
//! `cargo test -p server --test integration abuse::` (or one test by its name).

#[macro_use]
mod common;

mod abuse;
mod base_path;
mod compression;
mod config_hooks;
mod credentials;
mod database;
mod database_faults;
mod email;
mod guards;
mod identity;
mod instances;
mod interop;
mod logs;
mod loopback;
mod multi_client;
mod oauth;
mod pages;
mod passkeys;
mod process;
mod refusals;
mod second_factor;
mod session;
mod sessions;
mod sessions_end;
mod slow_clients;
