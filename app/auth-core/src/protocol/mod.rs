//! Layer 1, the protocol: what Auth.js's wire says and the rules it keeps, as functions of
//! their inputs. Nothing here knows the instance, the configuration or the database; each
//! piece is written once and tested alone.
//!
//! | module | what it holds |
//! |---|---|
//! | [`names`] | base path, form fields, headers, cookie names |
//! | [`wire`] | the JSON shapes both sides exchange, the error codes |
//! | [`wire_value`] | the same shapes read from a parsed JSON value by hand (for the browser) |
//! | [`redirect`] | the `redirect` rules and local `callbackUrl`s |
//! | `secret` | `AUTH_SECRET`, redacted |
//! | `dates` | the wire's two date formats |
//! | `jwt` | JWE encode / decode, HKDF key derivation |
//! | `claims` | the session token's claims |
//! | `cookies` | cookie attributes, chunking, reading a `Cookie` header |
//! | `csrf` | the double-submit token and the `Origin` check |
//! | `checks` | the state, PKCE and nonce cookies of OAuth |
//! | `password` | argon2id hashing on a bounded pool |
//! | `email` | email-address normalisation |
//! | `client_ip` | the client address behind trusted proxies |
//! | `bound_cookie` | a short-lived cookie sealed for one browser |
//! | `second_step` | the pending second step of a sign-in, in a sealed cookie |
//! | `passkey` | WebAuthn: the challenge cookie, the relying party, Auth.js's stored key |
//! | `totp` | the second factor: TOTP codes, recovery codes, the sealed secret |
//!
//! `form` (the Auth.js POST body, read leniently) also compiles everywhere.
//!
//! The first four compile everywhere (the browser's client uses them); the rest need the
//! `server` feature.

pub mod form;
pub mod names;
pub mod redirect;
pub mod wire;
pub mod wire_value;

#[cfg(feature = "server")]
pub mod bound_cookie;
#[cfg(feature = "server")]
pub mod checks;
#[cfg(feature = "server")]
pub mod claims;
#[cfg(feature = "server")]
pub mod client_ip;
#[cfg(feature = "server")]
pub mod cookies;
#[cfg(feature = "server")]
pub mod csrf;
#[cfg(feature = "server")]
pub mod dates;
#[cfg(feature = "server")]
pub mod email;
#[cfg(feature = "server")]
pub mod jwt;
#[cfg(feature = "server")]
pub mod passkey;
#[cfg(feature = "server")]
pub mod password;
#[cfg(feature = "server")]
pub mod second_step;
#[cfg(feature = "server")]
pub mod secret;
#[cfg(feature = "server")]
pub mod totp;
