//! The signed-in user's account: linked accounts (NextAuthClient's `linked`: which configured
//! providers they can sign in with, and unlinking one, never the last), and their sessions
//! (database strategy: listed, and revoked one by one or all but this one; a revoked session
//! stops working on its next request, on every instance), and signing out everywhere (both
//! strategies; see `session::sign_out_everywhere` for when a JWT session notices).
//!
//! Each of these decides who the user is with `session::identify`, the same checks a session
//! read makes (the `jwt` callback included).

use subtle::ConstantTimeEq;

use crate::adapter::AdapterError;

use crate::{
    protocol::form::FormFields,
    protocol::wire::{LinkedAccount, SessionInfo, SessionList},
};

use crate::protocol::dates::iso_millis;
use crate::{
    auth::Auth,
    config::SessionStrategy,
    csrf,
    error::AuthError,
    providers::Provider,
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

use super::finish::requested_callback_url;

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
                Provider::Passkey(p) => accounts.iter().any(|a| a.provider == p.id),
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
    let back = redirect::resolve(auth, req, requested_callback_url(form).as_deref());
    match auth.db().unlink_account(user_id, provider_id).await {
        Ok(_) => Ok(Reply::new(Redirect(back))),
        Err(AdapterError::LastSignInMethod) => Ok(last_sign_in_method(&back)),
        Err(e) => Err(e.into()),
    }
}

/// Back to `back` with `?error=LastSignInMethod`: removing the user's last way to sign in
/// (an account, a passkey) was refused.
pub(crate) fn last_sign_in_method(back: &str) -> Reply<Redirect> {
    Reply::new(redirect::back_with_error(back, "LastSignInMethod"))
}

/// The user's sessions (database strategy; with JWT sessions there is nothing to list).
///
/// # Errors
/// [`AuthError::SessionRequired`]; database errors.
pub async fn sessions(auth: &Auth, req: &AuthRequest) -> Result<SessionList, AuthError> {
    let user_id = session::current_user_id(auth, req)
        .await?
        .ok_or(AuthError::SessionRequired)?;
    if auth.config().session.strategy != SessionStrategy::Database {
        return Ok(SessionList::default());
    }
    let current = req
        .cookies
        .get_chunked(auth.cookie_names(req.secure).session_token)
        .map(|c| c.into_owned())
        .unwrap_or_default();
    let rows = auth.db().sessions_of(user_id).await?;
    Ok(SessionList {
        listed: true,
        sessions: rows
            .into_iter()
            .map(|row| SessionInfo {
                id: row.id,
                created_at: row.created_at.map(iso_millis),
                expires: iso_millis(row.expires),
                user_agent: row.user_agent,
                current: bool::from(row.session_token.as_bytes().ct_eq(current.as_bytes())),
            })
            .collect(),
    })
}

/// Revokes sessions (`csrfToken`, `session` = an id, `others` or `everywhere`, `callbackUrl`):
/// database rows are deleted, so they end on their next request everywhere; `everywhere` also
/// ends every JWT session of the user, this one included.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::SessionRequired`]; database errors.
pub async fn revoke_sessions(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let user_id = session::current_user_id(auth, req)
        .await?
        .ok_or(AuthError::SessionRequired)?;
    let mut cookies = Vec::new();
    if form.get("session") == Some("everywhere") {
        cookies = session::sign_out_everywhere(auth, req, user_id).await?;
    } else if auth.config().session.strategy == SessionStrategy::Database {
        match form.get("session") {
            Some("others") => {
                let current = req
                    .cookies
                    .get_chunked(auth.cookie_names(req.secure).session_token)
                    .map(|c| c.into_owned())
                    .unwrap_or_default();
                auth.db().delete_other_sessions(user_id, &current).await?;
            }
            Some(id) => {
                if let Ok(id) = id.parse::<i32>() {
                    auth.db().delete_session_of(user_id, id).await?;
                }
            }
            None => {}
        }
    }
    let back = redirect::resolve(auth, req, requested_callback_url(form).as_deref());
    Ok(Reply::with_cookies(Redirect(back), cookies))
}
