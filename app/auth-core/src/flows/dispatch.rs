//! The dispatcher: `POST /signin/<id>`, `GET /signin/<id>` and `/callback/<id>` go to the flow
//! of that provider. The provider is looked up here, once, and handed to the flow; the CSRF
//! check of every POST that starts a flow is here too, once.

use crate::protocol::form::FormFields;

use crate::{
    auth::Auth,
    csrf,
    error::AuthError,
    providers::Provider,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

use super::finish::requested_callback_url;

/// `POST /signin/<id>` (`csrfToken`, `callbackUrl`): checks CSRF, then starts the flow of that
/// provider (OAuth: to the provider; email: the link is sent). A signed-in user who posts here
/// for an OAuth provider links its account to themselves (the intent is sealed in the state);
/// nothing else ever links an account to a session.
///
/// # Errors
/// [`AuthError::UnknownProvider`] for credentials or an unknown id; [`AuthError::Csrf`]; the
/// flows' errors.
pub async fn start(
    auth: &Auth,
    req: &AuthRequest,
    provider_id: &str,
    form: &FormFields,
    authorization_params: &[(String, String)],
) -> Result<Reply<Redirect>, AuthError> {
    let provider = match auth.provider(provider_id) {
        Some(Provider::Credentials(_)) | None => return Err(AuthError::UnknownProvider),
        Some(provider) => provider,
    };
    csrf::verify(auth, req, form.get("csrfToken"))?;
    match provider {
        Provider::OAuth(provider) => {
            let callback_url = requested_callback_url(form);
            let link_to = session::current_user_id(auth, req).await?;
            let flow = super::oauth::signin::Start {
                callback_url: callback_url.as_deref(),
                authorization_params,
                link_to,
            };
            super::oauth::signin::start(auth, req, provider, flow).await
        }
        Provider::Email(provider) => super::email::send::post(auth, req, provider, form).await,
        // A passkey starts at `GET /webauthn-options/passkey`.
        Provider::Credentials(_) | Provider::Passkey(_) => Err(AuthError::UnknownProvider),
    }
}

/// `GET /signin/<id>?callbackUrl=`: a link that starts an OAuth flow directly (state and PKCE
/// protect it). A plain link never links an account: only a CSRF-checked POST records that
/// intent.
///
/// # Errors
/// [`AuthError::UnknownProvider`] for anything but an OAuth provider; the flow's errors.
pub async fn start_from_link(
    auth: &Auth,
    req: &AuthRequest,
    provider_id: &str,
    callback_url: Option<&str>,
    authorization_params: &[(String, String)],
) -> Result<Reply<Redirect>, AuthError> {
    let provider = auth
        .provider(provider_id)
        .and_then(Provider::as_oauth)
        .ok_or(AuthError::UnknownProvider)?;
    let flow = super::oauth::signin::Start {
        callback_url,
        authorization_params,
        link_to: None,
    };
    super::oauth::signin::start(auth, req, provider, flow).await
}

/// `GET|POST /callback/<id>`: the provider's answer. Returns the outcome, and cookies to set
/// whatever it is (OAuth clears its check cookies).
pub async fn callback(
    auth: &Auth,
    req: &AuthRequest,
    provider_id: &str,
    params: &FormFields,
) -> (Result<Reply<Redirect>, AuthError>, Vec<String>) {
    match auth.provider(provider_id) {
        Some(Provider::OAuth(provider)) => {
            super::oauth::callback::handle(auth, req, provider, params).await
        }
        Some(Provider::Email(provider)) => (
            super::email::verify::callback(auth, req, provider, params).await,
            Vec::new(),
        ),
        Some(Provider::Passkey(provider)) if req.method == http::Method::POST => {
            super::passkey::callback::callback(auth, req, provider, params).await
        }
        Some(Provider::Credentials(_) | Provider::Passkey(_)) | None => {
            (Err(AuthError::UnknownProvider), Vec::new())
        }
    }
}
