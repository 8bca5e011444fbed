//! Which user an OAuth sign-in is for (Auth.js's `handleLoginOrRegister`), keyed only on what
//! was proven:
//!
//! - the flow was started by a signed-in user to link (the intent sealed in its state, checked
//!   against the session by the callback): link the account to them, unless it belongs to
//!   someone else (`OAuthAccountNotLinked`); nothing else ever links an account to a session;
//! - the provider account is known: its user;
//! - the provider says it verified the address, and a user has it:
//!   - that user's address was never proven (a password registration): the verified sign-in
//!     reclaims it, removing what the unverified party set up (password, sessions, accounts),
//!     then links;
//!   - it was proven: link only if the provider allows `allow_dangerous_email_account_linking`,
//!     else `OAuthAccountNotLinked` (the user signs in the way they did before, then links);
//! - otherwise: a new user with this account, created in one transaction. An address the
//!   provider does not say it verified is never stored as the user's `email`.

use crate::adapter::{AccountTokens, AdapterError, NewUser, User};

use crate::{
    auth::Auth,
    callbacks::{Account, SignInKind},
    error::AuthError,
    providers::{credentials::normalize_email, OAuthProvider, Profile},
    session,
};

/// The user to sign in, and whether this sign-in created them. `link_to` is the user the flow
/// was started to link to (already checked to be the one signed in).
///
/// # Errors
/// [`AuthError::AccountNotLinked`]; database errors.
pub async fn resolve(
    auth: &Auth,
    provider: &OAuthProvider,
    profile: &Profile,
    account: &Account,
    link_to: Option<i32>,
) -> Result<(User, SignInKind), AuthError> {
    let db = auth.db();
    let owner = db
        .get_user_by_account(&account.provider, &account.provider_account_id)
        .await?;
    match (link_to, owner) {
        (Some(me), Some(owner)) if owner.id == me => {
            store_tokens(auth, account).await?;
            Ok((owner, SignInKind::SignIn))
        }
        (Some(_), Some(_)) => Err(AuthError::AccountNotLinked),
        (Some(me), None) => {
            let user = db.get_user(me).await?.ok_or(AuthError::SessionRequired)?;
            link(auth, &user, account).await?;
            Ok((user, SignInKind::SignIn))
        }
        (None, Some(owner)) => {
            store_tokens(auth, account).await?;
            Ok((owner, SignInKind::SignIn))
        }
        (None, None) => sign_in_new_account(auth, provider, profile, account).await,
    }
}

/// An account nobody has yet, and no linking intent.
async fn sign_in_new_account(
    auth: &Auth,
    provider: &OAuthProvider,
    profile: &Profile,
    account: &Account,
) -> Result<(User, SignInKind), AuthError> {
    let db = auth.db();
    // Only a verified address is the user's address.
    let email = profile
        .email
        .as_deref()
        .filter(|_| profile.email_verified)
        .and_then(normalize_email);
    if let Some(email) = &email {
        if let Some(existing) = db.get_user_by_email(email).await? {
            if !existing.email_is_verified() {
                let now = time::OffsetDateTime::now_utc();
                // `None`: someone else reclaimed it at the same moment; it is verified now.
                let profile = NewUser {
                    name: profile.name.clone(),
                    image: profile.image.clone(),
                    ..NewUser::default()
                };
                let user = session::reclaim_unverified(auth, existing.id, now, &profile)
                    .await?
                    .ok_or(AuthError::AccountNotLinked)?;
                auth.config().events.update_user(&user).await;
                link(auth, &user, account).await?;
                return Ok((user, SignInKind::SignIn));
            }
            if !provider.allow_dangerous_email_account_linking {
                return Err(AuthError::AccountNotLinked);
            }
            link(auth, &existing, account).await?;
            return Ok((existing, SignInKind::SignIn));
        }
    }
    let new_user = NewUser {
        name: profile.name.clone(),
        email: email.clone(),
        email_verified: email.as_ref().map(|_| time::OffsetDateTime::now_utc()),
        image: profile.image.clone(),
    };
    match db.create_user_with_account(&new_user, account).await {
        Ok((user, _)) => {
            let events = &auth.config().events;
            events.create_user(&user).await;
            events.link_account(&user, account).await;
            Ok((user, SignInKind::SignUp))
        }
        // Lost a race: the same address registered meanwhile, or the same account.
        Err(AdapterError::Conflict) => {
            match db
                .get_user_by_account(&account.provider, &account.provider_account_id)
                .await?
            {
                Some(owner) => Ok((owner, SignInKind::SignIn)),
                None => Err(AuthError::AccountNotLinked),
            }
        }
        Err(e) => Err(e.into()),
    }
}

async fn link(auth: &Auth, user: &User, account: &Account) -> Result<(), AuthError> {
    match auth.db().link_account(user.id, account).await {
        Ok(_) => {
            auth.config().events.link_account(user, account).await;
            Ok(())
        }
        Err(AdapterError::Conflict) => Err(AuthError::AccountNotLinked),
        Err(e) => Err(e.into()),
    }
}

/// Keeps the newest provider tokens of a known account, found by `(provider,
/// providerAccountId)`.
async fn store_tokens(auth: &Auth, account: &Account) -> Result<(), AuthError> {
    let Some(access_token) = account.access_token.as_deref() else {
        return Ok(());
    };
    auth.db()
        .store_account_tokens(
            &account.provider,
            &account.provider_account_id,
            &AccountTokens {
                access_token,
                expires_at: account.expires_at,
                refresh_token: account.refresh_token.as_deref(),
                id_token: account.id_token.as_deref(),
            },
        )
        .await?;
    Ok(())
}
