//! The finisher: the end of every successful sign-in, whichever flow it came through
//! (credentials, OAuth, email): the `sign_in` callback, the second step for a user with a
//! second factor, the session (which says how the user signed in, `amr`), the `sign_in`
//! event, and the redirect (to `pages.new_user` after a first sign-in, as Auth.js, else to the
//! `callbackUrl`).

use serde_json::Value;

use crate::adapter::User;

use crate::protocol::form::FormFields;

use crate::{
    auth::Auth,
    callbacks::{Account, SignInDecision, SignInKind, SignInParams, SignInUser},
    error::AuthError,
    flows::second_factor,
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

/// How a first factor of this account's type was proved (RFC 8176 `amr` where a value
/// fits): a password, a link to the mailbox, a federated provider, a passkey.
pub fn first_factor_amr(account: &Account) -> Vec<String> {
    let method = match account.kind.as_str() {
        "credentials" => "pwd",
        "email" => "email",
        "webauthn" => "hwk",
        // OAuth and OIDC: the provider proved it.
        _ => "fed",
    };
    vec![method.to_owned()]
}

/// Finishes a sign-in: the `sign_in` callback, then the second step when the user has a
/// second factor (nothing is signed in until it is proved), else the session.
///
/// # Errors
/// [`AuthError::AccessDenied`] if the `sign_in` (or `jwt`) callback refuses; database errors.
pub async fn complete(
    auth: &Auth,
    req: &AuthRequest,
    signed: SignedIn,
    callback_url: Option<&str>,
) -> Result<Reply<Redirect>, AuthError> {
    let amr = first_factor_amr(&signed.account);
    complete_with(auth, req, signed, callback_url, amr).await
}

/// [`complete`] with the `amr` the flow proved. When it already holds `mfa` (a passkey whose
/// authenticator verified the user: possession plus a PIN or biometric), there is no second
/// step.
///
/// # Errors
/// As [`complete`].
#[tracing::instrument(level = "debug", skip_all, fields(provider = %signed.account.provider, user.id = signed.user.id))]
pub async fn complete_with(
    auth: &Auth,
    req: &AuthRequest,
    signed: SignedIn,
    callback_url: Option<&str>,
    amr: Vec<String>,
) -> Result<Reply<Redirect>, AuthError> {
    let params = SignInParams {
        user: SignInUser::User(&signed.user),
        account: Some(&signed.account),
        profile: signed.profile.as_ref(),
    };
    if let Some(elsewhere) = ask_sign_in(auth, req, params).await? {
        return Ok(elsewhere);
    }
    let callback_target = redirect::resolve(auth, req, callback_url);
    let multi_factor = amr.iter().any(|m| m == second_factor::step::MFA);
    // A user this sign-in created has no second factor yet.
    if signed.kind == SignInKind::SignIn
        && !multi_factor
        && second_factor::step::required(auth, signed.user.id).await?
    {
        return second_factor::step::challenge(auth, req, &signed, amr, callback_target);
    }
    establish(auth, req, signed, callback_target, amr).await
}

/// Signs the user in once every factor is proved: the session (with `amr`), the `sign_in`
/// event, the redirect (to `pages.new_user` after a first sign-in, else `callback_target`,
/// already resolved).
///
/// # Errors
/// [`AuthError::AccessDenied`] if the `jwt` callback refuses; database errors.
pub async fn establish(
    auth: &Auth,
    req: &AuthRequest,
    signed: SignedIn,
    callback_target: String,
    amr: Vec<String>,
) -> Result<Reply<Redirect>, AuthError> {
    let config = auth.config();
    // Multi-client: the client is the one the user returns to, else the one that posted.
    let client = url::Url::parse(&callback_target)
        .ok()
        .and_then(|url| auth.client(&url.origin().ascii_serialization()))
        .or_else(|| req.origin_header.as_deref().and_then(|o| auth.client(o)));
    let new = session::NewSession {
        user: &signed.user,
        account: Some(&signed.account),
        profile: signed.profile.as_ref(),
        kind: signed.kind,
        client,
        amr: &amr,
    };
    let cookies = session::create(auth, req, new).await?;
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
