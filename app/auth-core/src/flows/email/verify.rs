//! `GET /callback/email?token&email&callbackUrl`: the link comes back. The token is used
//! (deleted) in the same statement that finds it, so a link works once; an expired, used or
//! altered link, or one opened with another address, is `Verification` (403). The user is
//! found by the verified address, or created with `emailVerified` set (Auth.js's rule: owning
//! the address is proof enough to sign in to the account that has it).
//!
//! An account whose address nobody had proved (a password registration) is reclaimed first:
//! its password, sessions and linked accounts go, since whoever set them up never showed they
//! own the address. The one exception is the same person: a link followed in a browser signed
//! in as that very user proves both the password and the mailbox, and only verifies.

use time::OffsetDateTime;

use crate::adapter::NewUser;

use crate::protocol::form::FormFields;

use crate::{
    auth::Auth,
    callbacks::{Account, SignInKind},
    error::AuthError,
    flows::finish::{self, SignedIn},
    providers::{credentials::normalize_email, EmailProvider},
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

use super::token_hash;

/// Verifies a sign-in link and signs the user in.
///
/// # Errors
/// [`AuthError::Verification`]; database errors.
#[tracing::instrument(level = "debug", skip_all, fields(provider = %provider.id, user.id))]
pub async fn callback(
    auth: &Auth,
    req: &AuthRequest,
    provider: &EmailProvider,
    params: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    let token = params
        .get("token")
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or(AuthError::Verification("no token in the link"))?;
    let email = params
        .get("email")
        .and_then(normalize_email)
        .ok_or(AuthError::Verification("no valid email in the link"))?;
    let expires = auth
        .db()
        .use_verification_token(&email, &token_hash(auth, token))
        .await?
        .ok_or(AuthError::Verification("unknown, used or altered token"))?;
    let now = OffsetDateTime::now_utc();
    if expires <= now {
        return Err(AuthError::Verification("expired token"));
    }

    let db = auth.db();
    let (user, kind) = match db.get_user_by_email(&email).await? {
        Some(user) if !user.email_is_verified() => {
            let same_person = session::current_user_id(auth, req).await? == Some(user.id);
            let updated = if same_person {
                db.set_email_verified(user.id, now).await?
            } else {
                // An email link carries no name: what the stranger chose goes, nothing replaces it.
                session::reclaim_unverified(auth, user.id, now, &NewUser::default()).await?
            };
            // None: verified meanwhile by another request; read it as it is now.
            let updated = match updated {
                Some(updated) => updated,
                None => db
                    .get_user(user.id)
                    .await?
                    .ok_or(AuthError::Verification("user vanished"))?,
            };
            auth.config().events.update_user(&updated).await;
            (updated, SignInKind::SignIn)
        }
        Some(user) => (user, SignInKind::SignIn),
        None => {
            let new_user = NewUser {
                email: Some(email.clone()),
                email_verified: Some(now),
                ..NewUser::default()
            };
            let user = match db.create_user(&new_user).await {
                Ok(user) => user,
                // Created meanwhile by another request: use it.
                Err(crate::adapter::AdapterError::Conflict) => db
                    .get_user_by_email(&email)
                    .await?
                    .ok_or(AuthError::Verification("user vanished"))?,
                Err(e) => return Err(e.into()),
            };
            auth.config().events.create_user(&user).await;
            (user, SignInKind::SignUp)
        }
    };
    tracing::Span::current().record("user.id", user.id);
    let account = Account {
        provider: provider.id.clone(),
        kind: "email".into(),
        provider_account_id: email,
        ..Account::default()
    };
    finish::complete(
        auth,
        req,
        SignedIn {
            user,
            account,
            profile: None,
            kind,
        },
        params.get("callbackUrl"),
    )
    .await
}
