//! Linked accounts (NextAuthClient's `linked`): which configured providers the signed-in user
//! can sign in with, and unlinking one, never the last.

use crate::auth::{form::FormFields, types::LinkedAccount};

use super::{
    adapter::AdapterError,
    auth::Auth,
    csrf,
    error::AuthError,
    providers::Provider,
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
    signin::requested_callback_url,
};

/// `GET /linked`: every configured provider, `linked` for those the user has.
///
/// # Errors
/// [`AuthError::SessionRequired`]; database errors.
pub async fn linked(auth: &Auth, req: &AuthRequest) -> Result<Vec<LinkedAccount>, AuthError> {
    let user_id = session::current_user_id(auth, req)
        .await?
        .ok_or(AuthError::SessionRequired)?;
    let accounts = auth.db().accounts_of(user_id).await?;
    let has_password = auth.db().has_password(user_id).await?;
    Ok(auth
        .config()
        .providers
        .iter()
        .map(|provider| LinkedAccount {
            id: provider.id().to_owned(),
            name: provider.name().to_owned(),
            kind: provider.kind().to_owned(),
            linked: match provider {
                Provider::Credentials(_) => has_password,
                Provider::OAuth(p) => accounts.iter().any(|a| a.provider == p.id),
                // Anyone with an address can be sent a link.
                Provider::Email(_) => true,
            },
        })
        .collect())
}

/// `POST /unlink/<id>` (`csrfToken`, `callbackUrl`): removes the user's account at that
/// provider and goes back to the `callbackUrl`; refusing to remove the last way to sign in
/// comes back as `?error=LastSignInMethod` on that page.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::SessionRequired`], [`AuthError::UnknownProvider`];
/// database errors.
pub async fn unlink(
    auth: &Auth,
    req: &AuthRequest,
    provider_id: &str,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let user_id = session::current_user_id(auth, req)
        .await?
        .ok_or(AuthError::SessionRequired)?;
    if auth
        .provider(provider_id)
        .and_then(Provider::as_oauth)
        .is_none()
    {
        return Err(AuthError::UnknownProvider);
    }
    let back = redirect::resolve(auth, req, requested_callback_url(req, form).as_deref());
    match auth.db().unlink_account(user_id, provider_id).await {
        Ok(_) => Ok(Reply::new(Redirect(back))),
        Err(AdapterError::LastSignInMethod) => {
            let separator = if back.contains('?') { '&' } else { '?' };
            Ok(Reply::new(Redirect(format!(
                "{back}{separator}error=LastSignInMethod"
            ))))
        }
        Err(e) => Err(e.into()),
    }
}
