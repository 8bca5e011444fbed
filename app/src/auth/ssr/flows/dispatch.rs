//! The dispatcher: `POST /signin/<id>` and `/callback/<id>` go to the flow of that provider.

use crate::auth::form::FormFields;

use crate::auth::ssr::{
    auth::Auth,
    error::AuthError,
    providers::Provider,
    reply::{Redirect, Reply},
    request::AuthRequest,
};

/// `POST /signin/<id>`: starts the flow of that provider (OAuth: to the provider; email: the
/// link is sent).
///
/// # Errors
/// [`AuthError::UnknownProvider`] for credentials or an unknown id; the flows' errors.
pub async fn start(
    auth: &Auth,
    req: &AuthRequest,
    provider_id: &str,
    form: &FormFields,
    authorization_params: &[(String, String)],
) -> Result<Reply<Redirect>, AuthError> {
    match auth.provider(provider_id) {
        Some(Provider::OAuth(_)) => {
            super::oauth::signin::post(auth, req, provider_id, form, authorization_params).await
        }
        Some(Provider::Email(_)) => super::email::send::post(auth, req, provider_id, form).await,
        Some(Provider::Credentials(_)) | None => Err(AuthError::UnknownProvider),
    }
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
        Some(Provider::OAuth(_)) => {
            super::oauth::callback::handle(auth, req, provider_id, params).await
        }
        Some(Provider::Email(_)) => (
            super::email::verify::callback(auth, req, provider_id, params).await,
            Vec::new(),
        ),
        Some(Provider::Credentials(_)) | None => (Err(AuthError::UnknownProvider), Vec::new()),
    }
}
