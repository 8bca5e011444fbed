//! Which user an OAuth sign-in is for (Auth.js's `handleLoginOrRegister`):
//!
//! - the provider account is known: its user (and if someone else is signed in, refuse);
//! - someone is signed in: link the new account to them;
//! - a user has the profile's email: link only if the provider allows
//!   `allow_dangerous_email_account_linking`, else `OAuthAccountNotLinked` (the user must sign
//!   in the way they did before, then link);
//! - otherwise: a new user with this account, created in one transaction.

use super::super::{
    adapter::{AdapterError, NewUser, UserRow},
    auth::Auth,
    callbacks::Account,
    error::AuthError,
    providers::{credentials::normalize_email, OAuthProvider, Profile},
    request::AuthRequest,
    session,
};

/// The user to sign in, and whether this sign-in created them.
///
/// # Errors
/// [`AuthError::AccountNotLinked`]; database errors.
pub async fn resolve(
    auth: &Auth,
    req: &AuthRequest,
    provider: &OAuthProvider,
    profile: &Profile,
    account: &Account,
) -> Result<(UserRow, bool), AuthError> {
    let db = auth.db();
    let signed_in = session::current_user_id(auth, req).await?;
    let owner = db
        .get_user_by_account(&account.provider, &account.provider_account_id)
        .await?;
    match (signed_in, owner) {
        (Some(me), Some(owner)) if owner.id == me => {
            refresh_tokens(auth, owner.id, account).await?;
            Ok((owner, false))
        }
        (Some(_), Some(_)) => Err(AuthError::AccountNotLinked),
        (Some(me), None) => {
            let user = db.get_user(me).await?.ok_or(AuthError::SessionRequired)?;
            link(auth, &user, account).await?;
            Ok((user, false))
        }
        (None, Some(owner)) => {
            refresh_tokens(auth, owner.id, account).await?;
            Ok((owner, false))
        }
        (None, None) => {
            let email = profile.email.as_deref().and_then(normalize_email);
            if let Some(email) = &email {
                if let Some(existing) = db.get_user_by_email(email).await? {
                    if !provider.allow_dangerous_email_account_linking {
                        return Err(AuthError::AccountNotLinked);
                    }
                    link(auth, &existing, account).await?;
                    return Ok((existing, false));
                }
            }
            let new_user = NewUser {
                name: profile.name.clone(),
                email,
                // Recorded when the provider vouches for the address.
                email_verified: profile.email_verified.then(time::OffsetDateTime::now_utc),
                image: profile.image.clone(),
            };
            match db.create_user_with_account(&new_user, account).await {
                Ok((user, _)) => {
                    let events = &auth.config().events;
                    events.create_user(&user).await;
                    events.link_account(&user, account).await;
                    Ok((user, true))
                }
                // Lost a race: the same address registered meanwhile, or the same account.
                Err(AdapterError::Conflict) => {
                    match db
                        .get_user_by_account(&account.provider, &account.provider_account_id)
                        .await?
                    {
                        Some(owner) => Ok((owner, false)),
                        None => Err(AuthError::AccountNotLinked),
                    }
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

async fn link(auth: &Auth, user: &UserRow, account: &Account) -> Result<(), AuthError> {
    match auth.db().link_account(user.id, account).await {
        Ok(_) => {
            auth.config().events.link_account(user, account).await;
            Ok(())
        }
        Err(AdapterError::Conflict) => Err(AuthError::AccountNotLinked),
        Err(e) => Err(e.into()),
    }
}

/// Keeps the newest provider tokens of a known account.
async fn refresh_tokens(auth: &Auth, user_id: i32, account: &Account) -> Result<(), AuthError> {
    let (Some(access_token), Some(row)) = (
        account.access_token.as_deref(),
        auth.db().account_of(user_id, &account.provider).await?,
    ) else {
        return Ok(());
    };
    auth.db()
        .update_account_tokens(
            row.id,
            access_token,
            account.expires_at,
            account.refresh_token.as_deref(),
            account.id_token.as_deref(),
        )
        .await?;
    Ok(())
}
