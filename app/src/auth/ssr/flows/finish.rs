//! The finisher: the end of every successful sign-in, whichever flow it came through
//! (credentials, OAuth, email): the `sign_in` callback, the session, the `sign_in` event, and
//! the redirect (to `pages.new_user` after a first sign-in, as Auth.js, else to the
//! `callbackUrl`).

use serde_json::Value;

use auth_core::adapter::User;

use crate::auth::form::FormFields;

use crate::auth::ssr::{
    auth::Auth,
    callbacks::{Account, SignInDecision, SignInParams},
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
    pub is_new_user: bool,
}

/// The `callbackUrl` a POST asked for: the form field. The `authjs.callback-url` cookie is
/// never read: this app never sets it (the callback URL travels in the form, the sealed OAuth
/// state or the email link), so a value there could only have been planted.
pub fn requested_callback_url(
    _auth: &Auth,
    _req: &AuthRequest,
    form: &FormFields,
) -> Option<String> {
    form.get("callbackUrl")
        .filter(|v| !v.trim().is_empty())
        .map(str::to_owned)
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
    let decision = config
        .callbacks
        .sign_in(SignInParams {
            user: &signed.user,
            account: Some(&signed.account),
            profile: signed.profile.as_ref(),
            verification_request: false,
        })
        .await;
    match decision {
        SignInDecision::Allow => {}
        SignInDecision::Deny => return Err(AuthError::AccessDenied),
        SignInDecision::RedirectTo(url) => {
            return Ok(Reply::new(Redirect(redirect::resolve(
                auth,
                req,
                Some(&url),
            ))))
        }
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
        signed.is_new_user,
        client,
    )
    .await?;
    config
        .events
        .sign_in(&signed.user, Some(&signed.account), signed.is_new_user)
        .await;
    tracing::debug!(new_user = signed.is_new_user, "signed in");
    let target = match (&config.pages.new_user, signed.is_new_user) {
        (Some(new_user), true) => redirect::resolve(auth, req, Some(new_user)),
        _ => callback_target,
    };
    Ok(Reply::with_cookies(Redirect(target), cookies))
}
