//! `POST /signin/email` (`csrfToken`, `email`, `callbackUrl`): a random single-use token (32
//! bytes), stored as its hash with an expiry, sent as a link; then the "check your email" page.
//! The answer is the same whether or not the address has an account, and sending is limited per
//! address and per client IP, counted before the mail is sent (a parallel burst sends at most
//! the limit's number of mails). The link is built on a configured origin ([`AuthRequest::link_origin`]),
//! never on the request's `Host` header.

use time::OffsetDateTime;

use crate::protocol::form::FormFields;

use crate::{
    auth::Auth,
    callbacks::{Account, SignInParams, SignInUser},
    error::AuthError,
    flows::finish::{self, requested_callback_url},
    providers::{credentials::normalize_email, EmailProvider},
    rate_limit, redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
};

use super::token_hash;

/// Sends a sign-in link.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::InvalidEmail`], [`AuthError::EmailRateLimited`],
/// [`AuthError::Email`] (nothing usable is left behind then), database errors.
#[tracing::instrument(level = "debug", skip_all, fields(provider = %provider.id))]
pub async fn post(
    auth: &Auth,
    req: &AuthRequest,
    provider: &EmailProvider,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    let mailer = auth
        .mailer()
        .ok_or_else(|| AuthError::Configuration("email provider without a mailer".into()))?;
    let email = form
        .get("email")
        .and_then(normalize_email)
        .ok_or(AuthError::InvalidEmail)?;

    let keys = rate_limit::email_keys(&provider.limits, &email, req.client_ip);
    if rate_limit::hit(auth.db(), keys).await?.is_none() {
        return Err(AuthError::EmailRateLimited);
    }

    // As Auth.js: the sign_in callback is asked before a link is sent, so a refused address
    // never gets one (it is asked again when the link is used).
    let existing = auth.db().get_user_by_email(&email).await?;
    let account = Account {
        provider: provider.id.clone(),
        kind: "email".into(),
        provider_account_id: email.clone(),
        ..Account::default()
    };
    let params = SignInParams {
        user: SignInUser::VerificationRequest {
            email: &email,
            existing: existing.as_ref(),
        },
        account: Some(&account),
        profile: None,
    };
    if let Some(elsewhere) = finish::ask_sign_in(auth, req, params).await? {
        return Ok(elsewhere);
    }

    let callback = redirect::resolve(auth, req, requested_callback_url(form).as_deref());
    // On this site: as a path, resolved again when the link comes back, so that nothing in the
    // link comes from this request's Host header. A listed client's URL stays whole.
    let callback = redirect::strip_origin(&callback, &req.origin)
        .map_or_else(|| callback.clone(), str::to_owned);
    let token = hex::encode(rand::random::<[u8; 32]>());
    let hash = token_hash(auth, &token);
    let expires = OffsetDateTime::now_utc() + provider.max_age;
    auth.db()
        .create_verification_token(&email, &hash, expires)
        .await?;

    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("callbackUrl", &callback)
        .append_pair("token", &token)
        .append_pair("email", &email)
        .finish();
    let origin = req.link_origin(auth.config());
    let link = req.link_url(auth.config(), &format!("/callback/{}?{query}", provider.id));
    let host = origin.split("://").nth(1).unwrap_or(origin).to_owned();
    if let Err(error) = mailer
        .send_sign_in(&email, &link, &host, &auth.config().theme)
        .await
    {
        // No usable token may outlive a failed send.
        auth.db().use_verification_token(&email, &hash).await?;
        return Err(AuthError::Email(error));
    }
    tracing::debug!("sign-in link sent");
    let query = "provider=email&type=email";
    let target = match &auth.config().pages.verify_request {
        Some(page) => format!("{}{page}?{query}", req.origin),
        None => req.auth_url(auth.config(), &format!("/verify-request?{query}")),
    };
    Ok(Reply::new(Redirect(target)))
}
