//! `POST /callback/credentials`: the provider's `authorize`, then the finisher.

use crate::{
    auth::Auth,
    callbacks::SignInKind,
    csrf,
    error::AuthError,
    protocol::form::FormFields,
    providers::CredentialsCheck,
    reply::{Redirect, Reply},
    request::AuthRequest,
};

/// `POST /callback/credentials`.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::Credentials`] (wrong credentials or rate limited),
/// [`AuthError::AccessDenied`], database errors.
#[tracing::instrument(level = "debug", skip_all, fields(provider = "credentials"))]
pub async fn callback(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let provider = auth
        .credentials_provider()
        .ok_or(AuthError::UnknownProvider)?;
    let user = match &provider.authorize {
        CredentialsCheck::Password => super::password::check(auth, form, req).await?,
        CredentialsCheck::Custom(authorize) => authorize.authorize(form, req).await?,
    }
    .ok_or(AuthError::Credentials("credentials"))?;
    super::finish(auth, req, form, &provider.id, user, SignInKind::SignIn).await
}
