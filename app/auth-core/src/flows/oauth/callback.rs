//! The provider's answer: `GET /callback/<id>?code&state[&iss]` (or a form POST, for
//! providers that use `response_mode=form_post`). Every check happens before anything is
//! trusted: the state matches its cookie (sealed for this provider and this browser), the
//! issuer is the provider's (and is there when the provider promised it, RFC 9207), the PKCE
//! verifier and nonce come from their cookies, the id_token verifies; a flow that was started
//! to link an account still has its user signed in; then the code is exchanged, the profile
//! read, the user found or created, and the session made. The check cookies are cleared
//! whatever the outcome.

use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::protocol::form::FormFields;

use crate::{
    auth::Auth,
    callbacks::Account,
    error::{log_safe, AuthError, ProviderError},
    flows::finish::{self, SignedIn},
    providers::{OAuthKind, OAuthProvider, Profile},
    reply::{Redirect, Reply},
    request::AuthRequest,
    services::provider_client::Tokens,
    session,
};

use super::{
    checks::{self, Check},
    linking,
    signin::redirect_uri,
};

/// Handles a callback. Returns the outcome, and the cookies to set in any case (the cleared
/// check cookies).
pub async fn handle(
    auth: &Auth,
    req: &AuthRequest,
    provider: &OAuthProvider,
    params: &FormFields,
) -> (Result<Reply<Redirect>, AuthError>, Vec<String>) {
    if req.method == http::Method::POST {
        if !provider.quirks.form_post {
            return (
                Err(AuthError::Checks(
                    "a POST callback for a provider that does not use form_post",
                )),
                Vec::new(),
            );
        }
        // `response_mode=form_post` arrives as a cross-site POST, which carries no SameSite=Lax
        // cookie. Answer with a redirect to the same callback as a GET: a top-level navigation,
        // which does carry them.
        let query = params.encode();
        let url = req.auth_url(auth.config(), &format!("/callback/{}?{query}", provider.id));
        return (Ok(Reply::new(Redirect(url))), Vec::new());
    }
    let clear = checks::clear_all(auth, req);
    (run(auth, req, provider, params).await, clear)
}

#[tracing::instrument(level = "debug", skip_all, fields(provider = %provider.id, user.id))]
async fn run(
    auth: &Auth,
    req: &AuthRequest,
    provider: &OAuthProvider,
    params: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    if let Some(error) = params.get("error") {
        return Err(match error {
            "access_denied" => AuthError::ProviderDenied,
            other => AuthError::OAuthCallback(ProviderError::Token(format!(
                "the provider answered error={}",
                log_safe(other, 64)
            ))),
        });
    }

    let open = |check| {
        checks::open(auth, req, check, &provider.id)
            .map_err(|refused| AuthError::Checks(refused.reason(check)))
    };
    let state = open(Check::State)?;
    let returned = params
        .get("state")
        .ok_or(AuthError::Checks("no state in the callback"))?;
    if !bool::from(state.value.as_bytes().ct_eq(returned.as_bytes())) {
        return Err(AuthError::Checks("state does not match its cookie"));
    }
    let verifier = open(Check::Pkce)?;
    let nonce = match provider.kind {
        OAuthKind::Oidc if !provider.quirks.no_nonce => Some(open(Check::Nonce)?.value),
        OAuthKind::Oidc | OAuthKind::OAuth => None,
    };
    // A flow started to link an account goes on only for the user who started it.
    if let Some(link_to) = state.link_to {
        if session::current_user_id(auth, req).await? != Some(link_to) {
            return Err(AuthError::Checks(
                "a linking flow came back without the session that started it",
            ));
        }
    }
    let code = params
        .get("code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            AuthError::OAuthCallback(ProviderError::Token("no code in the callback".into()))
        })?;

    let client = auth.provider_client();
    let endpoints = client
        .endpoints(provider)
        .await
        .map_err(AuthError::OAuthCallback)?;
    // RFC 9207: when the provider names itself, it must be the one we started with; when it
    // promised to always name itself, a callback without `iss` is refused.
    match (params.get("iss"), endpoints.issuer.as_deref()) {
        (Some(iss), Some(expected))
            if iss.trim_end_matches('/') != expected.trim_end_matches('/') =>
        {
            return Err(AuthError::Checks(
                "iss does not match the provider's issuer",
            ));
        }
        (None, _) if endpoints.requires_iss => {
            return Err(AuthError::Checks(
                "no iss in the callback, and the provider promises one",
            ));
        }
        _ => {}
    }
    let tokens = client
        .exchange_code(
            provider,
            &endpoints,
            code,
            &verifier.value,
            &redirect_uri(auth, req, provider),
            nonce.as_deref(),
        )
        .await
        .map_err(AuthError::OAuthCallback)?;

    let raw_profile = match (&tokens.id_claims, &endpoints.userinfo) {
        (Some(claims), _) => claims.clone(),
        (None, Some(userinfo)) => client
            .get_json(userinfo.as_str(), &tokens.access_token)
            .await
            .map_err(AuthError::OAuthCallback)?,
        (None, None) => {
            return Err(AuthError::OAuthCallback(ProviderError::Misconfigured(
                "no id_token and no userinfo endpoint".into(),
            )))
        }
    };
    let mut profile = (provider.profile)(&raw_profile).ok_or_else(|| {
        AuthError::OAuthCallback(ProviderError::Profile("the profile has no id".into()))
    })?;
    apply_quirks(auth, provider, &tokens, params, &mut profile).await?;

    let account = account_of(provider, &profile, &tokens);
    let (user, kind) = linking::resolve(auth, provider, &profile, &account, state.link_to).await?;
    tracing::Span::current().record("user.id", user.id);
    finish::complete(
        auth,
        req,
        SignedIn {
            user,
            account,
            profile: Some(raw_profile),
            kind,
        },
        state.callback_url.as_deref(),
    )
    .await
}

async fn apply_quirks(
    auth: &Auth,
    provider: &OAuthProvider,
    tokens: &Tokens,
    params: &FormFields,
    profile: &mut Profile,
) -> Result<(), AuthError> {
    if provider.quirks.github_emails && profile.email.is_none() {
        let emails = auth
            .provider_client()
            .get_json("https://api.github.com/user/emails", &tokens.access_token)
            .await
            .map_err(AuthError::OAuthCallback)?;
        if let Some(primary) = emails.as_array().and_then(|list| {
            list.iter().find(|e| {
                e.get("primary") == Some(&Value::Bool(true))
                    && e.get("verified") == Some(&Value::Bool(true))
            })
        }) {
            profile.email = primary
                .get("email")
                .and_then(Value::as_str)
                .map(str::to_owned);
            profile.email_verified = profile.email.is_some();
        }
    }
    if provider.quirks.form_post && profile.name.is_none() {
        // Apple sends the name once, on the first authorization, as JSON in `user`.
        if let Some(user) = params
            .get("user")
            .and_then(|u| serde_json::from_str::<Value>(u).ok())
        {
            let part = |key: &str| {
                user.pointer(&format!("/name/{key}"))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            let name = [part("firstName"), part("lastName")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            if !name.is_empty() {
                profile.name = Some(name);
            }
        }
    }
    Ok(())
}

fn account_of(provider: &OAuthProvider, profile: &Profile, tokens: &Tokens) -> Account {
    Account {
        provider: provider.id.clone(),
        kind: provider.kind.as_str().to_owned(),
        provider_account_id: profile.id.clone(),
        access_token: Some(tokens.access_token.clone()),
        refresh_token: tokens.refresh_token.clone(),
        expires_at: tokens.expires_at,
        id_token: tokens.id_token.clone(),
        scope: tokens.scope.clone(),
        token_type: tokens.token_type.clone(),
        session_state: None,
    }
}
