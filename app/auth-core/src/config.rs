//! `AuthConfig`: what NextAuthConfig is to Auth.js, read once at start-up.
//!
//! [`AuthConfig::from_env`] is the only reader of the `AUTH_*` variables (Auth.js's names), so a
//! misconfiguration fails at start with a message naming the variable, not later on a request.
//! Everything else is a builder method, for code that wants to configure auth in Rust.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use url::Url;

use super::{
    callbacks::{Callbacks, DefaultCallbacks},
    error::ConfigError,
    events::{Events, NoEvents},
    providers::{env::parse_flag, EmailProvider, PasskeyProvider, Provider},
};
pub use crate::protocol::password::HashLimits;
use crate::protocol::wire::ColorScheme;
use crate::protocol::{
    client_ip::TrustedProxies,
    cookies::{self, CookieNames},
    secret::Secret,
};

/// Auth.js's default base path.
pub const DEFAULT_BASE_PATH: &str = crate::protocol::names::BASE_PATH;
/// 30 days, Auth.js's default session `maxAge`.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// 1 day, Auth.js's default `updateAge`.
pub const DEFAULT_UPDATE_AGE: Duration = Duration::from_secs(24 * 60 * 60);
/// 30 days: however often it is renewed, a session ends this long after its sign-in.
pub const DEFAULT_ABSOLUTE_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// How often a JWT session is checked against sign-out-everywhere (at most this long, on
/// another instance, before a revoked session ends).
pub const DEFAULT_REVOCATION_CHECK: Duration = Duration::from_secs(60);
/// Secrets shorter than this are refused (256 bits of base64 is 44 characters).
pub const MIN_SECRET_CHARS: usize = 32;

/// Where sessions live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SessionStrategy {
    /// An encrypted JWT in the cookie; no database read per request (the default).
    #[default]
    Jwt,
    /// An opaque token in the cookie and a row in `sessions`.
    Database,
}

/// Makes the opaque token of a database session (Auth.js's `session.generateSessionToken`).
pub type SessionTokenGenerator = Arc<dyn Fn() -> String + Send + Sync>;

/// `session: { strategy, maxAge, updateAge, generateSessionToken }`.
#[derive(Clone)]
pub struct SessionOptions {
    /// JWT or database.
    pub strategy: SessionStrategy,
    /// How long an idle session lives.
    pub max_age: Duration,
    /// How often a database session's expiry is pushed back (at most once per this).
    pub update_age: Duration,
    /// Makes database session tokens; `None` is a random UUID, as Auth.js. A custom one must
    /// be unguessable (at least 128 random bits) and at most 256 characters.
    pub generate_session_token: Option<SessionTokenGenerator>,
    /// The absolute lifetime: a session ends this long after its sign-in however often it is
    /// renewed, so a stolen cookie cannot be kept alive forever (not in Auth.js).
    pub absolute_max_age: Duration,
    /// How often a JWT session is checked against the user's sign-out-everywhere time (one
    /// database read per user per this interval; the window in which a revoked JWT session may
    /// still be used on another instance).
    pub revocation_check: Duration,
}

impl std::fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionOptions")
            .field("strategy", &self.strategy)
            .field("max_age", &self.max_age)
            .field("update_age", &self.update_age)
            .field(
                "generate_session_token",
                &self.generate_session_token.is_some(),
            )
            .field("absolute_max_age", &self.absolute_max_age)
            .field("revocation_check", &self.revocation_check)
            .finish()
    }
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            strategy: SessionStrategy::Jwt,
            max_age: DEFAULT_MAX_AGE,
            update_age: DEFAULT_UPDATE_AGE,
            generate_session_token: None,
            absolute_max_age: DEFAULT_ABSOLUTE_MAX_AGE,
            revocation_check: DEFAULT_REVOCATION_CHECK,
        }
    }
}

impl SessionOptions {
    /// The database strategy with Auth.js's lifetimes.
    pub fn database() -> Self {
        Self {
            strategy: SessionStrategy::Database,
            ..Self::default()
        }
    }

    /// Sets `maxAge`.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Sets `updateAge`.
    pub fn update_age(mut self, update_age: Duration) -> Self {
        self.update_age = update_age;
        self
    }

    /// Sets the absolute lifetime (see [`SessionOptions::absolute_max_age`]).
    pub fn absolute_max_age(mut self, max_age: Duration) -> Self {
        self.absolute_max_age = max_age;
        self
    }

    /// Sets how often JWT sessions are checked against sign-out-everywhere.
    pub fn revocation_check(mut self, every: Duration) -> Self {
        self.revocation_check = every;
        self
    }

    /// Sets `generateSessionToken`.
    pub fn generate_session_token(
        mut self,
        generate: impl Fn() -> String + Send + Sync + 'static,
    ) -> Self {
        self.generate_session_token = Some(Arc::new(generate));
        self
    }
}

/// `jwt: { maxAge }`: the lifetime written into the token's `exp` (the cookie lives
/// `session.max_age`). Defaults to the session's `max_age`, as in Auth.js.
#[derive(Clone, Copy, Debug, Default)]
pub struct JwtOptions {
    /// The token's lifetime; `None` follows `session.max_age`.
    pub max_age: Option<Duration>,
}

/// `cookies: { sessionToken: { name }, ... }`: replaces cookie names. A name given here is used
/// as is over http and https alike, so give it the `__Secure-` (or, for the CSRF cookie,
/// `__Host-`) prefix yourself if the site is https-only, as Auth.js expects.
#[derive(Clone, Debug, Default)]
pub struct CookieOverrides {
    /// The session cookie (`authjs.session-token`).
    pub session_token: Option<String>,
    /// The callback URL cookie (`authjs.callback-url`).
    pub callback_url: Option<String>,
    /// The CSRF cookie (`authjs.csrf-token`).
    pub csrf_token: Option<String>,
    /// The PKCE verifier cookie (`authjs.pkce.code_verifier`).
    pub pkce_code_verifier: Option<String>,
    /// The OAuth state cookie (`authjs.state`).
    pub state: Option<String>,
    /// The OIDC nonce cookie (`authjs.nonce`).
    pub nonce: Option<String>,
}

impl CookieOverrides {
    fn is_empty(&self) -> bool {
        self.names().iter().all(|(_, name)| name.is_none())
    }

    fn names(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("session_token", &self.session_token),
            ("callback_url", &self.callback_url),
            ("csrf_token", &self.csrf_token),
            ("pkce_code_verifier", &self.pkce_code_verifier),
            ("state", &self.state),
            ("nonce", &self.nonce),
        ]
    }

    /// The default names with these overrides applied.
    ///
    /// The names are `&'static str` so that the hot path never copies one; an overridden name
    /// is leaked once here, when the configuration is built (once per process).
    fn apply(&self, defaults: CookieNames) -> CookieNames {
        let pick = |name: &Option<String>, default: &'static str| -> &'static str {
            match name {
                Some(name) => Box::leak(name.clone().into_boxed_str()),
                None => default,
            }
        };
        CookieNames {
            session_token: pick(&self.session_token, defaults.session_token),
            callback_url: pick(&self.callback_url, defaults.callback_url),
            csrf_token: pick(&self.csrf_token, defaults.csrf_token),
            pkce_code_verifier: pick(&self.pkce_code_verifier, defaults.pkce_code_verifier),
            state: pick(&self.state, defaults.state),
            nonce: pick(&self.nonce, defaults.nonce),
        }
    }
}

/// Custom page paths (`pages: { signIn, signOut, error, verifyRequest, newUser }`).
#[derive(Clone, Debug, Default)]
pub struct Pages {
    /// Replaces the built-in sign-in page.
    pub sign_in: Option<String>,
    /// Replaces the built-in sign-out page.
    pub sign_out: Option<String>,
    /// Replaces the built-in error page.
    pub error: Option<String>,
    /// Replaces the built-in "check your email" page.
    pub verify_request: Option<String>,
    /// Where a user goes after their first sign-in.
    pub new_user: Option<String>,
    /// Replaces the built-in second-step page (the code of a second factor).
    pub two_factor: Option<String>,
}

/// Colours and logo of the built-in pages and the sign-in email (Auth.js's `theme`).
pub type Theme = crate::protocol::wire::Theme;

/// A client origin allowed to use the auth routes across origins (multi-client).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOrigin {
    /// The client's id, carried on its users' sessions as `clientId`.
    pub id: String,
    /// Its origin, `scheme://host[:port]`, as browsers send it in `Origin`.
    pub origin: String,
}

impl ClientOrigin {
    /// Parses `id=https://app.example.com` (the form of one `AUTH_CLIENT_ORIGINS` entry).
    ///
    /// # Errors
    /// Why the entry is unusable.
    pub fn parse(entry: &str) -> Result<Self, String> {
        let (id, origin) = entry
            .split_once('=')
            .ok_or_else(|| format!("`{entry}`: expected id=https://origin"))?;
        let id = id.trim();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
            return Err(format!(
                "`{id}`: a client id is letters, digits, '-', '_' or '.'"
            ));
        }
        let url = Url::parse(origin.trim()).map_err(|e| format!("`{origin}`: {e}"))?;
        let serialized = url.origin().ascii_serialization();
        if !matches!(url.scheme(), "http" | "https")
            || url.path() != "/"
            || url.query().is_some()
            || serialized == "null"
        {
            return Err(format!(
                "`{origin}`: expected an origin such as https://app.example.com"
            ));
        }
        Ok(Self {
            id: id.to_owned(),
            origin: serialized,
        })
    }
}

/// Per-client-origin configuration (Auth.js multi-client's `createAuthConfig(origin)`): given a
/// listed client and the app's configuration builder, returns the builder that client's
/// requests are served with (other callbacks, pages, theme, ...). Run once per client at start.
pub type CreateAuthConfig =
    Arc<dyn Fn(&ClientOrigin, AuthConfigBuilder) -> AuthConfigBuilder + Send + Sync>;

/// Sign-in attempt limits (DESIGN.md section 11). Counters live in the database so that every
/// instance sees them; each attempt is counted before the password is hashed.
#[derive(Clone, Copy, Debug)]
pub struct RateLimits {
    /// Failed credential attempts allowed per account from one client (IP address, or IPv6
    /// /64) in one window. Keyed by account and client so that a stranger who guesses cannot
    /// lock the owner out.
    pub per_account: u32,
    /// Failed credential attempts allowed per account from all clients together in one window:
    /// what a guesser with many addresses meets. Higher than `per_account`.
    pub account_ceiling: u32,
    /// Failed credential attempts (and registrations) allowed per client IP in one window.
    pub per_ip: u32,
    /// The window.
    pub window: Duration,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            per_account: 10,
            account_ceiling: 100,
            per_ip: 100,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// The second factor: an authenticator app (TOTP) with recovery codes, which users turn on
/// from their account page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TwoFactorOptions {
    /// Whether users may turn it on (`AUTH_TWO_FACTOR`, default on). Users who did keep being
    /// asked for a code when this is turned off later: what they set up is not ignored.
    pub enabled: bool,
    /// The name authenticator apps show for this site (`AUTH_TWO_FACTOR_ISSUER`; default the
    /// host of `AUTH_URL`, or of the site address).
    pub issuer: Option<String>,
    /// Wrong codes allowed per user in one rate-limit window (5).
    pub max_attempts: u32,
}

impl Default for TwoFactorOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            issuer: None,
            max_attempts: 5,
        }
    }
}

/// Default time a provider (or the SMTP server) has to answer one request.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Default minimum password length (NIST SP 800-63B, OWASP ASVS 2.1.1).
pub const DEFAULT_PASSWORD_MIN_CHARS: usize = super::providers::credentials::MIN_PASSWORD_CHARS;

/// The whole auth configuration. Build it with [`AuthConfig::from_env`] or [`AuthConfig::builder`].
#[derive(Clone)]
pub struct AuthConfig {
    pub(crate) secrets: Vec<Secret>,
    pub(crate) url: Option<Url>,
    pub(crate) base_path: String,
    pub(crate) trust_host: bool,
    pub(crate) use_secure_cookies: Option<bool>,
    pub(crate) session: SessionOptions,
    pub(crate) jwt: JwtOptions,
    pub(crate) cookie_names: [CookieNames; 2],
    pub(crate) pages: Pages,
    pub(crate) providers: Vec<Provider>,
    pub(crate) theme: Theme,
    pub(crate) debug: bool,
    pub(crate) callbacks: Arc<dyn Callbacks>,
    pub(crate) events: Arc<dyn Events>,
    pub(crate) rate_limits: RateLimits,
    pub(crate) two_factor: TwoFactorOptions,
    pub(crate) site_origin: String,
    pub(crate) http_timeout: Duration,
    pub(crate) client_origins: Vec<ClientOrigin>,
    pub(crate) client_configs: Vec<(ClientOrigin, AuthConfig)>,
    pub(crate) trusted_proxies: TrustedProxies,
    pub(crate) hash_limits: HashLimits,
    pub(crate) password_min_chars: usize,
    /// The origins absolute URLs that leave the server may be built on (see
    /// [`AuthConfig::link_origins`]).
    pub(crate) link_origins: Vec<String>,
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("secrets", &self.secrets.len())
            .field("url", &self.url.as_ref().map(Url::as_str))
            .field("base_path", &self.base_path)
            .field("trust_host", &self.trust_host)
            .field("session", &self.session)
            .field("client_origins", &self.client_origins)
            .field(
                "providers",
                &self.providers.iter().map(Provider::id).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl AuthConfig {
    /// A builder with Auth.js's defaults and nothing configured.
    pub fn builder() -> AuthConfigBuilder {
        AuthConfigBuilder::default()
    }

    /// Reads `AUTH_SECRET` (or `AUTH_SECRET_1..3`), `AUTH_URL`, `AUTH_TRUST_HOST`, `AUTH_DEBUG`,
    /// `AUTH_SESSION_STRATEGY`, `AUTH_RATE_LIMIT_{PER_ACCOUNT,PER_IP,WINDOW}` and
    /// `LEPTOS_SITE_ADDR` from the process environment.
    ///
    /// # Errors
    /// A [`ConfigError`] naming the first variable that is missing or unusable.
    pub fn from_env() -> Result<AuthConfigBuilder, ConfigError> {
        AuthConfigBuilder::from_vars(|name| std::env::var(name).ok())
    }

    /// The configured base path (`/api/auth`).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The sign-in page: `pages.sign_in`, else the built-in one under the base path.
    #[must_use]
    pub fn sign_in_page(&self) -> std::borrow::Cow<'_, str> {
        self.pages
            .sign_in
            .as_deref()
            .map_or_else(|| format!("{}/signin", self.base_path).into(), Into::into)
    }

    /// The second-step page: `pages.two_factor`, else the built-in one under the base path.
    #[must_use]
    pub fn two_factor_page(&self) -> std::borrow::Cow<'_, str> {
        self.pages.two_factor.as_deref().map_or_else(
            || format!("{}/two-factor", self.base_path).into(),
            Into::into,
        )
    }

    /// The error page: `pages.error`, else the built-in one under the base path.
    #[must_use]
    pub fn error_page(&self) -> std::borrow::Cow<'_, str> {
        self.pages
            .error
            .as_deref()
            .map_or_else(|| format!("{}/error", self.base_path).into(), Into::into)
    }

    /// The sign-in page with a `callbackUrl` back to `here` (a page that needs a session).
    #[must_use]
    pub fn sign_in_url(&self, here: &str) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("callbackUrl", here)
            .finish();
        format!("{}?{query}", self.sign_in_page())
    }

    /// The callbacks (Auth.js's `callbacks`).
    #[must_use]
    pub fn callbacks(&self) -> &dyn Callbacks {
        self.callbacks.as_ref()
    }

    /// The session options.
    pub fn session(&self) -> &SessionOptions {
        &self.session
    }

    /// The configured providers.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// The custom pages.
    pub fn pages(&self) -> &Pages {
        &self.pages
    }

    /// The theme of the built-in pages.
    pub fn theme(&self) -> &Theme {
        &self.theme
    }

    /// Whether verbose auth logs are on (`AUTH_DEBUG`).
    pub fn debug(&self) -> bool {
        self.debug
    }

    /// The lifetime written into a session JWT's `exp`.
    pub fn jwt_max_age(&self) -> Duration {
        self.jwt.max_age.unwrap_or(self.session.max_age)
    }

    /// The cookie names for plain http or https, overrides applied.
    pub fn cookie_names(&self, secure: bool) -> &CookieNames {
        &self.cookie_names[usize::from(secure)]
    }

    /// The client origins allowed across origins (`AUTH_CLIENT_ORIGINS`).
    pub fn client_origins(&self) -> &[ClientOrigin] {
        &self.client_origins
    }

    /// The public origin used when the host is not trusted and `AUTH_URL` is unset.
    pub fn site_origin(&self) -> &str {
        &self.site_origin
    }

    /// The origins an email link or an OAuth `redirect_uri` may be built on: `AUTH_URL`'s (or,
    /// without it, `LEPTOS_SITE_ADDR`'s, with `localhost` for a loopback address) and the
    /// listed client origins. A request's `Host` picks one of these or gets the first.
    pub fn link_origins(&self) -> &[String] {
        &self.link_origins
    }

    /// The proxies whose `X-Forwarded-For` is believed (`AUTH_TRUSTED_PROXIES`).
    pub fn trusted_proxies(&self) -> &TrustedProxies {
        &self.trusted_proxies
    }

    /// The sign-in attempt limits.
    pub fn rate_limits(&self) -> &RateLimits {
        &self.rate_limits
    }

    /// The second factor's options.
    pub fn two_factor(&self) -> &TwoFactorOptions {
        &self.two_factor
    }

    /// The name authenticator apps show for this site: `two_factor.issuer`, else the host of
    /// the site's origin.
    pub fn two_factor_issuer(&self) -> String {
        self.two_factor.issuer.clone().unwrap_or_else(|| {
            Url::parse(&self.site_origin)
                .ok()
                .and_then(|url| url.host_str().map(str::to_owned))
                .unwrap_or_else(|| "Leptos Auth".into())
        })
    }

    /// Passwords shorter than this are refused at registration (`AUTH_PASSWORD_MIN_LENGTH`).
    pub fn password_min_chars(&self) -> usize {
        self.password_min_chars
    }
}

impl super::request::Site for AuthConfig {
    fn url(&self) -> Option<&Url> {
        self.url.as_ref()
    }
    fn site_origin(&self) -> &str {
        &self.site_origin
    }
    fn base_path(&self) -> &str {
        &self.base_path
    }
    fn trust_host(&self) -> bool {
        self.trust_host
    }
    fn use_secure_cookies(&self) -> Option<bool> {
        self.use_secure_cookies
    }
    fn trusted_proxies(&self) -> &TrustedProxies {
        &self.trusted_proxies
    }
    fn link_origins(&self) -> &[String] {
        &self.link_origins
    }
}

/// Builds an [`AuthConfig`]; [`build`](Self::build) checks it.
#[derive(Clone)]
pub struct AuthConfigBuilder {
    secrets: Vec<Secret>,
    url: Option<Url>,
    base_path: String,
    trust_host: Option<bool>,
    use_secure_cookies: Option<bool>,
    session: SessionOptions,
    jwt: JwtOptions,
    cookies: CookieOverrides,
    pages: Pages,
    providers: Vec<Provider>,
    theme: Theme,
    debug: bool,
    callbacks: Arc<dyn Callbacks>,
    events: Arc<dyn Events>,
    rate_limits: RateLimits,
    two_factor: TwoFactorOptions,
    site_addr: Option<SocketAddr>,
    ephemeral_secret_allowed: bool,
    http_timeout: Duration,
    client_origins: Vec<ClientOrigin>,
    create_auth_config: Option<CreateAuthConfig>,
    trusted_proxies: TrustedProxies,
    hash_limits: HashLimits,
    password_min_chars: usize,
    production: bool,
}

impl Default for AuthConfigBuilder {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            url: None,
            base_path: DEFAULT_BASE_PATH.to_owned(),
            trust_host: None,
            use_secure_cookies: None,
            session: SessionOptions::default(),
            jwt: JwtOptions::default(),
            cookies: CookieOverrides::default(),
            pages: Pages::default(),
            providers: Vec::new(),
            theme: Theme::default(),
            debug: false,
            callbacks: Arc::new(DefaultCallbacks),
            events: Arc::new(NoEvents),
            rate_limits: RateLimits::default(),
            two_factor: TwoFactorOptions::default(),
            site_addr: None,
            ephemeral_secret_allowed: cfg!(debug_assertions),
            http_timeout: DEFAULT_HTTP_TIMEOUT,
            client_origins: Vec::new(),
            create_auth_config: None,
            trusted_proxies: TrustedProxies::None,
            hash_limits: HashLimits::default(),
            password_min_chars: DEFAULT_PASSWORD_MIN_CHARS,
            production: !cfg!(debug_assertions),
        }
    }
}

impl AuthConfigBuilder {
    /// Reads the variables through `var` (the process environment in [`AuthConfig::from_env`]).
    ///
    /// # Errors
    /// A [`ConfigError`] naming the variable at fault.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut builder = Self::default();
        let non_empty = |name: &str| {
            var(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        // Auth.js: AUTH_SECRET_1..3 are older-to-newer additions in front of AUTH_SECRET; we
        // also accept several comma-separated secrets in AUTH_SECRET, newest first.
        for i in [3, 2, 1] {
            if let Some(secret) = non_empty(&format!("AUTH_SECRET_{i}")) {
                builder.secrets.push(Secret::new(secret));
            }
        }
        if let Some(secrets) = non_empty("AUTH_SECRET") {
            for secret in secrets.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                builder.secrets.push(Secret::new(secret.to_owned()));
            }
        }
        check_secrets(&builder.secrets)?;

        if let Some(url) = non_empty("AUTH_URL").or_else(|| non_empty("NEXTAUTH_URL")) {
            builder = builder.url(&url).map_err(|reason| ConfigError::Invalid {
                variable: "AUTH_URL",
                reason,
            })?;
        }
        if let Some(value) = non_empty("AUTH_TRUST_HOST") {
            builder.trust_host = Some(parse_flag("AUTH_TRUST_HOST", &value)?);
        }
        if let Some(value) = non_empty("AUTH_DEBUG") {
            builder.debug = parse_flag("AUTH_DEBUG", &value)?;
        }
        if let Some(value) = non_empty("AUTH_TWO_FACTOR") {
            builder.two_factor.enabled = parse_flag("AUTH_TWO_FACTOR", &value)?;
        }
        if let Some(value) = non_empty("AUTH_TWO_FACTOR_ISSUER") {
            builder.two_factor.issuer = Some(value);
        }
        if let Some(value) = non_empty("AUTH_SESSION_STRATEGY") {
            builder.session.strategy = match value.as_str() {
                "jwt" => SessionStrategy::Jwt,
                "database" => SessionStrategy::Database,
                _ => {
                    return Err(ConfigError::Invalid {
                        variable: "AUTH_SESSION_STRATEGY",
                        reason: "expected `jwt` or `database`".into(),
                    })
                }
            };
        }
        for (variable, slot) in [
            ("AUTH_SESSION_MAX_AGE", &mut builder.session.max_age),
            ("AUTH_SESSION_UPDATE_AGE", &mut builder.session.update_age),
            (
                "AUTH_SESSION_ABSOLUTE_MAX_AGE",
                &mut builder.session.absolute_max_age,
            ),
            (
                "AUTH_SESSION_REVOCATION_CHECK",
                &mut builder.session.revocation_check,
            ),
        ] {
            if let Some(value) = non_empty(variable) {
                *slot = Duration::from_secs(parse_number(variable, &value)?.into());
            }
        }
        if let Some(value) = non_empty("AUTH_JWT_MAX_AGE") {
            builder.jwt.max_age = Some(Duration::from_secs(
                parse_number("AUTH_JWT_MAX_AGE", &value)?.into(),
            ));
        }
        for (variable, slot) in [
            ("AUTH_PAGES_SIGN_IN", &mut builder.pages.sign_in),
            ("AUTH_PAGES_SIGN_OUT", &mut builder.pages.sign_out),
            ("AUTH_PAGES_ERROR", &mut builder.pages.error),
            (
                "AUTH_PAGES_VERIFY_REQUEST",
                &mut builder.pages.verify_request,
            ),
            ("AUTH_PAGES_NEW_USER", &mut builder.pages.new_user),
            ("AUTH_PAGES_TWO_FACTOR", &mut builder.pages.two_factor),
            ("AUTH_THEME_BRAND_COLOR", &mut builder.theme.brand_color),
            ("AUTH_THEME_LOGO", &mut builder.theme.logo),
            ("AUTH_THEME_BUTTON_TEXT", &mut builder.theme.button_text),
        ] {
            if let Some(value) = non_empty(variable) {
                *slot = Some(value);
            }
        }
        if let Some(value) = non_empty("AUTH_THEME_COLOR_SCHEME") {
            builder.theme.color_scheme =
                ColorScheme::parse(&value).ok_or(ConfigError::Invalid {
                    variable: "AUTH_THEME_COLOR_SCHEME",
                    reason: "expected auto, light or dark".into(),
                })?;
        }
        if let Some(value) = non_empty("AUTH_CLIENT_ORIGINS") {
            for entry in value.split(',').map(str::trim).filter(|e| !e.is_empty()) {
                let client = ClientOrigin::parse(entry).map_err(|reason| ConfigError::Invalid {
                    variable: "AUTH_CLIENT_ORIGINS",
                    reason,
                })?;
                builder.client_origins.push(client);
            }
        }
        for (variable, slot) in [
            (
                "AUTH_RATE_LIMIT_PER_ACCOUNT",
                &mut builder.rate_limits.per_account,
            ),
            ("AUTH_RATE_LIMIT_PER_IP", &mut builder.rate_limits.per_ip),
            (
                "AUTH_RATE_LIMIT_ACCOUNT_CEILING",
                &mut builder.rate_limits.account_ceiling,
            ),
        ] {
            if let Some(value) = non_empty(variable) {
                *slot = parse_number(variable, &value)?;
            }
        }
        if let Some(value) = non_empty("AUTH_RATE_LIMIT_WINDOW") {
            builder.rate_limits.window =
                Duration::from_secs(parse_number("AUTH_RATE_LIMIT_WINDOW", &value)?.into());
        }
        if let Some(value) = var("AUTH_TRUSTED_PROXIES") {
            builder.trusted_proxies =
                TrustedProxies::parse(&value).map_err(|reason| ConfigError::Invalid {
                    variable: "AUTH_TRUSTED_PROXIES",
                    reason,
                })?;
        }
        if let Some(value) = non_empty("AUTH_PASSWORD_MIN_LENGTH") {
            builder.password_min_chars = parse_number("AUTH_PASSWORD_MIN_LENGTH", &value)? as usize;
        }
        if let Some(value) = non_empty("AUTH_HASH_CONCURRENCY") {
            builder.hash_limits.concurrency =
                parse_number("AUTH_HASH_CONCURRENCY", &value)? as usize;
        }
        for provider in super::providers::env::from_env(&|name| var(name))? {
            builder.providers.push(Provider::oauth(provider));
        }
        if let Some(server) = non_empty("AUTH_EMAIL_SERVER") {
            if !(server.starts_with("smtp://") || server.starts_with("smtps://")) {
                return Err(ConfigError::Invalid {
                    variable: "AUTH_EMAIL_SERVER",
                    reason: "expected smtp://user:password@host:port or smtps://...".into(),
                });
            }
            let from = non_empty("AUTH_EMAIL_FROM")
                .unwrap_or_else(|| "Leptos Auth <no-reply@localhost>".to_owned());
            let mut email = EmailProvider::new(server, from);
            if let Some(value) = non_empty("AUTH_EMAIL_MAX_AGE") {
                email.max_age =
                    Duration::from_secs(parse_number("AUTH_EMAIL_MAX_AGE", &value)?.into());
            }
            for (variable, slot) in [
                (
                    "AUTH_EMAIL_RATE_LIMIT_PER_ADDRESS",
                    &mut email.limits.per_address,
                ),
                ("AUTH_EMAIL_RATE_LIMIT_PER_IP", &mut email.limits.per_ip),
            ] {
                if let Some(value) = non_empty(variable) {
                    *slot = parse_number(variable, &value)?;
                }
            }
            builder.providers.push(Provider::email(email));
        }
        // The passkey provider is on unless AUTH_PASSKEY=false.
        let passkey = match non_empty("AUTH_PASSKEY") {
            Some(value) => parse_flag("AUTH_PASSKEY", &value)?,
            None => true,
        };
        if passkey {
            builder.providers.push(Provider::passkey(PasskeyProvider {
                rp_name: non_empty("AUTH_PASSKEY_RP_NAME"),
                ..PasskeyProvider::default()
            }));
        }
        if let Some(addr) = non_empty("LEPTOS_SITE_ADDR") {
            builder.site_addr = Some(addr.parse().map_err(|_| ConfigError::Invalid {
                variable: "LEPTOS_SITE_ADDR",
                reason: "expected an address such as 127.0.0.1:3000".into(),
            })?);
        }
        Ok(builder)
    }

    /// Adds a secret (call several times for rotation: newest first).
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secrets.push(Secret::new(secret.into()));
        self
    }

    /// Sets `AUTH_URL`: the public origin, optionally with the base path.
    ///
    /// # Errors
    /// Why the URL is unusable.
    pub fn url(mut self, url: &str) -> Result<Self, String> {
        let parsed = Url::parse(url).map_err(|e| format!("not an absolute URL ({e})"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err("expected an http(s) URL such as https://example.com".into());
        }
        let path = parsed.path().trim_end_matches('/');
        if !path.is_empty() {
            self.base_path = path.to_owned();
        }
        self.url = Some(parsed);
        Ok(self)
    }

    /// Trust `Host` / `X-Forwarded-*` to tell the public origin (Auth.js `trustHost`).
    pub fn trust_host(mut self, trust: bool) -> Self {
        self.trust_host = Some(trust);
        self
    }

    /// Forces `Secure` cookies with `__Secure-`/`__Host-` prefixes on or off.
    pub fn use_secure_cookies(mut self, secure: bool) -> Self {
        self.use_secure_cookies = Some(secure);
        self
    }

    /// The base path of the auth routes (default `/api/auth`).
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        self.base_path = path.into();
        self
    }

    /// Session strategy and lifetimes.
    pub fn session(mut self, session: SessionOptions) -> Self {
        self.session = session;
        self
    }

    /// `jwt: { maxAge }`.
    pub fn jwt(mut self, jwt: JwtOptions) -> Self {
        self.jwt = jwt;
        self
    }

    /// Cookie name overrides.
    pub fn cookies(mut self, cookies: CookieOverrides) -> Self {
        self.cookies = cookies;
        self
    }

    /// Allows a client origin across origins (multi-client; see `AUTH_CLIENT_ORIGINS`).
    pub fn client_origin(mut self, client: ClientOrigin) -> Self {
        self.client_origins.push(client);
        self
    }

    /// The per-client configuration hook (`createAuthConfig(origin)`): requests whose `Origin`
    /// (or whose sign-in `callbackUrl`) is a listed client are served with the configuration
    /// it returns. Secrets, the database, cookie names and providers' ids stay shared.
    pub fn create_auth_config(
        mut self,
        hook: impl Fn(&ClientOrigin, AuthConfigBuilder) -> AuthConfigBuilder + Send + Sync + 'static,
    ) -> Self {
        self.create_auth_config = Some(Arc::new(hook));
        self
    }

    /// Adds a provider.
    pub fn provider(mut self, provider: Provider) -> Self {
        self.providers.push(provider);
        self
    }

    /// Custom pages.
    pub fn pages(mut self, pages: Pages) -> Self {
        self.pages = pages;
        self
    }

    /// Theme of the built-in pages.
    pub fn theme(mut self, theme: Theme) -> Self {
        self.theme = theme;
        self
    }

    /// Verbose `debug` logs for the auth flows (never secrets).
    pub fn debug(mut self, debug: bool) -> Self {
        self.debug = debug;
        self
    }

    /// The callbacks (`sign_in`, `redirect`, `jwt`, `session`, `authorized`).
    pub fn callbacks(mut self, callbacks: impl Callbacks) -> Self {
        self.callbacks = Arc::new(callbacks);
        self
    }

    /// The event listeners.
    pub fn events(mut self, events: impl Events) -> Self {
        self.events = Arc::new(events);
        self
    }

    /// Sign-in attempt limits.
    pub fn rate_limits(mut self, limits: RateLimits) -> Self {
        self.rate_limits = limits;
        self
    }

    /// The second factor's options (on by default).
    pub fn two_factor(mut self, options: TwoFactorOptions) -> Self {
        self.two_factor = options;
        self
    }

    /// The address the server listens on; the public origin when the host is not trusted and
    /// no `AUTH_URL` is set.
    pub fn site_addr(mut self, addr: SocketAddr) -> Self {
        self.site_addr = Some(addr);
        self
    }

    /// How long a provider may take to answer one request (default 10 s).
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }

    /// Which proxies may say who the client is (`AUTH_TRUSTED_PROXIES`); none by default.
    pub fn trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = proxies;
        self
    }

    /// How many password hashes run at once, and how long a request waits for a slot.
    pub fn hash_limits(mut self, limits: HashLimits) -> Self {
        self.hash_limits = limits;
        self
    }

    /// The minimum password length at registration (default 12).
    pub fn password_min_length(mut self, chars: usize) -> Self {
        self.password_min_chars = chars;
        self
    }

    /// Whether the checks of a production (release) build apply: the email provider then needs
    /// `AUTH_URL`, because a sign-in link must never take its host from a request. On by
    /// default in release builds.
    pub fn production(mut self, production: bool) -> Self {
        self.production = production;
        self
    }

    /// Whether a missing secret may be replaced by a random one (debug builds only by default).
    pub fn allow_ephemeral_secret(mut self, allow: bool) -> Self {
        self.ephemeral_secret_allowed = allow;
        self
    }

    /// Checks the configuration.
    ///
    /// # Errors
    /// [`ConfigError::MissingSecret`] without a secret (unless ephemeral secrets are allowed,
    /// as in debug builds, where a random one is used with a warning); [`ConfigError::Invalid`]
    /// for an unusable base path or duplicate provider ids.
    pub fn build(mut self) -> Result<AuthConfig, ConfigError> {
        if self.secrets.is_empty() {
            if !self.ephemeral_secret_allowed {
                return Err(ConfigError::MissingSecret);
            }
            tracing::warn!(
                "AUTH_SECRET is not set: using a random secret for this run (sessions end when the \
                 server restarts). Set AUTH_SECRET in .env to keep them."
            );
            self.secrets.push(Secret::random());
        }
        check_secrets(&self.secrets)?;
        let max_password = super::providers::credentials::MAX_PASSWORD_CHARS;
        if !(1..=max_password).contains(&self.password_min_chars) {
            return Err(ConfigError::Invalid {
                variable: "AUTH_PASSWORD_MIN_LENGTH",
                reason: format!("must be between 1 and {max_password}"),
            });
        }
        if self.hash_limits.concurrency == 0 {
            return Err(ConfigError::Invalid {
                variable: "AUTH_HASH_CONCURRENCY",
                reason: "must be at least 1".into(),
            });
        }
        let has_email = self.providers.iter().any(|p| p.as_email().is_some());
        if self.production && has_email && self.url.is_none() {
            return Err(ConfigError::Invalid {
                variable: "AUTH_URL",
                reason: "the email provider needs AUTH_URL (the public URL, e.g. \
                         https://example.com) in production: sign-in links are built on it, never \
                         on a request's Host header"
                    .into(),
            });
        }
        let base_path = self.base_path.trim_end_matches('/').to_owned();
        if !base_path.starts_with('/') || base_path.contains(['?', '#', ' ']) {
            return Err(ConfigError::Invalid {
                variable: "base_path",
                reason: "must be an absolute path such as /api/auth".into(),
            });
        }
        let pages = [
            ("pages.sign_in", &self.pages.sign_in),
            ("pages.sign_out", &self.pages.sign_out),
            ("pages.error", &self.pages.error),
            ("pages.verify_request", &self.pages.verify_request),
            ("pages.new_user", &self.pages.new_user),
            ("pages.two_factor", &self.pages.two_factor),
        ];
        for (variable, page) in pages {
            if let Some(page) = page {
                if crate::protocol::redirect::local_callback(page).as_deref() != Some(page.as_str())
                {
                    return Err(ConfigError::Invalid {
                        variable,
                        reason: format!("`{page}`: expected a local path such as /login"),
                    });
                }
            }
        }
        if let Some(name) = self.cookies.names().iter().find_map(|(_, name)| {
            name.as_deref()
                .filter(|n| n.is_empty() || !n.bytes().all(is_cookie_name_byte))
        }) {
            return Err(ConfigError::Invalid {
                variable: "cookies",
                reason: format!("`{name}` is not a cookie name"),
            });
        }
        let mut ids: Vec<&str> = self.providers.iter().map(Provider::id).collect();
        ids.sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(ConfigError::Invalid {
                variable: "providers",
                reason: "two providers have the same id".into(),
            });
        }
        // Auth.js: the host is trusted when AUTH_URL is set, AUTH_TRUST_HOST says so, or in
        // development.
        let trust_host = self
            .trust_host
            .unwrap_or(self.url.is_some() || cfg!(debug_assertions));
        let site_addr = self
            .site_addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)));
        let site_origin = match &self.url {
            Some(url) => url.origin().ascii_serialization(),
            None => format!("http://{site_addr}"),
        };
        let mut link_origins = vec![site_origin.clone()];
        if self.url.is_none() && site_addr.ip().is_loopback() {
            // Development: the same server opened as localhost or 127.0.0.1.
            let port = site_addr.port();
            for alias in [
                format!("http://localhost:{port}"),
                format!("http://127.0.0.1:{port}"),
                format!("http://[::1]:{port}"),
            ] {
                if !link_origins.contains(&alias) {
                    link_origins.push(alias);
                }
            }
        }
        link_origins.extend(self.client_origins.iter().map(|c| c.origin.clone()));
        let cookie_names = if self.cookies.is_empty() {
            [cookies::PLAIN, cookies::SECURE]
        } else {
            [
                self.cookies.apply(cookies::PLAIN),
                self.cookies.apply(cookies::SECURE),
            ]
        };
        // Each listed client gets its configuration from the hook, built from this builder
        // (without the hook and the list, so the recursion ends here).
        let mut client_configs = Vec::new();
        if let Some(hook) = self.create_auth_config.take() {
            for client in &self.client_origins {
                let mut base = self.clone();
                base.client_origins = Vec::new();
                base.site_addr = Some(site_addr);
                let mut config = hook(client, base).build()?;
                // What identifies a session must not differ between the clients.
                config.secrets.clone_from(&self.secrets);
                config.cookie_names = cookie_names;
                config.client_origins.clone_from(&self.client_origins);
                client_configs.push((client.clone(), config));
            }
        }
        Ok(AuthConfig {
            secrets: self.secrets,
            url: self.url,
            base_path,
            trust_host,
            use_secure_cookies: self.use_secure_cookies,
            session: self.session,
            jwt: self.jwt,
            cookie_names,
            pages: self.pages,
            providers: self.providers,
            theme: self.theme,
            debug: self.debug,
            callbacks: self.callbacks,
            events: self.events,
            rate_limits: self.rate_limits,
            two_factor: self.two_factor,
            site_origin,
            http_timeout: self.http_timeout,
            client_origins: self.client_origins,
            client_configs,
            trusted_proxies: self.trusted_proxies,
            hash_limits: self.hash_limits,
            password_min_chars: self.password_min_chars,
            link_origins,
        })
    }
}

/// Every secret must be long enough to be a key (`AUTH_SECRET`).
fn check_secrets(secrets: &[Secret]) -> Result<(), ConfigError> {
    if secrets
        .iter()
        .any(|s| s.expose().chars().count() < MIN_SECRET_CHARS)
    {
        return Err(ConfigError::Invalid {
            variable: "AUTH_SECRET",
            reason: format!(
                "each secret must be at least {MIN_SECRET_CHARS} characters (use `openssl rand -base64 33`)"
            ),
        });
    }
    Ok(())
}

/// RFC 6265 token characters.
fn is_cookie_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn parse_number(variable: &'static str, value: &str) -> Result<u32, ConfigError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(ConfigError::Invalid {
            variable,
            reason: "expected a positive whole number".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn release_builds_refuse_to_start_without_a_secret() {
        let err = AuthConfigBuilder::from_vars(vars(&[]))
            .unwrap()
            .allow_ephemeral_secret(false)
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::MissingSecret));
        assert!(err.to_string().contains("AUTH_SECRET"));
    }

    #[test]
    fn secrets_are_read_newest_first() {
        let config = AuthConfigBuilder::from_vars(vars(&[
            (
                "AUTH_SECRET",
                "newest-secret-0000-0000000000000000, older-secret-00000-0000000000000000",
            ),
            ("AUTH_SECRET_1", "even-newer-secret-1-0000000000000000"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        let secrets: Vec<&str> = config.secrets.iter().map(Secret::expose).collect();
        assert_eq!(
            secrets,
            [
                "even-newer-secret-1-0000000000000000",
                "newest-secret-0000-0000000000000000",
                "older-secret-00000-0000000000000000"
            ]
        );
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (pairs, variable) in [
            (vec![("AUTH_URL", "not a url")], "AUTH_URL"),
            (vec![("AUTH_URL", "ftp://example.com")], "AUTH_URL"),
            (vec![("AUTH_TRUST_HOST", "maybe")], "AUTH_TRUST_HOST"),
            (vec![("AUTH_SECRET", "short")], "AUTH_SECRET"),
            (vec![("LEPTOS_SITE_ADDR", "nowhere")], "LEPTOS_SITE_ADDR"),
            (
                vec![("AUTH_SESSION_STRATEGY", "cookie")],
                "AUTH_SESSION_STRATEGY",
            ),
        ] {
            let err = AuthConfigBuilder::from_vars(vars(&pairs)).err().unwrap();
            assert!(err.to_string().starts_with(variable), "{err}");
        }
    }

    #[test]
    fn auth_url_may_carry_the_base_path() {
        let config = AuthConfigBuilder::from_vars(vars(&[
            ("AUTH_URL", "https://example.com/custom/auth/"),
            ("AUTH_SECRET", "0123456789abcdef0123456789abcdef"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(config.base_path, "/custom/auth");
        assert_eq!(config.site_origin, "https://example.com");
        assert!(config.trust_host);
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn secrets_shorter_than_32_characters_are_refused() {
        let short = "x".repeat(MIN_SECRET_CHARS - 1);
        let err = AuthConfigBuilder::from_vars(vars(&[("AUTH_SECRET", &short)]))
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("AUTH_SECRET"), "{err}");
        // The builder checks too, not only the environment.
        let err = AuthConfig::builder().secret(short).build().unwrap_err();
        assert!(err.to_string().starts_with("AUTH_SECRET"), "{err}");
        assert!(AuthConfig::builder().secret(SECRET).build().is_ok());
    }

    #[test]
    fn production_email_sign_in_needs_auth_url() {
        let email = [
            ("AUTH_SECRET", SECRET),
            ("AUTH_EMAIL_SERVER", "smtp://127.0.0.1:2525"),
        ];
        let err = AuthConfigBuilder::from_vars(vars(&email))
            .unwrap()
            .production(true)
            .build()
            .unwrap_err();
        assert!(err.to_string().starts_with("AUTH_URL"), "{err}");
        let mut with_url = email.to_vec();
        with_url.push(("AUTH_URL", "https://example.com"));
        assert!(AuthConfigBuilder::from_vars(vars(&with_url))
            .unwrap()
            .production(true)
            .build()
            .is_ok());
        // Development keeps working without it.
        assert!(AuthConfigBuilder::from_vars(vars(&email))
            .unwrap()
            .production(false)
            .build()
            .is_ok());
    }

    #[test]
    fn link_origins_are_configured_never_requested() {
        let config = AuthConfigBuilder::from_vars(vars(&[
            ("AUTH_SECRET", SECRET),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:3000"),
            ("AUTH_CLIENT_ORIGINS", "spa=http://127.0.0.1:3300"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(
            config.link_origins(),
            [
                "http://127.0.0.1:3000",
                "http://localhost:3000",
                "http://[::1]:3000",
                "http://127.0.0.1:3300"
            ]
        );
        let config = AuthConfigBuilder::from_vars(vars(&[
            ("AUTH_SECRET", SECRET),
            ("AUTH_URL", "https://example.com"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(config.link_origins(), ["https://example.com"]);
    }

    #[test]
    fn new_variables_are_read_and_checked() {
        let config = AuthConfigBuilder::from_vars(vars(&[
            ("AUTH_SECRET", SECRET),
            ("AUTH_TRUSTED_PROXIES", "10.0.0.0/8"),
            ("AUTH_PASSWORD_MIN_LENGTH", "16"),
            ("AUTH_RATE_LIMIT_ACCOUNT_CEILING", "50"),
            ("AUTH_SESSION_ABSOLUTE_MAX_AGE", "3600"),
            ("AUTH_HASH_CONCURRENCY", "3"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert!(matches!(
            config.trusted_proxies(),
            TrustedProxies::Networks(n) if n.len() == 1
        ));
        assert_eq!(config.password_min_chars(), 16);
        assert_eq!(config.rate_limits().account_ceiling, 50);
        assert_eq!(config.session.absolute_max_age, Duration::from_secs(3600));
        assert_eq!(config.hash_limits.concurrency, 3);
        assert_eq!(
            AuthConfig::builder()
                .secret(SECRET)
                .build()
                .unwrap()
                .password_min_chars(),
            12
        );
        for (name, value) in [
            ("AUTH_TRUSTED_PROXIES", "proxy.internal"),
            ("AUTH_PASSWORD_MIN_LENGTH", "twelve"),
        ] {
            let err = AuthConfigBuilder::from_vars(vars(&[("AUTH_SECRET", SECRET), (name, value)]))
                .err()
                .unwrap();
            assert!(err.to_string().starts_with(name), "{err}");
        }
        let err = AuthConfigBuilder::from_vars(vars(&[
            ("AUTH_SECRET", SECRET),
            ("AUTH_PASSWORD_MIN_LENGTH", "500"),
        ]))
        .unwrap()
        .build()
        .unwrap_err();
        assert!(
            err.to_string().starts_with("AUTH_PASSWORD_MIN_LENGTH"),
            "{err}"
        );
    }
}
