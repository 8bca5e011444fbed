//! Starting an OAuth sign-in: `POST /signin/<id>` (with the CSRF token, from the sign-in page
//! or `sign_in()`) and `GET /signin/<id>?callbackUrl=` (a link that starts the flow directly).
//! Either way the browser is sent to the provider with a fresh `state`, a PKCE S256
//! challenge and, for OIDC, a `nonce`, each remembered in its check cookie.

use oauth2::PkceCodeChallenge;

use crate::auth::form::FormFields;

use super::{
    super::{
        auth::Auth,
        csrf,
        error::AuthError,
        providers::{OAuthKind, OAuthProvider},
        redirect,
        reply::{Redirect, Reply},
        request::AuthRequest,
        signin::requested_callback_url,
    },
    checks::{self, Check},
};

/// Parameters a caller may not override: they carry the flow's protections.
const RESERVED: [&str; 9] = [
    "response_type",
    "client_id",
    "client_secret",
    "redirect_uri",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "scope",
];

/// `POST /signin/<id>`: checks CSRF, then starts the flow.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::UnknownProvider`], [`AuthError::OAuthSignin`].
pub async fn post(
    auth: &Auth,
    req: &AuthRequest,
    provider_id: &str,
    form: &FormFields,
    authorization_params: &[(String, String)],
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let callback_url = requested_callback_url(auth, req, form);
    start(
        auth,
        req,
        provider_id,
        callback_url.as_deref(),
        authorization_params,
    )
    .await
}

/// Builds the authorization URL and the check cookies.
///
/// # Errors
/// [`AuthError::UnknownProvider`], [`AuthError::OAuthSignin`].
#[tracing::instrument(level = "debug", skip_all, fields(provider = %provider_id))]
pub async fn start(
    auth: &Auth,
    req: &AuthRequest,
    provider_id: &str,
    callback_url: Option<&str>,
    authorization_params: &[(String, String)],
) -> Result<Reply<Redirect>, AuthError> {
    let provider = auth
        .provider(provider_id)
        .and_then(|p| p.as_oauth())
        .ok_or(AuthError::UnknownProvider)?
        .clone();
    let endpoints = auth
        .provider_client()
        .endpoints(&provider)
        .await
        .map_err(AuthError::OAuthSignin)?;
    let callback = redirect::resolve(auth, req, callback_url);

    let state = checks::random_value();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce =
        (provider.kind == OAuthKind::Oidc && !provider.quirks.no_nonce).then(checks::random_value);

    let mut url = endpoints.authorization.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("response_type", "code")
            .append_pair("client_id", &provider.client_id)
            .append_pair("redirect_uri", &redirect_uri(auth, req, &provider))
            .append_pair("state", &state)
            .append_pair("code_challenge", challenge.as_str())
            .append_pair("code_challenge_method", "S256");
        // `authorizationParams` may ask for other scopes, as in Auth.js.
        let scope = authorization_params
            .iter()
            .find(|(name, _)| name == "scope")
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| provider.scopes.join(" "));
        if !scope.is_empty() {
            query.append_pair("scope", &scope);
        }
        if let Some(nonce) = &nonce {
            query.append_pair("nonce", nonce);
        }
        for (name, value) in provider
            .authorization_params
            .iter()
            .chain(authorization_params)
        {
            if !RESERVED.contains(&name.as_str()) {
                query.append_pair(name, value);
            }
        }
    }

    let mut cookies = Vec::with_capacity(3);
    let seal = |check, value: &str, callback: Option<&str>| {
        checks::seal(auth, req, check, value, &provider.id, callback)
            .ok_or_else(|| AuthError::Configuration("cannot seal a check cookie".into()))
    };
    cookies.push(seal(Check::State, &state, Some(&callback))?);
    cookies.push(seal(Check::Pkce, verifier.secret(), None)?);
    if let Some(nonce) = &nonce {
        cookies.push(seal(Check::Nonce, nonce, None)?);
    }
    tracing::debug!("redirecting to the provider");
    Ok(Reply::with_cookies(Redirect(url.into()), cookies))
}

/// The callback URL registered with the provider: `<origin><base>/callback/<id>`.
pub fn redirect_uri(auth: &Auth, req: &AuthRequest, provider: &OAuthProvider) -> String {
    req.auth_url(auth, &format!("/callback/{}", provider.id))
}
