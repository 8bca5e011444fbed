//! Passwordless sign-in by email (Auth.js's email provider).
//!
//! | file | what it does |
//! |---|---|
//! | `send.rs` | `POST /signin/email`: a single-use token, stored hashed, sent as a link |
//! | `verify.rs` | `GET /callback/email`: the link comes back; token used, user signed in |
//!
//! The SMTP mailer itself is `services/mailer.rs`.

pub mod send;
pub mod verify;

use sha2::{Digest, Sha256};

use crate::auth::Auth;

/// How a token is stored: `sha256hex(token + secret)`, as Auth.js stores it, so that a
/// database leak gives no usable link.
pub fn token_hash(auth: &Auth, token: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(token.as_bytes());
    hasher.update(auth.csrf_secret().as_bytes());
    hex::encode(hasher.finalize())
}
