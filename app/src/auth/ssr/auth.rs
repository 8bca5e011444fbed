//! [`Auth`]: the configured auth instance every door shares, and [`auth()`] for server code.
//!
//! Everything that can be computed once is computed in [`Auth::new`]: the session keys for both
//! cookie names (plain and `__Secure-`), the CSRF hashing secret. Requests only read.

use std::sync::Arc;

use http::request::Parts;
use leptos::prelude::use_context;

use crate::auth::types::{PageAuth, Providers, Session};

use super::{
    adapter::Db,
    config::AuthConfig,
    cookies,
    error::AuthError,
    jwt::KeySet,
    providers::{CredentialsProvider, Provider},
    request::AuthRequest,
    session,
};

/// The auth instance: configuration, database and derived keys. Cheap to clone.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    config: AuthConfig,
    db: Db,
    keys_plain: KeySet,
    keys_secure: KeySet,
    csrf_secret: String,
    client_origins: Vec<String>,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Auth {
    /// Builds the instance and derives its keys.
    pub fn new(config: AuthConfig, db: Db) -> Self {
        let keys_plain = KeySet::derive(&config.secrets, cookies::PLAIN.session_token);
        let keys_secure = KeySet::derive(&config.secrets, cookies::SECURE.session_token);
        let csrf_secret = config
            .secrets
            .iter()
            .map(|s| s.expose())
            .collect::<Vec<_>>()
            .join(",");
        Self {
            inner: Arc::new(Inner {
                config,
                db,
                keys_plain,
                keys_secure,
                csrf_secret,
                client_origins: Vec::new(),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &AuthConfig {
        &self.inner.config
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The session-token keys for the plain or `__Secure-` cookie name.
    pub fn session_keys(&self, secure: bool) -> &KeySet {
        if secure {
            &self.inner.keys_secure
        } else {
            &self.inner.keys_plain
        }
    }

    /// The secret string the CSRF hash is salted with (Auth.js's `${secret}`).
    pub(crate) fn csrf_secret(&self) -> &str {
        &self.inner.csrf_secret
    }

    /// Whether `origin` is one of the configured client origins (multi-client).
    pub fn is_allowed_client_origin(&self, origin: &str) -> bool {
        self.inner
            .client_origins
            .iter()
            .any(|o| o.eq_ignore_ascii_case(origin))
    }

    /// The provider with this id.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.config().providers.iter().find(|p| p.id() == id)
    }

    /// The credentials provider, if configured.
    pub fn credentials_provider(&self) -> Option<&CredentialsProvider> {
        self.config()
            .providers
            .iter()
            .find_map(Provider::as_credentials)
    }

    /// `GET /providers` for a request.
    pub fn providers(&self, req: &AuthRequest) -> Providers {
        Providers(
            self.config()
                .providers
                .iter()
                .map(|p| p.info(&req.origin, &self.config().base_path))
                .collect(),
        )
    }
}

/// The session of the current request, from any server function or during SSR (Auth.js's
/// `auth()`). During a page render it reuses what the page middleware already resolved.
///
/// # Errors
/// [`AuthError::NotMounted`] outside a request with `Auth` in its context; database errors.
pub async fn auth() -> Result<Option<Session>, AuthError> {
    let parts = use_context::<Parts>().ok_or(AuthError::NotMounted("request Parts"))?;
    if let Some(page) = parts.extensions.get::<PageAuth>() {
        return Ok(page.session.clone());
    }
    let auth = use_context::<Auth>().ok_or(AuthError::NotMounted("Auth"))?;
    let req = AuthRequest::from_parts(&auth, &parts);
    Ok(session::current(&auth, &req).await?.value)
}
