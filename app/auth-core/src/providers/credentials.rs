//! The credentials provider's settings: data only. The flow that uses them (sign-in,
//! registration, and the starter's password check) is `flows/credentials/`.
//!
//! Auth.js leaves `authorize` to the app; this starter ships one
//! ([`CredentialsCheck::Password`], `flows/credentials/password.rs`) that checks argon2id
//! hashes in `user_passwords`. Your own [`Authorize`] sees what Auth.js's `authorize` sees: the
//! submitted fields and the request; it brings what else it needs (a database pool, an API
//! client) in its own fields.

use std::sync::Arc;

use async_trait::async_trait;

use crate::protocol::form::FormFields;

use crate::adapter::User;

use super::super::{error::AuthError, request::AuthRequest};

/// Passwords longer than this are refused before hashing (argon2 on a megabyte is a DoS).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Passwords shorter than this are refused at registration unless configured otherwise
/// (`AUTH_PASSWORD_MIN_LENGTH`).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Checks submitted credentials (Auth.js's `authorize`).
#[async_trait]
pub trait Authorize: Send + Sync + 'static {
    /// The user these credentials belong to, or `None` if they are wrong.
    ///
    /// # Errors
    /// An [`AuthError`] for failures other than wrong credentials.
    async fn authorize(
        &self,
        form: &FormFields,
        req: &AuthRequest,
    ) -> Result<Option<User>, AuthError>;
}

/// What checks the submitted credentials.
#[derive(Clone)]
pub enum CredentialsCheck {
    /// The starter's: email and password against `user_passwords`, rate-limited per account
    /// and per IP, hashed on the instance's bounded pool, the same timing whether or not the
    /// account exists.
    Password,
    /// Yours.
    Custom(Arc<dyn Authorize>),
}

/// The credentials provider's settings.
#[derive(Clone)]
pub struct CredentialsProvider {
    /// Provider id (`credentials`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The check.
    pub authorize: CredentialsCheck,
}

impl Default for CredentialsProvider {
    fn default() -> Self {
        Self {
            id: "credentials".into(),
            name: "Credentials".into(),
            authorize: CredentialsCheck::Password,
        }
    }
}

pub use crate::protocol::email::normalize_email;
