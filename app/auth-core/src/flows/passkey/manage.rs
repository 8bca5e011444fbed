//! The signed-in user's passkeys on the account page: the list, and removing one (never the
//! last way to sign in, as unlinking). Adding one is a registration ceremony
//! ([`super::options`], [`super::callback`]) while signed in.

use time::OffsetDateTime;

use crate::{
    adapter::AdapterError,
    auth::Auth,
    csrf,
    error::AuthError,
    flows::{finish::requested_callback_url, linked_accounts},
    protocol::{dates::iso_millis, form::FormFields, passkey::MULTI_DEVICE, wire::PasskeyInfo},
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

fn iso_of_ms(ms: Option<i64>) -> Option<String> {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms?) * 1_000_000).ok()?;
    Some(iso_millis(at))
}

/// The user's passkeys, oldest first.
///
/// # Errors
/// [`AuthError::SessionRequired`]; database errors.
pub async fn list(auth: &Auth, req: &AuthRequest) -> Result<Vec<PasskeyInfo>, AuthError> {
    let user_id = session::current_user_id(auth, req)
        .await?
        .ok_or(AuthError::SessionRequired)?;
    Ok(auth
        .db()
        .authenticators_of(user_id)
        .await?
        .into_iter()
        .map(|row| PasskeyInfo {
            name: row.name.unwrap_or_else(|| "Passkey".to_owned()),
            created_at: iso_of_ms(row.created_at),
            last_used_at: iso_of_ms(row.last_used_at),
            synced: row.backed_up || row.device_type == MULTI_DEVICE,
            id: row.credential_id,
        })
        .collect())
}

/// `POST` (`csrfToken`, `credentialId`, `callbackUrl`): removes one of the user's passkeys and
/// goes back; refusing to remove the last way to sign in comes back as
/// `?error=LastSignInMethod`, as unlinking.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::SessionRequired`]; database errors.
pub async fn remove(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let user_id = session::current_user_id(auth, req)
        .await?
        .ok_or(AuthError::SessionRequired)?;
    let credential_id = form.get("credentialId").unwrap_or_default();
    let back = redirect::resolve(auth, req, requested_callback_url(form).as_deref());
    match auth.db().remove_authenticator(user_id, credential_id).await {
        Ok(removed) => {
            if removed {
                tracing::info!(user.id = user_id, "passkey removed");
            }
            Ok(Reply::new(Redirect(back)))
        }
        Err(AdapterError::LastSignInMethod) => Ok(linked_accounts::last_sign_in_method(&back)),
        Err(e) => Err(e.into()),
    }
}
