//! [`Auth`]: the configured auth instance every door shares, and [`auth()`] for server code.
//!
//! Everything that can be computed once is computed in [`Auth::new`]: the session keys for both
//! cookie names (plain and `__Secure-`), the CSRF hashing secret. Requests only read.

use std::sync::Arc;

use http::request::Parts;

use crate::protocol::wire::Providers;

use super::{
    config::{AuthConfig, ClientOrigin},
    error::ConfigError,
    providers::{CredentialsProvider, Provider},
    request::AuthRequest,
    revocation::Revocations,
    services::{mailer::Mailer, provider_client::ProviderClient, refresh_locks::RefreshLocks},
};
use crate::{
    adapter::Db,
    protocol::{
        bound_cookie::BoundCookie, checks::CheckKeys, cookies, jwt::KeySet, passkey,
        password::Hasher, second_step::SecondStepKeys, totp,
    },
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
    check_keys: CheckKeys,
    second_step_keys: SecondStepKeys,
    challenge_cookie: BoundCookie,
    totp_keys: KeySet,
    csrf_secret: String,
    /// One instance per listed client origin whose configuration the `create_auth_config`
    /// hook shaped; they share the database, the HTTP client and the locks.
    clients: Vec<(String, Auth)>,
    provider_client: Arc<ProviderClient>,
    refresh_locks: Arc<RefreshLocks>,
    mailer: Option<Mailer>,
    hasher: Hasher,
    revocations: Arc<Revocations>,
}

/// What the instances of one app share (the client instances of multi-client too).
#[derive(Clone)]
struct Shared {
    provider_client: Arc<ProviderClient>,
    refresh_locks: Arc<RefreshLocks>,
    hasher: Hasher,
    revocations: Arc<Revocations>,
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
    ///
    /// # Errors
    /// [`ConfigError`] if the HTTP client for providers cannot be built.
    pub fn new(config: AuthConfig, db: Db) -> Result<Self, ConfigError> {
        let provider_client =
            ProviderClient::new(config.http_timeout).map_err(|e| ConfigError::Invalid {
                variable: "providers",
                reason: e.to_string(),
            })?;
        let shared = Shared {
            provider_client: Arc::new(provider_client),
            refresh_locks: Arc::default(),
            hasher: Hasher::new(config.hash_limits),
            revocations: Arc::default(),
        };
        Self::with_shared(config, db, shared)
    }

    fn with_shared(mut config: AuthConfig, db: Db, shared: Shared) -> Result<Self, ConfigError> {
        let keys_plain = KeySet::derive(&config.secrets, config.cookie_names(false).session_token);
        let keys_secure = KeySet::derive(&config.secrets, config.cookie_names(true).session_token);
        let check_keys = CheckKeys::derive(&config.secrets, &config.cookie_names);
        let second_step_keys = SecondStepKeys::derive(&config.secrets);
        let challenge_cookie = passkey::challenge_cookie(&config.secrets);
        let totp_keys = KeySet::derive(&config.secrets, totp::SECRET_SALT);
        let csrf_secret = config
            .secrets
            .iter()
            .map(|s| s.expose())
            .collect::<Vec<_>>()
            .join(",");
        let mailer = config
            .providers
            .iter()
            .find_map(Provider::as_email)
            .map(|email| Mailer::new(email.server.expose(), &email.from, config.http_timeout))
            .transpose()
            .map_err(|reason| ConfigError::Invalid {
                variable: "AUTH_EMAIL_SERVER",
                reason,
            })?;
        let clients = std::mem::take(&mut config.client_configs)
            .into_iter()
            .map(|(client, client_config)| {
                let auth = Self::with_shared(client_config, db.clone(), shared.clone())?;
                Ok((client.origin, auth))
            })
            .collect::<Result<_, ConfigError>>()?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                db,
                keys_plain,
                keys_secure,
                check_keys,
                second_step_keys,
                challenge_cookie,
                totp_keys,
                csrf_secret,
                clients,
                provider_client: shared.provider_client,
                refresh_locks: shared.refresh_locks,
                mailer,
                hasher: shared.hasher,
                revocations: shared.revocations,
            }),
        })
    }

    /// The instance that serves a request: the one the `create_auth_config` hook made for the
    /// client origin in its `Origin` header, else this one.
    pub fn for_parts(&self, parts: &Parts) -> &Auth {
        self.client_instance(parts).unwrap_or(self)
    }

    /// [`Auth::for_parts`], owned: no clone when it is this one.
    pub fn into_for_parts(self, parts: &Parts) -> Auth {
        if let Some(client) = self.client_instance(parts) {
            return client.clone();
        }
        self
    }

    fn client_instance(&self, parts: &Parts) -> Option<&Auth> {
        if self.inner.clients.is_empty() {
            return None;
        }
        let origin = parts.headers.get(http::header::ORIGIN)?.to_str().ok()?;
        self.inner
            .clients
            .iter()
            .find(|(o, _)| o.eq_ignore_ascii_case(origin))
            .map(|(_, auth)| auth)
    }

    /// The listed client with this origin, if any.
    pub fn client(&self, origin: &str) -> Option<&ClientOrigin> {
        self.config()
            .client_origins
            .iter()
            .find(|c| c.origin.eq_ignore_ascii_case(origin))
    }

    /// The cookie names for plain http or https.
    pub fn cookie_names(&self, secure: bool) -> &cookies::CookieNames {
        self.config().cookie_names(secure)
    }

    /// The SMTP mailer, when the email provider is configured.
    pub fn mailer(&self) -> Option<&Mailer> {
        self.inner.mailer.as_ref()
    }

    /// The keys of the state, PKCE and nonce cookies.
    pub(crate) fn check_keys(&self) -> &CheckKeys {
        &self.inner.check_keys
    }

    /// The keys of the pending second step's cookie.
    pub(crate) fn second_step_keys(&self) -> &SecondStepKeys {
        &self.inner.second_step_keys
    }

    /// The passkey ceremony's challenge cookie.
    pub(crate) fn challenge_cookie(&self) -> &BoundCookie {
        &self.inner.challenge_cookie
    }

    /// The newest `AUTH_SECRET` (what new hashes are keyed with).
    pub(crate) fn newest_secret(&self) -> &crate::protocol::secret::Secret {
        // `AuthConfig` refuses to build without a secret.
        &self.config().secrets[0]
    }

    /// The keys TOTP secrets are sealed with at rest.
    pub(crate) fn totp_keys(&self) -> &KeySet {
        &self.inner.totp_keys
    }

    /// The HTTP client for providers, and the discovery cache.
    pub fn provider_client(&self) -> &ProviderClient {
        &self.inner.provider_client
    }

    /// The bounded password-hashing pool.
    pub fn hasher(&self) -> &Hasher {
        &self.inner.hasher
    }

    /// This instance's cache of sign-out-everywhere times.
    pub(crate) fn revocations(&self) -> &Revocations {
        &self.inner.revocations
    }

    /// The per-account refresh locks.
    pub(crate) fn refresh_locks(&self) -> &RefreshLocks {
        &self.inner.refresh_locks
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
        self.client(origin).is_some()
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

/// What a request asks of auth, read with the configuration of the instance that serves it
/// (see [`Auth::for_parts`]): the extractor every axum door of the app uses.
impl<S> axum::extract::FromRequestParts<S> for AuthRequest
where
    Auth: axum::extract::FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = <Auth as axum::extract::FromRef<S>>::from_ref(state);
        Ok(Self::from_parts(auth.for_parts(parts).config(), parts))
    }
}
