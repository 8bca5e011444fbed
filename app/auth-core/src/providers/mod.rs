//! Sign-in providers. Each provider is data (its id, name, type and settings); the flows that
//! use them live in the modules named after the flow.

use std::sync::Arc;

use crate::protocol::wire::{ProviderInfo, ProviderStyle};

pub mod apple;
pub mod auth0;
pub mod credentials;
pub mod discord;
pub mod email;
pub mod env;
pub mod facebook;
pub mod github;
pub mod gitlab;
pub mod google;
pub mod keycloak;
pub mod linkedin;
pub mod microsoft_entra_id;
pub mod oauth;
pub mod okta;
pub mod passkey;

pub use credentials::{Authorize, CredentialsCheck, CredentialsProvider};
pub use email::{EmailProvider, SendLimits};
pub use oauth::{ClientAuth, OAuthKind, OAuthProvider, Profile, Quirks};
pub use passkey::PasskeyProvider;

/// A configured provider.
#[derive(Clone)]
pub enum Provider {
    /// Email and password (or any fields an [`Authorize`] checks).
    Credentials(CredentialsProvider),
    /// OAuth 2 or OpenID Connect.
    OAuth(Arc<OAuthProvider>),
    /// Sign-in links by email.
    Email(Arc<EmailProvider>),
    /// Passkeys (WebAuthn).
    Passkey(Arc<PasskeyProvider>),
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
            authorize: CredentialsCheck::Custom(Arc::new(authorize)),
            ..CredentialsProvider::default()
        })
    }

    /// An OAuth 2 / OIDC provider.
    pub fn oauth(provider: OAuthProvider) -> Self {
        Self::OAuth(Arc::new(provider))
    }

    /// An email (magic link) provider.
    pub fn email(provider: EmailProvider) -> Self {
        Self::Email(Arc::new(provider))
    }

    /// The passkey provider.
    pub fn passkey(provider: PasskeyProvider) -> Self {
        Self::Passkey(Arc::new(provider))
    }

    /// The passkey settings, if this is the passkey provider.
    pub fn as_passkey(&self) -> Option<&Arc<PasskeyProvider>> {
        match self {
            Self::Passkey(p) => Some(p),
            _ => None,
        }
    }

    /// The credentials settings, if this is a credentials provider.
    pub fn as_credentials(&self) -> Option<&CredentialsProvider> {
        match self {
            Self::Credentials(c) => Some(c),
            Self::OAuth(_) | Self::Email(_) | Self::Passkey(_) => None,
        }
    }

    /// The OAuth settings, if this is an OAuth/OIDC provider.
    pub fn as_oauth(&self) -> Option<&Arc<OAuthProvider>> {
        match self {
            Self::OAuth(p) => Some(p),
            Self::Credentials(_) | Self::Email(_) | Self::Passkey(_) => None,
        }
    }

    /// The email settings, if this is the email provider.
    pub fn as_email(&self) -> Option<&Arc<EmailProvider>> {
        match self {
            Self::Email(p) => Some(p),
            Self::Credentials(_) | Self::OAuth(_) | Self::Passkey(_) => None,
        }
    }

    /// The provider id used in URLs (`/callback/<id>`).
    pub fn id(&self) -> &str {
        match self {
            Self::Credentials(p) => &p.id,
            Self::OAuth(p) => &p.id,
            Self::Email(p) => &p.id,
            Self::Passkey(p) => &p.id,
        }
    }

    /// The display name.
    pub fn name(&self) -> &str {
        match self {
            Self::Credentials(p) => &p.name,
            Self::OAuth(p) => &p.name,
            Self::Email(p) => &p.name,
            Self::Passkey(p) => &p.name,
        }
    }

    /// Auth.js's provider type.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Credentials(_) => "credentials",
            Self::OAuth(p) => p.kind.as_str(),
            Self::Email(_) => "email",
            Self::Passkey(_) => "webauthn",
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
            style: self.as_oauth().map(|p| ProviderStyle {
                brand_color: p.brand_color.clone(),
            }),
        }
    }
}
