//! Starting an OAuth sign-in: `POST /signin/<id>` (with the CSRF token, from the sign-in page
//! or `sign_in()`) and `GET /signin/<id>?callbackUrl=` (a link that starts the flow directly).
//! Either way the browser is sent to the provider with a fresh `state`, a PKCE S256
//! challenge and, for OIDC, a `nonce`, each remembered in its check cookie.

use oauth2::{
    basic::BasicClient, AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, RedirectUrl, Scope,
};

use crate::{
    auth::Auth,
    csrf,
    error::AuthError,
    providers::{OAuthKind, OAuthProvider},
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
};

use super::checks::{self, Check, Flow};

/// Authorization parameters a caller (`signIn(id, options, authorizationParams)`, or the query
/// of `GET /signin/<id>`) may pass on to the provider: an allow-list, so that nothing that
/// carries the flow's protections (`redirect_uri`, `state`, `code_challenge`, `response_mode`,
/// ...) can be set from outside. `prompt=none` passes only for providers configured for it.
pub const CALLER_PARAMS: [&str; 9] = [
    "scope",
    "prompt",
    "login_hint",
    "ui_locales",
    "max_age",
    "acr_values",
    "display",
    "hd",
    "domain_hint",
];

/// Parameters even the provider's configuration may not set: they carry the flow's protections.
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

/// What a flow is started with.
#[derive(Debug, Clone, Copy)]
pub struct Start<'a> {
    /// Where to go after signing in (validated here).
    pub callback_url: Option<&'a str>,
    /// The caller's authorization parameters (filtered by [`CALLER_PARAMS`]).
    pub authorization_params: &'a [(String, String)],
    /// The signed-in user a CSRF-checked POST started the flow for, to link the account to
    /// (`None`: a plain sign-in, as every `GET /signin/<id>` is).
    pub link_to: Option<i32>,
}

/// Builds the authorization URL and the check cookies (the dispatcher has found the provider
/// and, for a POST, checked CSRF).
///
/// # Errors
/// [`AuthError::OAuthSignin`].
#[tracing::instrument(level = "debug", skip_all, fields(provider = %provider.id))]
pub async fn start(
    auth: &Auth,
    req: &AuthRequest,
    provider: &OAuthProvider,
    flow: Start<'_>,
) -> Result<Reply<Redirect>, AuthError> {
    let Start {
        callback_url,
        authorization_params,
        link_to,
    } = flow;
    let endpoints = auth
        .provider_client()
        .endpoints(provider)
        .await
        .map_err(AuthError::OAuthSignin)?;
    let callback = redirect::resolve(auth, req, callback_url);

    let state = checks::random_value();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let nonce =
        (provider.kind == OAuthKind::Oidc && !provider.quirks.no_nonce).then(checks::random_value);

    // oauth2's authorization request writes `response_type`, `client_id`, `state`, the PKCE
    // challenge, `redirect_uri` and `scope`; the rest are extra parameters after them.
    let redirect_to = RedirectUrl::new(redirect_uri(auth, req, provider))
        .map_err(|e| AuthError::Configuration(format!("redirect_uri: {e}")))?;
    let client = BasicClient::new(ClientId::new(provider.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(endpoints.authorization.clone()))
        .set_redirect_uri(redirect_to);
    let mut request = client
        .authorize_url(|| CsrfToken::new(state.clone()))
        .set_pkce_challenge(challenge);
    // `authorizationParams` may ask for other scopes, as in Auth.js.
    let caller = caller_params(provider, authorization_params);
    let scope = caller
        .iter()
        .find(|(name, _)| *name == "scope")
        .map(|(_, value)| (*value).to_owned())
        .unwrap_or_else(|| provider.scopes.join(" "));
    if !scope.is_empty() {
        request = request.add_scope(Scope::new(scope));
    }
    if let Some(nonce) = &nonce {
        request = request.add_extra_param("nonce", nonce.as_str());
    }
    for (name, value) in &provider.authorization_params {
        if !RESERVED.contains(&name.as_str()) {
            request = request.add_extra_param(name.as_str(), value.as_str());
        }
    }
    for (name, value) in caller {
        let configured = provider.authorization_params.iter().any(|(n, _)| n == name);
        if name != "scope" && !configured {
            request = request.add_extra_param(name, value);
        }
    }
    let (url, _) = request.url();

    // The browser's CSRF token binds the flow to it; a first visit gets one now.
    let csrf = csrf::ensure(auth, req);
    let binding = csrf::binding_of(&csrf.token);
    let mut cookies = Vec::with_capacity(4);
    cookies.extend(csrf.set_cookie);
    let flow = Flow {
        provider: &provider.id,
        binding: &binding,
        callback_url: Some(&callback),
        link_to,
    };
    let seal = |check, value: &str| {
        checks::seal(auth, req, check, value, flow)
            .ok_or_else(|| AuthError::Configuration("cannot seal a check cookie".into()))
    };
    cookies.push(seal(Check::State, &state)?);
    cookies.push(seal(Check::Pkce, verifier.secret())?);
    if let Some(nonce) = &nonce {
        cookies.push(seal(Check::Nonce, nonce)?);
    }
    tracing::debug!(link = link_to.is_some(), "redirecting to the provider");
    Ok(Reply::with_cookies(Redirect(url.into()), cookies))
}

/// The caller's authorization parameters that pass the allow-list ([`CALLER_PARAMS`]), first
/// value of each; `prompt` values naming `none` only for providers that allow silent sign-in.
fn caller_params<'a>(
    provider: &OAuthProvider,
    params: &'a [(String, String)],
) -> Vec<(&'a str, &'a str)> {
    let mut kept: Vec<(&str, &str)> = Vec::new();
    for (name, value) in params {
        let name = name.as_str();
        if !CALLER_PARAMS.contains(&name) || kept.iter().any(|(n, _)| *n == name) {
            continue;
        }
        if name == "prompt"
            && !provider.allow_prompt_none
            && value
                .split_whitespace()
                .any(|p| p.eq_ignore_ascii_case("none"))
        {
            tracing::debug!("prompt=none refused: the provider is not configured for it");
            continue;
        }
        kept.push((name, value.as_str()));
    }
    kept
}

/// The callback URL registered with the provider: `<origin><base>/callback/<id>` on a
/// configured origin (`AUTH_URL`, or an allowed one), never one taken from the `Host` header.
pub fn redirect_uri(auth: &Auth, req: &AuthRequest, provider: &OAuthProvider) -> String {
    req.link_url(auth.config(), &format!("/callback/{}", provider.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn caller_parameters_pass_an_allow_list() {
        let provider = OAuthProvider::oidc("oidc", "OIDC", "https://idp.example", "id", "secret");
        let params = pairs(&[
            ("login_hint", "ada@example.com"),
            ("redirect_uri", "https://evil.example/cb"),
            ("response_mode", "fragment"),
            ("code_challenge_method", "plain"),
            ("prompt", "login"),
            ("login_hint", "second"),
            ("x-custom", "1"),
        ]);
        assert_eq!(
            caller_params(&provider, &params),
            [("login_hint", "ada@example.com"), ("prompt", "login")]
        );
    }

    #[test]
    fn silent_sign_in_only_when_configured() {
        let provider = OAuthProvider::oidc("oidc", "OIDC", "https://idp.example", "id", "secret");
        let params = pairs(&[("prompt", "none")]);
        assert!(caller_params(&provider, &params).is_empty());
        let params = pairs(&[("prompt", "login NONE")]);
        assert!(caller_params(&provider, &params).is_empty());
        let silent = provider.allow_prompt_none(true);
        assert_eq!(
            caller_params(&silent, &pairs(&[("prompt", "none")])),
            [("prompt", "none")]
        );
    }
}
