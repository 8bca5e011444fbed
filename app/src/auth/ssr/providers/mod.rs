//! Sign-in providers. Each provider is data (its id, name, type and settings); the flows that
//! use them live in the modules named after the flow.

use std::sync::Arc;

use crate::auth::types::ProviderInfo;

pub mod credentials;

pub use credentials::{Authorize, CredentialsProvider, PasswordAuthorize};

/// A configured provider.
#[derive(Clone)]
pub enum Provider {
    /// Email and password (or any fields an [`Authorize`] checks).
    Credentials(CredentialsProvider),
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Provider").field(&self.id()).finish()
    }
}

impl Provider {
    /// The credentials provider checking passwords stored in `user_passwords`.
    pub fn credentials() -> Self {
        Self::Credentials(CredentialsProvider::default())
    }

    /// A credentials provider with a custom check.
    pub fn credentials_with(authorize: impl Authorize) -> Self {
        Self::Credentials(CredentialsProvider {
            authorize: Arc::new(authorize),
            ..CredentialsProvider::default()
        })
    }

    /// The credentials settings, if this is a credentials provider.
    pub fn as_credentials(&self) -> Option<&CredentialsProvider> {
        match self {
            Self::Credentials(c) => Some(c),
        }
    }

    /// The provider id used in URLs (`/callback/<id>`).
    pub fn id(&self) -> &str {
        match self {
            Self::Credentials(p) => &p.id,
        }
    }

    /// The display name.
    pub fn name(&self) -> &str {
        match self {
            Self::Credentials(p) => &p.name,
        }
    }

    /// Auth.js's provider type.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Credentials(_) => "credentials",
        }
    }

    /// The entry of `GET /providers` for this provider.
    pub fn info(&self, origin: &str, base_path: &str) -> ProviderInfo {
        ProviderInfo {
            id: self.id().to_owned(),
            name: self.name().to_owned(),
            kind: self.kind().to_owned(),
            signin_url: format!("{origin}{base_path}/signin/{}", self.id()),
            callback_url: format!("{origin}{base_path}/callback/{}", self.id()),
        }
    }
}
