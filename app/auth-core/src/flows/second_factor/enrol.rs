//! Turning the second factor on and off, for the signed-in user (the account page's forms).
//!
//! On: [`begin`] stores a new secret, sealed and not yet enabled, which [`status`] hands the
//! page to show (the QR code and the secret, to this user only, until they confirm); [`confirm`]
//! takes a first code from their app, turns the factor on and returns ten recovery codes, shown
//! once and stored only hashed. Off: [`disable`] takes a current code or a recovery code.
//! Every form is CSRF-checked and needs a session; the codes count against the same per-user
//! limit as the sign-in's second step. A refusal comes back to the page as `?error=` with one
//! of [`REFUSALS`].

use time::OffsetDateTime;

use crate::{
    adapter::unix_ms,
    auth::Auth,
    csrf,
    error::AuthError,
    flows::finish::requested_callback_url,
    protocol::{form::FormFields, totp},
    redirect,
    reply::{Redirect, Reply},
    request::AuthRequest,
    session,
};

use super::step::{self, Proof};

/// The `?error=` values the account page gets back: a wrong or reused code, too many
/// attempts, the factor already on (or off), or turned off by the configuration.
pub const REFUSALS: [&str; 4] = [
    "TwoFactorCode",
    "TwoFactorLimit",
    "TwoFactorState",
    "TwoFactorUnavailable",
];

/// Where the user's second factor stands, for the account page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// Whether users may turn it on (`two_factor.enabled`).
    pub available: bool,
    /// Whether it is on.
    pub enabled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: u32,
    /// A setup in progress: what the user enters into their app.
    pub setup: Option<Setup>,
}

/// What a setup shows: the secret and its `otpauth://` URL (the QR code).
#[derive(Clone, PartialEq, Eq)]
pub struct Setup {
    /// The secret, base32.
    pub secret: String,
    /// The URL the QR code holds.
    pub otpauth_url: String,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Setup([redacted])")
    }
}

/// The signed-in user, or [`AuthError::SessionRequired`].
async fn signed_in(auth: &Auth, req: &AuthRequest) -> Result<crate::adapter::User, AuthError> {
    let user_id = session::current_user_id(auth, req)
        .await?
        .ok_or(AuthError::SessionRequired)?;
    auth.db()
        .get_user(user_id)
        .await?
        .ok_or(AuthError::SessionRequired)
}

/// The signed-in user's second factor.
///
/// # Errors
/// [`AuthError::SessionRequired`]; database errors.
pub async fn status(auth: &Auth, req: &AuthRequest) -> Result<Status, AuthError> {
    let user = signed_in(auth, req).await?;
    let available = auth.config().two_factor().enabled;
    let Some(row) = auth.db().totp_of(user.id).await? else {
        return Ok(Status {
            available,
            ..Status::default()
        });
    };
    if row.enabled() {
        return Ok(Status {
            available,
            enabled: true,
            recovery_codes_left: auth.db().recovery_codes_left(user.id).await?,
            setup: None,
        });
    }
    let setup = totp::open_secret(auth.totp_keys(), &row.sealed_secret).and_then(|secret| {
        let account = user.email.clone().unwrap_or_else(|| user.id.to_string());
        Some(Setup {
            secret: secret.to_base32(),
            otpauth_url: secret.otpauth_url(&auth.config().two_factor_issuer(), &account)?,
        })
    });
    Ok(Status {
        available,
        setup: setup.filter(|_| available),
        ..Status::default()
    })
}

/// Back to the page the form came from, with `?error=<refusal>` when there is one.
fn back(auth: &Auth, req: &AuthRequest, form: &FormFields, refusal: Option<&str>) -> Redirect {
    let back = redirect::resolve(auth, req, requested_callback_url(form).as_deref());
    match refusal {
        None => Redirect(back),
        Some(refusal) => redirect::back_with_error(&back, refusal),
    }
}

/// The refusal a failed code becomes on the account page; other errors stay errors.
fn refusal_of(error: AuthError) -> Result<&'static str, AuthError> {
    match error {
        AuthError::SecondFactor("rate_limited") => Ok("TwoFactorLimit"),
        AuthError::SecondFactor(_) => Ok("TwoFactorCode"),
        other => Err(other),
    }
}

/// `POST /api/account/two-factor/setup` (`csrfToken`, `callbackUrl`): a new secret to set up
/// (replacing an unfinished one). Refused while the factor is on.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::SessionRequired`]; database errors.
pub async fn begin(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let user = signed_in(auth, req).await?;
    if !auth.config().two_factor().enabled {
        return Ok(Reply::new(back(
            auth,
            req,
            form,
            Some("TwoFactorUnavailable"),
        )));
    }
    let now = OffsetDateTime::now_utc();
    let secret = totp::TotpSecret::generate();
    let sealed = totp::seal_secret(auth.totp_keys(), &secret, now.unix_timestamp())
        .ok_or_else(|| AuthError::Configuration("cannot seal a TOTP secret".into()))?;
    let started = auth.db().begin_totp(user.id, &sealed, unix_ms(now)).await?;
    tracing::info!(user.id = user.id, started, "second factor setup");
    let refusal = (!started).then_some("TwoFactorState");
    Ok(Reply::new(back(auth, req, form, refusal)))
}

/// `POST /api/account/two-factor/enable` (`csrfToken`, `code`, `callbackUrl`): the first code
/// from the app turns the factor on. Returns the redirect and, on success, the recovery codes
/// to show once (the caller keeps them for the next render of the page only).
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::SessionRequired`]; database errors.
pub async fn confirm(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<(Reply<Redirect>, Vec<String>), AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let user = signed_in(auth, req).await?;
    let refused = |refusal| Ok((Reply::new(back(auth, req, form, Some(refusal))), Vec::new()));
    let Some(row) = auth
        .db()
        .totp_of(user.id)
        .await?
        .filter(|row| !row.enabled())
    else {
        return refused("TwoFactorState");
    };
    let window = auth.config().rate_limits().window;
    let keys = crate::rate_limit::second_step_keys(
        auth.config().two_factor().max_attempts,
        window,
        user.id,
    );
    let Some(counted) = crate::rate_limit::hit(auth.db(), keys).await? else {
        return refused("TwoFactorLimit");
    };
    let secret = totp::open_secret(auth.totp_keys(), &row.sealed_secret)
        .ok_or(AuthError::SecondFactor("sealed secret does not open"))?;
    let now = OffsetDateTime::now_utc();
    let unix = u64::try_from(now.unix_timestamp()).unwrap_or_default();
    let Some(step) = totp::check_code(&secret, form.get("code").unwrap_or_default(), unix) else {
        return refused("TwoFactorCode");
    };
    let codes = totp::generate_recovery_codes();
    let hashes: Vec<String> = codes
        .iter()
        .map(|code| totp::hash_recovery_code(auth.newest_secret(), code))
        .collect();
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    if !auth
        .db()
        .enable_totp(user.id, step, &hashes, unix_ms(now))
        .await?
    {
        return refused("TwoFactorState");
    }
    counted.release(auth.db(), &["second-step:user"]).await?;
    tracing::info!(user.id = user.id, "second factor turned on");
    Ok((Reply::new(back(auth, req, form, None)), codes))
}

/// `POST /api/account/two-factor/disable` (`csrfToken`, `code`, `callbackUrl`): a current
/// code, or a recovery code, turns the factor off.
///
/// # Errors
/// [`AuthError::Csrf`], [`AuthError::SessionRequired`]; database errors.
pub async fn disable(
    auth: &Auth,
    req: &AuthRequest,
    form: &FormFields,
) -> Result<Reply<Redirect>, AuthError> {
    csrf::verify(auth, req, form.get("csrfToken"))?;
    let user = signed_in(auth, req).await?;
    if !step::required(auth, user.id).await? {
        return Ok(Reply::new(back(auth, req, form, Some("TwoFactorState"))));
    }
    match step::check(auth, user.id, form.get("code").unwrap_or_default()).await {
        Ok(Proof::Totp(_) | Proof::RecoveryCode) => {
            auth.db().remove_totp(user.id).await?;
            tracing::info!(user.id = user.id, "second factor turned off");
            Ok(Reply::new(back(auth, req, form, None)))
        }
        Err(error) => Ok(Reply::new(back(auth, req, form, Some(refusal_of(error)?)))),
    }
}

/// Turns a user's second factor off without a code: the administrator's reset for a user who
/// lost their app and their recovery codes (`leptos-auth two-factor reset <email>`). Whether
/// there was one.
///
/// # Errors
/// Database errors.
pub async fn reset(auth: &Auth, user_id: i32) -> Result<bool, AuthError> {
    let removed = auth.db().remove_totp(user_id).await?;
    tracing::warn!(
        user.id = user_id,
        removed,
        "second factor reset by an administrator"
    );
    Ok(removed)
}
