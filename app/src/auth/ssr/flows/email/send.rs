//! `POST /signin/email` (`csrfToken`, `email`, `callbackUrl`): a random single-use token (32
//! bytes), stored as its hash with an expiry, sent as a link; then the "check your email" page.
//! The answer is the same whether or not the address has an account, and sending is limited per
//! address and per client IP, counted before the mail is sent (a parallel burst sends at most
//! the limit's number of mails). The link is built on a configured origin ([`AuthRequest::link_origin`]),
//! never on the request's `Host` header.

use time::OffsetDateTime;

use auth_core::adapter::User;

use crate::auth::form::FormFields;

use crate::auth::ssr::{
    auth::Auth,
    callbacks::{Account, SignInDecision, SignInParams},
    csrf,
    error::AuthError,
    flows::finish::requested_callback_url,
    providers::credentials::normalize_email,
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
#[tracing::instrument(level = "debug", skip_all, fields(provider = %provider_id))]
pub async fn post(
    auth: &Auth,
    req: &AuthRequest,
    provider_id: &str,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let provider = auth
        .provider(provider_id)
        .and_then(|p| p.as_email())
        .ok_or(AuthError::UnknownProvider)?
        .clone();
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
    let user = auth
        .db()
        .get_user_by_email(&email)
        .await?
        .unwrap_or_else(|| User {
            id: 0,
            name: None,
            email: Some(email.clone()),
            email_verified: None,
            image: None,
            role: None,
        });
    let account = Account {
        provider: provider.id.clone(),
        kind: "email".into(),
        provider_account_id: email.clone(),
        ..Account::default()
    };
    let decision = auth
        .config()
        .callbacks
        .sign_in(SignInParams {
            user: &user,
            account: Some(&account),
            profile: None,
            verification_request: true,
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

    let callback = redirect::resolve(
        auth,
        req,
        requested_callback_url(auth, req, form).as_deref(),
    );
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
