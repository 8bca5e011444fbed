//! Talking to providers: one HTTP client that never follows redirects (a redirect from a token
//! endpoint is an SSRF vector, as oauth2-rs warns) and gives up after a timeout, OIDC discovery
//! cached per provider, and the token requests of `oauth2` / `openidconnect`.

use std::{collections::HashMap, sync::Arc, time::Duration};

use oauth2::{
    basic::BasicClient, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret,
    HttpClientError, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, TokenResponse,
    TokenUrl,
};
use openidconnect::{
    core::{
        CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod,
        CoreGrantType, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
        CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType,
        CoreSubjectIdentifierType,
    },
    AdditionalProviderMetadata, IssuerUrl, Nonce, ProviderMetadata,
};
use serde_json::Value;
use tokio::sync::RwLock;
use url::Url;

use crate::{
    error::ProviderError,
    providers::{ClientAuth, OAuthKind, OAuthProvider},
};

/// The discovery fields `openidconnect` does not model that the flow needs.
#[derive(Clone, Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct ExtraMetadata {
    /// RFC 9207: the provider sends `iss` with every authorization response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    authorization_response_iss_parameter_supported: Option<bool>,
}

impl AdditionalProviderMetadata for ExtraMetadata {}

/// A discovery document, with [`ExtraMetadata`].
pub type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// Default time a provider has to answer one request (`AuthConfigBuilder::http_timeout` sets another).
pub use crate::config::DEFAULT_HTTP_TIMEOUT as DEFAULT_TIMEOUT;

/// The shared HTTP client and the discovery cache.
#[derive(Debug)]
pub struct ProviderClient {
    http: reqwest::Client,
    discovered: RwLock<HashMap<String, Arc<Metadata>>>,
}

/// A provider's endpoints, from its settings or its discovery document.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// Where the browser is sent.
    pub authorization: Url,
    /// Where codes are exchanged.
    pub token: Url,
    /// Where the profile is read (OAuth).
    pub userinfo: Option<Url>,
    /// The issuer the provider names itself with (OIDC), for the `iss` check.
    pub issuer: Option<String>,
    /// Whether the provider promises `iss` on every callback (RFC 9207,
    /// `authorization_response_iss_parameter_supported`): a callback without it is refused.
    pub requires_iss: bool,
    metadata: Option<Arc<Metadata>>,
}

/// What a token request returned.
#[derive(Clone, Default)]
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token, if any.
    pub refresh_token: Option<String>,
    /// When the access token expires (Unix seconds).
    pub expires_at: Option<i64>,
    /// Granted scopes.
    pub scope: Option<String>,
    /// `bearer`.
    pub token_type: Option<String>,
    /// The raw id_token (OIDC).
    pub id_token: Option<String>,
    /// The id_token's claims, once verified (OIDC).
    pub id_claims: Option<Value>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("expires_at", &self.expires_at)
            .field("refresh_token", &self.refresh_token.is_some())
            .finish_non_exhaustive()
    }
}

impl ProviderClient {
    /// Builds the client.
    ///
    /// # Errors
    /// [`ProviderError::Misconfigured`] if the TLS backend cannot start.
    pub fn new(timeout: Duration) -> Result<Self, ProviderError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .user_agent(concat!("leptos-auth/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ProviderError::Misconfigured(format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            discovered: RwLock::new(HashMap::new()),
        })
    }

    /// The provider's endpoints (discovering them once for OIDC; a failed discovery is not
    /// cached, so a provider that was down is tried again on the next sign-in).
    ///
    /// # Errors
    /// [`ProviderError::Discovery`], [`ProviderError::Unreachable`] or
    /// [`ProviderError::Misconfigured`].
    pub async fn endpoints(&self, provider: &OAuthProvider) -> Result<Endpoints, ProviderError> {
        let metadata = match provider.kind {
            OAuthKind::Oidc => Some(self.metadata(provider).await?),
            OAuthKind::OAuth => None,
        };
        let from_metadata =
            |pick: fn(&Metadata) -> Option<String>| metadata.as_deref().and_then(pick);
        let authorization = provider
            .authorization_url
            .clone()
            .or_else(|| from_metadata(|m| Some(m.authorization_endpoint().to_string())))
            .ok_or_else(|| ProviderError::Misconfigured("no authorization endpoint".into()))?;
        let token = provider
            .token_url
            .clone()
            .or_else(|| from_metadata(|m| m.token_endpoint().map(ToString::to_string)))
            .ok_or_else(|| ProviderError::Misconfigured("no token endpoint".into()))?;
        let userinfo = provider
            .userinfo_url
            .clone()
            .or_else(|| from_metadata(|m| m.userinfo_endpoint().map(ToString::to_string)));
        let parse = |url: &str| {
            Url::parse(url)
                .map_err(|e| ProviderError::Misconfigured(format!("endpoint {url}: {e}")))
        };
        Ok(Endpoints {
            authorization: parse(&authorization)?,
            token: parse(&token)?,
            userinfo: userinfo.as_deref().map(parse).transpose()?,
            issuer: metadata.as_ref().map(|m| m.issuer().to_string()),
            requires_iss: metadata.as_ref().is_some_and(|m| {
                m.additional_metadata()
                    .authorization_response_iss_parameter_supported
                    == Some(true)
            }),
            metadata,
        })
    }

    async fn metadata(&self, provider: &OAuthProvider) -> Result<Arc<Metadata>, ProviderError> {
        if let Some(found) = self.discovered.read().await.get(&provider.id) {
            return Ok(found.clone());
        }
        let issuer = provider
            .issuer
            .clone()
            .ok_or_else(|| ProviderError::Misconfigured("OIDC provider without issuer".into()))?;
        let issuer = IssuerUrl::new(issuer)
            .map_err(|e| ProviderError::Misconfigured(format!("issuer: {e}")))?;
        let metadata = Metadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| match e {
                openidconnect::DiscoveryError::Request(inner) => unreachable_error(&inner),
                other => ProviderError::Discovery(other.to_string()),
            })?;
        let metadata = Arc::new(metadata);
        self.discovered
            .write()
            .await
            .insert(provider.id.clone(), metadata.clone());
        tracing::debug!(provider = %provider.id, "discovered");
        Ok(metadata)
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens; for OIDC, verifies
    /// the id_token (signature, issuer, audience, expiry, and `nonce`).
    ///
    /// # Errors
    /// [`ProviderError::Token`], [`ProviderError::IdToken`], [`ProviderError::Unreachable`].
    pub async fn exchange_code(
        &self,
        provider: &OAuthProvider,
        endpoints: &Endpoints,
        code: &str,
        verifier: &str,
        redirect_uri: &str,
        nonce: Option<&str>,
    ) -> Result<Tokens, ProviderError> {
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|e| ProviderError::Misconfigured(format!("redirect URI: {e}")))?;
        match (&endpoints.metadata, provider.kind) {
            (Some(metadata), OAuthKind::Oidc) => {
                // The token endpoint is the one `endpoints` settled on (an explicit one wins
                // over discovery).
                let client = CoreClient::from_provider_metadata(
                    (**metadata).clone(),
                    ClientId::new(provider.client_id.clone()),
                    Some(ClientSecret::new(
                        provider.client_secret.expose().to_owned(),
                    )),
                )
                .set_redirect_uri(redirect)
                .set_auth_type(auth_type(provider.client_auth))
                .set_token_uri(token_url(endpoints.token.as_str())?);
                let response = client
                    .exchange_code(AuthorizationCode::new(code.to_owned()))
                    .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
                    .request_async(&self.http)
                    .await
                    .map_err(token_error)?;
                let mut tokens = tokens_of(&response);
                let id_token =
                    openidconnect::TokenResponse::id_token(&response).ok_or_else(|| {
                        ProviderError::IdToken("no id_token in the token response".into())
                    })?;
                let verified = match nonce {
                    Some(nonce) => id_token
                        .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_owned()))
                        .map(|_| ()),
                    // Providers without a nonce (LinkedIn): state and PKCE bind the flow.
                    None => id_token
                        .claims(&client.id_token_verifier(), |_: Option<&Nonce>| Ok(()))
                        .map(|_| ()),
                };
                verified.map_err(|e| ProviderError::IdToken(e.to_string()))?;
                let compact = id_token.to_string();
                tokens.id_claims = Some(jwt_payload(&compact)?);
                tokens.id_token = Some(compact);
                Ok(tokens)
            }
            _ => {
                let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
                    .set_client_secret(ClientSecret::new(
                        provider.client_secret.expose().to_owned(),
                    ))
                    .set_auth_uri(
                        AuthUrl::new(endpoints.authorization.to_string())
                            .map_err(|e| ProviderError::Misconfigured(e.to_string()))?,
                    )
                    .set_token_uri(token_url(endpoints.token.as_str())?)
                    .set_redirect_uri(redirect)
                    .set_auth_type(auth_type(provider.client_auth));
                let response = client
                    .exchange_code(AuthorizationCode::new(code.to_owned()))
                    .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
                    .request_async(&self.http)
                    .await
                    .map_err(token_error)?;
                Ok(tokens_of(&response))
            }
        }
    }

    /// Uses a refresh token.
    ///
    /// # Errors
    /// [`ProviderError::Token`] or [`ProviderError::Unreachable`].
    pub async fn refresh(
        &self,
        provider: &OAuthProvider,
        endpoints: &Endpoints,
        refresh_token: &str,
    ) -> Result<Tokens, ProviderError> {
        let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                provider.client_secret.expose().to_owned(),
            ))
            .set_token_uri(token_url(endpoints.token.as_str())?)
            .set_auth_type(auth_type(provider.client_auth));
        let response = client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(token_error)?;
        Ok(tokens_of(&response))
    }

    /// `GET` a JSON document with the access token (userinfo, GitHub's emails).
    ///
    /// # Errors
    /// [`ProviderError::Profile`] or [`ProviderError::Unreachable`].
    pub async fn get_json(&self, url: &str, access_token: &str) -> Result<Value, ProviderError> {
        let response = self
            .http
            .get(url)
            .bearer_auth(access_token)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| unreachable_error(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ProviderError::Profile(format!("{url} answered {status}")));
        }
        response
            .json()
            .await
            .map_err(|e| ProviderError::Profile(format!("{url}: {e}")))
    }
}

fn auth_type(auth: ClientAuth) -> AuthType {
    match auth {
        ClientAuth::Basic => AuthType::BasicAuth,
        ClientAuth::Post => AuthType::RequestBody,
    }
}

fn token_url(url: &str) -> Result<TokenUrl, ProviderError> {
    TokenUrl::new(url.to_owned())
        .map_err(|e| ProviderError::Misconfigured(format!("token URL: {e}")))
}

fn tokens_of<R: TokenResponse>(response: &R) -> Tokens {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    Tokens {
        access_token: response.access_token().secret().clone(),
        refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        expires_at: response.expires_in().map(|d| expiry(now, d)),
        scope: response.scopes().map(|scopes| {
            scopes
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }),
        token_type: serde_json::to_value(response.token_type())
            .ok()
            .and_then(|v| v.as_str().map(str::to_ascii_lowercase)),
        id_token: None,
        id_claims: None,
    }
}

/// `now + expires_in`, saturating: a provider's absurd `expires_in` can neither overflow nor
/// wrap into the past.
fn expiry(now: i64, expires_in: Duration) -> i64 {
    now.saturating_add(i64::try_from(expires_in.as_secs()).unwrap_or(i64::MAX))
}

/// The claims of a compact JWS whose signature was already verified.
fn jwt_payload(compact: &str) -> Result<Value, ProviderError> {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let payload = compact
        .split('.')
        .nth(1)
        .ok_or_else(|| ProviderError::IdToken("not a compact JWS".into()))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| ProviderError::IdToken("payload is not base64url".into()))?;
    serde_json::from_slice(&bytes).map_err(|_| ProviderError::IdToken("payload is not JSON".into()))
}

fn unreachable_error(error: &(dyn std::error::Error + 'static)) -> ProviderError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(reqwest_error) = e.downcast_ref::<reqwest::Error>() {
            if reqwest_error.is_timeout() {
                return ProviderError::Unreachable("timed out".into());
            }
            if reqwest_error.is_connect() {
                return ProviderError::Unreachable("connection failed".into());
            }
        }
        source = e.source();
    }
    ProviderError::Unreachable(error.to_string())
}

/// A token endpoint failure, for logs: the provider's `error` code where there is one (GitHub
/// answers errors with HTTP 200, which reads as an unparseable token response), never the
/// body of a successful answer (it holds tokens).
fn token_error<RE, T>(error: RequestTokenError<HttpClientError<RE>, T>) -> ProviderError
where
    RE: std::error::Error + 'static,
    T: oauth2::ErrorResponse + 'static,
{
    match error {
        RequestTokenError::ServerResponse(response) => {
            ProviderError::Token(crate::error::log_safe(&response.to_string(), 256))
        }
        RequestTokenError::Request(inner) => unreachable_error(&inner),
        RequestTokenError::Parse(_, body) => {
            let code = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned));
            ProviderError::Token(match code {
                Some(code) => format!(
                    "error answered with a success status: {}",
                    crate::error::log_safe(&code, 64)
                ),
                None => "unreadable token response".into(),
            })
        }
        RequestTokenError::Other(other) => ProviderError::Token(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_expires_in_saturates() {
        assert_eq!(expiry(100, Duration::from_secs(60)), 160);
        assert_eq!(expiry(100, Duration::from_secs(u64::MAX)), i64::MAX);
        assert_eq!(
            expiry(i64::MAX - 1, Duration::from_secs(i64::MAX as u64)),
            i64::MAX
        );
    }

    #[test]
    fn discovery_reads_the_iss_parameter_promise() {
        let doc = serde_json::json!({
            "issuer": "https://idp.example",
            "authorization_endpoint": "https://idp.example/auth",
            "jwks_uri": "https://idp.example/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "authorization_response_iss_parameter_supported": true
        });
        let metadata: Metadata = serde_json::from_value(doc).unwrap();
        assert_eq!(
            metadata
                .additional_metadata()
                .authorization_response_iss_parameter_supported,
            Some(true)
        );
    }
}
