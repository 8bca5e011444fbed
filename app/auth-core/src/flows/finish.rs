//! The finisher: the end of every successful sign-in, whichever flow it came through
//! (credentials, OAuth, email): the `sign_in` callback, the session, the `sign_in` event, and
//! the redirect (to `pages.new_user` after a first sign-in, as Auth.js, else to the
//! `callbackUrl`).

use serde_json::Value;

use crate::adapter::User;

use crate::protocol::form::FormFields;

use crate::{
    auth::Auth,
    callbacks::{Account, SignInDecision, SignInKind, SignInParams, SignInUser},
    error::AuthError,
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

/// Who signed in, and how.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The user.
    pub user: User,
    /// The account used.
    pub account: Account,
    /// The provider's profile, for OAuth.
    pub profile: Option<Value>,
    /// Whether this sign-in created the user.
    pub kind: SignInKind,
}

/// The `callbackUrl` a POST asked for: the form field. The `authjs.callback-url` cookie is
/// never read: this app never sets it (the callback URL travels in the form, the sealed OAuth
/// state or the email link), so a value there could only have been planted.
pub fn requested_callback_url(form: &FormFields) -> Option<String> {
    form.get("callbackUrl")
        .filter(|v| !v.trim().is_empty())
        .map(str::to_owned)
}

/// Asks the `sign_in` callback: `None` to go on, or where it sends the browser instead.
///
/// # Errors
/// [`AuthError::AccessDenied`] if it refuses.
pub async fn ask_sign_in(
    auth: &Auth,
    req: &AuthRequest,
    params: SignInParams<'_>,
) -> Result<Option<Reply<Redirect>>, AuthError> {
    match auth.config().callbacks.sign_in(params).await {
        SignInDecision::Allow => Ok(None),
        SignInDecision::Deny => Err(AuthError::AccessDenied),
        SignInDecision::RedirectTo(url) => Ok(Some(Reply::new(Redirect(redirect::resolve(
            auth,
            req,
            Some(&url),
        ))))),
    }
}

/// Finishes a sign-in.
///
/// # Errors
/// [`AuthError::AccessDenied`] if the `sign_in` (or `jwt`) callback refuses; database errors.
#[tracing::instrument(level = "debug", skip_all, fields(provider = %signed.account.provider, user.id = signed.user.id))]
pub async fn complete(
    auth: &Auth,
    req: &AuthRequest,
    signed: SignedIn,
    callback_url: Option<&str>,
) -> Result<Reply<Redirect>, AuthError> {
    let config = auth.config();
    let params = SignInParams {
        user: SignInUser::User(&signed.user),
        account: Some(&signed.account),
        profile: signed.profile.as_ref(),
    };
    if let Some(elsewhere) = ask_sign_in(auth, req, params).await? {
        return Ok(elsewhere);
    }
    let callback_target = redirect::resolve(auth, req, callback_url);
    // Multi-client: the client is the one the user returns to, else the one that posted.
    let client = url::Url::parse(&callback_target)
        .ok()
        .and_then(|url| auth.client(&url.origin().ascii_serialization()))
        .or_else(|| req.origin_header.as_deref().and_then(|o| auth.client(o)));
    let cookies = session::create(
        auth,
        req,
        &signed.user,
        Some(&signed.account),
        signed.profile.as_ref(),
        signed.kind,
        client,
    )
    .await?;
    config
        .events
        .sign_in(&signed.user, Some(&signed.account), signed.kind)
        .await;
    tracing::debug!(new_user = signed.kind.is_new_user(), "signed in");
    let target = match (&config.pages.new_user, signed.kind) {
        (Some(new_user), SignInKind::SignUp) => redirect::resolve(auth, req, Some(new_user)),
        _ => callback_target,
    };
    Ok(Reply::with_cookies(Redirect(target), cookies))
}
